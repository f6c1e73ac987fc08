import { defineConfig } from 'tsup'

export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  external: ['react', 'react-dom', 'uplot'],
  // Next.js app router: the tab is a client component. (esbuild drops module-level directives.)
  banner: { js: "'use client';" },
})
