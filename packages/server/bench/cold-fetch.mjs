// Cold metrics-fetch on both stores: every request misses the report cache (it is cleared before each one), as
// a directory's rarely read server pages do. In-process (`createApp` on the store, no HTTP), beside a plain
// GROUP BY over the same raw points, one row each (bench/baseline-points.mjs), of the same server and period.
// PostgreSQL gets the same data by `mcpdir-metrics migrate` from the generated SQLite file.
import { spawnSync } from 'node:child_process'
import { PERIOD_SPECS, PERIODS, ROUTES } from '@mcpdir/metrics/protocol'
import Database from 'better-sqlite3'
import { createApp, openStore } from '../dist/index.js'
import { CLI } from '../dist/testing.js'
import { measureAvailability } from './availability.mjs'
import { copyBaselineToPostgres, groupBySql } from './baseline-points.mjs'

/** Cold reads per period: p95 is then the 7th slowest of 140, not the 3rd of 60, so one stall of the host moves it less. */
const SAMPLES = 140
/** Untimed rounds over every period before measuring. */
const WARM_ROUNDS = 10
const percentile = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]
const round = (x) => Math.round(x * 100) / 100

/** Cold reads of every period on one store, beside `runBaseline` (the GROUP BY). */
async function measureColdFetch(store, servers, now, runBaseline) {
  const app = createApp({ store, clock: () => now, backgroundJobs: false })
  const periods = {}
  try {
    await app.deps.rollups.runPending()
    // every period read several times first, untimed: a service answering a directory has its report code compiled
    // and optimized; the first runs of it (V8 compiling and tiering it up, some 70 reads) are the process starting,
    // not what a cold report costs
    for (let round = 0; round < WARM_ROUNDS; round++) {
      for (const period of PERIODS) {
        app.deps.reportCache.clear()
        await (await app.request(`${ROUTES.metricsFetch}?server_id=q-${round % servers}&period=${period}`)).arrayBuffer()
      }
    }
    // The periods take turns, one read each, and each read is of the next server: a slow stretch of a shared
    // host then falls on every period alike instead of on whichever was being measured.
    const cold = new Map(PERIODS.map((period) => [period, []]))
    let read = 0
    for (let r = 0; r < SAMPLES; r++) {
      for (const period of PERIODS) {
        app.deps.reportCache.clear()
        const t = performance.now()
        const response = await app.request(`${ROUTES.metricsFetch}?server_id=q-${read++ % servers}&period=${period}`)
        await response.arrayBuffer()
        cold.get(period).push(performance.now() - t)
        if (response.status !== 200) throw new Error(`metrics-fetch ${period}: ${response.status}`)
      }
    }
    for (const period of PERIODS) {
      const spec = PERIOD_SPECS[period]
      const plain = []
      for (let r = 0; r < 6; r++) {
        const t = performance.now()
        await runBaseline(spec.bucketMs, `q-${r % servers}`, now - spec.durationMs, now)
        plain.push(performance.now() - t)
      }
      const p50 = percentile(cold.get(period), 0.5)
      periods[period] = {
        coldP50Ms: round(p50),
        coldP95Ms: round(percentile(cold.get(period), 0.95)),
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

/**
 * Cold fetch on the SQLite file at `path` and, given a database URL, on PostgreSQL with the same data; the
 * baseline's raw points are in the file at `baselinePath` (copied into PostgreSQL for that side).
 */
export async function benchColdFetch({ path, baselinePath, now, servers, postgresUrl }) {
  const results = {}
  const sqlite = await openStore(path)
  const baseline = new Database(baselinePath, { readonly: true })
  try {
    const statements = new Map()
    results.sqlite = await measureColdFetch(sqlite, servers, now, async (bucketMs, ...params) => {
      if (!statements.has(bucketMs)) statements.set(bucketMs, baseline.prepare(groupBySql('sqlite', bucketMs)))
      return statements.get(bucketMs).all(...params)
    })
    results.availability = { sqlite: await measureAvailability(sqlite, servers, now) }
  } finally {
    await sqlite.close()
    baseline.close()
  }
  if (postgresUrl) {
    const t = performance.now()
    const copy = spawnSync(process.execPath, [CLI, 'migrate', '--from', path, '--to', postgresUrl], { encoding: 'utf8' })
    if (copy.status !== 0) throw new Error(`migrate into PostgreSQL failed: ${copy.stderr}`)
    results.postgresCopySeconds = Math.round((performance.now() - t) / 1000)
    const postgres = await openStore(postgresUrl)
    try {
      const b = performance.now()
      await copyBaselineToPostgres(baselinePath, postgres.pool)
      results.postgresBaselineCopySeconds = Math.round((performance.now() - b) / 1000)
      // as autovacuum leaves a live database: statistics, hint bits and the visibility map (index-only scans) set
      await postgres.pool.query('VACUUM (ANALYZE)')
      results.postgres = await measureColdFetch(postgres, servers, now, async (bucketMs, ...params) => (await postgres.pool.query(groupBySql('postgres', bucketMs), params)).rows)
      results.availability.postgres = await measureAvailability(postgres, servers, now)
    } finally {
      await postgres.close()
    }
  }
  return results
}
