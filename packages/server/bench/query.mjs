// metrics-fetch latency for every period on a generated database, beside a plain GROUP BY over the same raw
// points in a table of one row each (bench/baseline-points.mjs) in the same run. Quick profile (default): 5 servers
// × 20 series, 1 day of raw points at 10 s, every tier filled for as long as it is kept (1m, 5m, 15m 2 days; 1h 14;
// 6h 60; 1d 180), and a heartbeat every minute for 180 days. Full profile (BENCH_PROFILE=full): 50 servers × 20 series, 7 days of raw points (about 60 M).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { PERIOD_SPECS, PERIODS, ROUTES, Sketch, TIER_MS, TIERS } from '@mcpdir/metrics/protocol'
import Database from 'better-sqlite3'
import { openStore, registerServer } from '../dist/index.js'
import { packCharts } from '../dist/internal/chart-block.js'
import { encodeBlock } from '../dist/internal/point-block.js'
import { startService } from '../dist/testing.js'
import { baselineWriter, groupBySql } from './baseline-points.mjs'
import { readFileSync } from 'node:fs'
import { benchColdFetch } from './cold-fetch.mjs'
import { benchList } from './list.mjs'
import { benchUsage } from './usage.mjs'

const full = process.env.BENCH_PROFILE === 'full'
const SERVERS = full ? 50 : 5
const SERIES = 20
const RAW_DAYS = full ? 7 : 1
const MIN = 60_000
const HOUR = 60 * MIN
const DAY = 24 * HOUR
const REQUESTS = 40

const sketches = [0, 1, 2, 3].map((k) => Sketch.of(Array.from({ length: 60 }, (_, i) => 5 + ((i * 37 + k * 11) % 400))).toBytes())
/** How far back each tier is filled: as long as the default retention keeps it. */
const TIER_DAYS = { '1m': 2, '5m': 2, '15m': 2, '1h': 14, '6h': 60, '1d': 180, '1w': 180 }
/** Heartbeat minutes too (a server up the whole time): availability counts them, 259 200 a server. */
const HEARTBEAT_DAYS = 180

async function generate(path, now) {
  const store = await openStore(path)
  const series = Array.from({ length: SERIES }, (_, i) => ({
    name: i < 6 ? 'mcp.tool.calls' : i < 12 ? 'mcp.tool.duration' : `custom.${i}`,
    type: i < 6 ? 'counter' : i < 12 ? 'timer' : i % 2 ? 'gauge' : 'counter',
    tags: JSON.stringify({ client: 'claude-ai', outcome: i % 3 === 0 ? 'error' : 'ok', tool: `tool-${i % 6}` }),
  }))
  return { store, series }
}

export async function seedForProfile(path, now) {
  return seed(path, now, join(dirname(path), 'baseline.db'))
}

/** Fills the service's database at `path`, and the baseline's raw point table at `baselinePath` with the same points. */
async function seed(path, now, baselinePath) {
  const { store, series } = await generate(path, now)
  for (let s = 0; s < SERVERS; s++) await registerServer(store, { id: `q-${s}` }, now - 200 * DAY)
  const db = store.db
  const baseline = baselineWriter(baselinePath)
  const addSeries = db.prepare('INSERT INTO series (server_id, name, type, tags) VALUES (?, ?, ?, ?) RETURNING id').pluck()
  // as the service stores an SDK's 10 s flush: one block per server and minute it touches
  const block = db.prepare('INSERT INTO metric_blocks (server_id, minute, points, data) VALUES (?, ?, ?, ?)')
  const tiers = Object.fromEntries(
    TIERS.map((tier) => [tier, db.prepare(`INSERT INTO rollup_${tier} (series_id, bucket, count, sum, min, max, last, last_ts, sketch) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)]),
  )
  const chart = db.prepare('INSERT INTO chart_blocks (server_id, tier, bucket, data) VALUES (?, ?, ?, ?)')
  const heartbeat = db.prepare('INSERT INTO server_heartbeats (server_id, minute) VALUES (?, ?) ON CONFLICT DO NOTHING')
  // as ingest keeps them: each hour's count of heartbeat minutes
  const heartbeatHours = db.prepare('INSERT INTO heartbeat_hours (server_id, hour, minutes) SELECT server_id, minute - minute % 3600000, count(*) FROM server_heartbeats WHERE server_id = ? GROUP BY 1, 2')
  let rows = 0
  const fill = (fn) => {
    db.transaction(fn)()
  }
  for (let s = 0; s < SERVERS; s++) {
    const id = `q-${s}`
    const ids = series.map((x) => addSeries.get(id, x.name, x.type, x.tags))
    for (const seriesId of ids) baseline.series(seriesId, id)
    fill(() => {
      for (let t = now - RAW_DAYS * DAY; t < now; t += 10_000) {
        const points = series.map((x, i) => {
          const v = 10 + ((t / 10_000 + i) % 50)
          return { seriesId: ids[i], timestamp: t, count: 6, sum: v * 6, min: v, max: v + 5, last: v, sketch: x.type === 'timer' ? sketches[i % 4] : null }
        })
        block.run(id, Math.floor(t / MIN) * MIN, points.length, encodeBlock(points))
        for (const p of points) baseline.point(p.seriesId, p.timestamp, p.count, p.sum, p.min, p.max, p.last, p.sketch)
        rows += points.length
      }
    })
    fill(() => {
      for (let t = Math.floor(now / MIN) * MIN - HEARTBEAT_DAYS * DAY; t < now; t += MIN) heartbeat.run(id, t)
      heartbeatHours.run(id)
    })
    // the series as reports see them, for the chart blocks every rolled bucket has (as a rollup writes them)
    const infos = series.map((x, i) => ({ id: ids[i], name: x.name, type: x.type, tags: JSON.parse(x.tags) }))
    for (const tier of TIERS) {
      const width = TIER_MS[tier]
      const count = 6 * (width / 10_000)
      fill(() => {
        for (let t = Math.floor(now / width) * width - TIER_DAYS[tier] * DAY; t < now; t += width) {
          const rows = series.map((x, i) => ({ seriesId: ids[i], bucket: t, count, sum: count * 25, min: 10, max: 60, last: 30, lastTs: t, sketch: x.type === 'timer' ? sketches[i % 4] : null, series: infos[i] }))
          for (const r of rows) tiers[tier].run(r.seriesId, r.bucket, r.count, r.sum, r.min, r.max, r.last, r.lastTs, r.sketch)
          for (const [bucket, data] of packCharts(rows)) chart.run(id, tier, bucket, data)
        }
      })
    }
  }
  await store.close()
  baseline.close()
  return rows
}

const percentile = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]
const round = (x) => Math.round(x * 100) / 100

/** Resident memory of a process, from /proc (Linux): current and peak, in MB. */
function memoryOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (key) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? Number.NaN)
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 }
}

export async function benchQuery({ postgresUrl } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'mcpdir-query-'))
  const now = Date.now()
  try {
    const path = join(dir, 'metrics.db')
    const baselinePath = join(dir, 'baseline.db')
    const started = Date.now()
    const rawRows = await seed(path, now, baselinePath)
    const seedSeconds = Math.round((Date.now() - started) / 1000)
    const service = await startService({ dir, args: ['--admin-key', 'query-bench-admin-key-123'] })
    const results = { servers: SERVERS, series: SERIES, rawDays: RAW_DAYS, rawRows, seedSeconds, periods: {} }
    const db = new Database(baselinePath, { readonly: true })
    const idle = memoryOf(service.child.pid)
    try {
      for (const period of PERIODS) {
        // cold: the first read of each server's report; warm: repeated reads (the report cache)
        const cold = []
        const latencies = []
        for (let r = 0; r < REQUESTS; r++) {
          const t = performance.now()
          const response = await fetch(`${service.url}${ROUTES.metricsFetch}?server_id=q-${r % SERVERS}&period=${period}`)
          await response.arrayBuffer()
          ;(r < SERVERS ? cold : latencies).push(performance.now() - t)
          if (response.status !== 200) throw new Error(`metrics-fetch ${period}: ${response.status}`)
        }
        const spec = PERIOD_SPECS[period]
        const groupBy = db.prepare(groupBySql('sqlite', spec.bucketMs))
        const plain = []
        for (let r = 0; r < Math.min(REQUESTS, 10); r++) {
          const t = performance.now()
          groupBy.all(`q-${r % SERVERS}`, now - spec.durationMs, now)
          plain.push(performance.now() - t)
        }
        const p50 = percentile(latencies, 0.5)
        const p95 = percentile(latencies, 0.95)
        results.periods[period] = {
          coldFetchP50Ms: round(percentile(cold, 0.5)),
          coldFetchMaxMs: round(Math.max(...cold)),
          fetchP50Ms: round(p50),
          fetchP95Ms: round(p95),
          plainGroupByP50Ms: round(percentile(plain, 0.5)),
          speedupOverGroupBy: round(percentile(plain, 0.5) / p50),
          coldSpeedupOverGroupBy: round(percentile(plain, 0.5) / percentile(cold, 0.5)),
          rawDaysCovered: Math.min(RAW_DAYS, spec.durationMs / DAY),
        }
        process.stderr.write(`query ${period}: ${JSON.stringify(results.periods[period])}\n`)
      }
      // the service's memory while answering every period's reports (90d of the largest server included)
      results.memory = { idleRssMb: Math.round(idle.rssMb), peakAboveIdleMb: Math.round(memoryOf(service.child.pid).peakMb - idle.rssMb) }
    } finally {
      db.close()
      await service.stop()
    }
    // every read cold (the report cache cleared before each), SQLite and PostgreSQL (bench/cold-fetch.mjs)
    results.cold = await benchColdFetch({ path, baselinePath, now, servers: SERVERS, postgresUrl })
    // a busy server's 90d usage section, beside release 0's read of every raw usage row (bench/usage.mjs)
    results.usage = await benchUsage()
    // the servers list of a directory: N servers, the list request's p95 beside a report per server (bench/list.mjs)
    results.list = await benchList()
    return results
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
