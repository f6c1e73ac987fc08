// `npm run bench` for the service: ingest (SQLite, and PostgreSQL when its binaries are here), OTLP ingest beside
// metrics-collect (SQLite), query and live latency. Writes bench-results/server.json.
import { mkdirSync, writeFileSync } from 'node:fs'
import { PG_BIN, startPostgres } from '../dist/internal/postgres-cluster.js'
import { benchIngest } from './ingest.mjs'
import { benchLive } from './live.mjs'
import { benchOtlp } from './otlp.mjs'
import { benchQuery } from './query.mjs'

const results = { profile: process.env.BENCH_PROFILE === 'full' ? 'full' : 'quick' }
// the full profile's database (tens of GB) read through a buffer cache sized for a machine of this one's 24 GB,
// not the 128 MB PostgreSQL starts with
const cluster = PG_BIN ? startPostgres(results.profile === 'full' ? { settings: { shared_buffers: '4GB' } } : {}) : undefined
try {
  results.ingest = await benchIngest(cluster ? { postgresUrl: cluster.createDatabase('bench') } : {})
  process.stderr.write(`ingest: ${JSON.stringify(results.ingest)}\n`)
  results.otlp = await benchOtlp()
  process.stderr.write(`otlp: ${JSON.stringify(results.otlp)}\n`)
  results.query = await benchQuery(cluster ? { postgresUrl: cluster.createDatabase('query') } : {})
} finally {
  cluster?.stop()
}
results.live = await benchLive()
process.stderr.write(`live: ${JSON.stringify(results.live)}\n`)
mkdirSync(new URL('../bench-results/', import.meta.url), { recursive: true })
writeFileSync(new URL('../bench-results/server.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`)
