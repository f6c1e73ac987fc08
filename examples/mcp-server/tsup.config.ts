import { defineConfig } from 'tsup'

export default defineConfig({
  entry: { server: 'src/server.ts', demo: 'src/demo.ts' },
  format: ['esm'],
  target: 'node20',
  clean: true,
  sourcemap: true,
})
