// Cold metrics-fetch on both stores: every request misses the report cache (it is cleared before each one), as
// a directory's rarely read server pages do. In-process (`createApp` on the store, no HTTP), beside a plain
// GROUP BY over the raw points of the same server and period in the same run. PostgreSQL gets the same data by
// `mcpdir-metrics migrate` from the generated SQLite file.
import { spawnSync } from 'node:child_process'
import { PERIOD_SPECS, PERIODS, ROUTES } from '@mcpdir/metrics/protocol'
import { createApp, openStore } from '../dist/index.js'
import { CLI } from '../dist/testing.js'

const SAMPLES = 20
const percentile = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]
const round = (x) => Math.round(x * 100) / 100

/** The plain baseline: points of one server and period grouped by series and bucket, in SQL. */
function groupBySql(bucketMs, placeholders) {
  const [a, b, c] = placeholders
  return `SELECT p.series_id, p.timestamp / ${bucketMs} AS b, count(*) AS n, sum(p.sum) AS s, min(p.min) AS lo, max(p.max) AS hi
          FROM series s JOIN metric_points p ON p.series_id = s.id
          WHERE s.server_id = ${a} AND p.timestamp >= ${b} AND p.timestamp < ${c} GROUP BY p.series_id, b`
}

async function measure(store, servers, now, runBaseline) {
  const app = createApp({ store, clock: () => now, backgroundJobs: false })
  const periods = {}
  try {
    await app.deps.rollups.runPending()
    for (const period of PERIODS) {
      const cold = []
      for (let r = 0; r < SAMPLES; r++) {
        app.deps.reportCache.clear()
        const t = performance.now()
        const response = await app.request(`${ROUTES.metricsFetch}?server_id=q-${r % servers}&period=${period}`)
        await response.arrayBuffer()
        cold.push(performance.now() - t)
        if (response.status !== 200) throw new Error(`metrics-fetch ${period}: ${response.status}`)
      }
      const spec = PERIOD_SPECS[period]
      const plain = []
      for (let r = 0; r < 6; r++) {
        const t = performance.now()
        await runBaseline(spec.bucketMs, `q-${r % servers}`, now - spec.durationMs, now)
        plain.push(performance.now() - t)
      }
      const p50 = percentile(cold, 0.5)
      periods[period] = {
        coldP50Ms: round(p50),
        coldP95Ms: round(percentile(cold, 0.95)),
        groupByP50Ms: round(percentile(plain, 0.5)),
        speedupOverGroupBy: round(percentile(plain, 0.5) / p50),
      }
      process.stderr.write(`cold fetch ${store.kind} ${period}: ${JSON.stringify(periods[period])}\n`)
    }
  } finally {
    app.stop()
  }
  return periods
}

/** Cold fetch on the SQLite file at `path` and, given a database URL, on PostgreSQL with the same data. */
export async function benchColdFetch({ path, now, servers, postgresUrl }) {
  const results = {}
  const sqlite = await openStore(path)
  try {
    const statements = new Map()
    results.sqlite = await measure(sqlite, servers, now, async (bucketMs, ...params) => {
      if (!statements.has(bucketMs)) statements.set(bucketMs, sqlite.db.prepare(groupBySql(bucketMs, ['?', '?', '?'])))
      return statements.get(bucketMs).all(...params)
    })
  } finally {
    await sqlite.close()
  }
  if (postgresUrl) {
    const t = performance.now()
    const copy = spawnSync(process.execPath, [CLI, 'migrate', '--from', path, '--to', postgresUrl], { encoding: 'utf8' })
    if (copy.status !== 0) throw new Error(`migrate into PostgreSQL failed: ${copy.stderr}`)
    results.postgresCopySeconds = Math.round((performance.now() - t) / 1000)
    const postgres = await openStore(postgresUrl)
    try {
      await postgres.pool.query('ANALYZE')
      results.postgres = await measure(postgres, servers, now, async (bucketMs, ...params) => (await postgres.pool.query(groupBySql(bucketMs, ['$1', '$2', '$3']), params)).rows)
    } finally {
      await postgres.close()
    }
  }
  return results
}
