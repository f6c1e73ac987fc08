// Bundle budgets: each component with everything it imports, without React, minified and gzipped. The
// MetricsTab (with uPlot) must stay within 40 KB, the ServersTable within 12 KB. Run after the build (part of
// `npm test`).
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'

const BUDGETS = [
  { name: 'MetricsTab', label: 'MetricsTab bundle (with uPlot, without React)', budget: 40 * 1024 },
  { name: 'ServersTable', label: 'ServersTable bundle (without React)', budget: 12 * 1024 },
]

const results = {}
let over = false
for (const { name, label, budget } of BUDGETS) {
  const result = await build({
    stdin: { contents: `export { ${name} } from './dist/index.js'`, resolveDir: new URL('..', import.meta.url).pathname },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    external: ['react', 'react-dom', 'react/jsx-runtime'],
    write: false,
    logLevel: 'silent',
  })
  const code = result.outputFiles[0].contents
  const gzipped = gzipSync(code, { level: 9 }).length
  const line = `${label}: ${(code.length / 1024).toFixed(1)} KB minified, ${(gzipped / 1024).toFixed(1)} KB gzip (budget ${budget / 1024} KB)`
  if (gzipped > budget) {
    console.error(`${line}: over budget`)
    over = true
  } else console.log(line)
  results[name] = { minifiedBytes: code.length, gzipBytes: gzipped, budgetBytes: budget }
}
if (over) process.exit(1)
if (process.argv.includes('--json')) {
  const { mkdirSync, writeFileSync } = await import('node:fs')
  mkdirSync(new URL('../bench-results/', import.meta.url), { recursive: true })
  // the MetricsTab's figures stay at the top level, as before
  writeFileSync(new URL('../bench-results/bundle.json', import.meta.url), `${JSON.stringify({ ...results.MetricsTab, components: results }, null, 2)}\n`)
}
