// Bundle budget: the MetricsTab build with uPlot and everything it imports, without React, minified and
// gzipped, must stay within 40 KB. Run after the build (part of `npm test`).
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'

const BUDGET = 40 * 1024
const result = await build({
  stdin: { contents: "export { MetricsTab } from './dist/index.js'", resolveDir: new URL('..', import.meta.url).pathname },
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
const line = `MetricsTab bundle (with uPlot, without React): ${(code.length / 1024).toFixed(1)} KB minified, ${(gzipped / 1024).toFixed(1)} KB gzip (budget ${BUDGET / 1024} KB)`
if (gzipped > BUDGET) {
  console.error(`${line}: over budget`)
  process.exit(1)
}
console.log(line)
if (process.argv.includes('--json')) {
  const { mkdirSync, writeFileSync } = await import('node:fs')
  mkdirSync(new URL('../bench-results/', import.meta.url), { recursive: true })
  writeFileSync(
    new URL('../bench-results/bundle.json', import.meta.url),
    `${JSON.stringify({ minifiedBytes: code.length, gzipBytes: gzipped, budgetBytes: BUDGET }, null, 2)}\n`,
  )
}
