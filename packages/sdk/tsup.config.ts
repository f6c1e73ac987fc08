import { readdirSync, readFileSync } from 'node:fs'
import { defineConfig } from 'tsup'

const { version } = JSON.parse(readFileSync('./package.json', 'utf8')) as { version: string }

// Each protocol module is also an entry of its own, so it lands in a chunk of its own: a browser bundle that
// imports only periods and limits from '@mcpdir/metrics/protocol' then drops the zod-based modules (the
// package has no side effects) instead of carrying zod along.
const protocolModules = Object.fromEntries(
  readdirSync('src/protocol')
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== 'index.ts')
    .map((f) => [`protocol/${f.slice(0, -3)}`, `src/protocol/${f}`]),
)

export default defineConfig({
  entry: { index: 'src/index.ts', protocol: 'src/protocol/index.ts', mcp: 'src/mcp.ts', ...protocolModules },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  splitting: true,
  treeshake: true,
  define: { __SDK_VERSION__: JSON.stringify(version) },
})
