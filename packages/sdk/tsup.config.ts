import { readFileSync } from 'node:fs'
import { defineConfig } from 'tsup'

const { version } = JSON.parse(readFileSync('./package.json', 'utf8')) as { version: string }

export default defineConfig({
  entry: { index: 'src/index.ts', protocol: 'src/protocol/index.ts', mcp: 'src/mcp.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  splitting: true,
  treeshake: true,
  define: { __SDK_VERSION__: JSON.stringify(version) },
})
