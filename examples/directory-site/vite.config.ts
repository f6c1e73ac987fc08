import { defineConfig } from 'vite'

// No React plugin needed: esbuild compiles the JSX (no fast refresh, which a demo page does not miss).
export default defineConfig({
  esbuild: { jsx: 'automatic' },
  build: { outDir: 'dist', emptyOutDir: true },
})
