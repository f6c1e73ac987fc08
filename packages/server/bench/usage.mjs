// The usage section of a busy server's 90d report, cold, beside release 0's way of answering it in the same run:
// every raw usage row of the period and the one before read and counted (a SELECT over server_usage). Seeded
// through the service's own write path (Store.recordUsage, which keeps the aggregates). Quick profile (default):
// 300 k events over 90 days; full (BENCH_PROFILE=full): 10 M. Alone: `node bench/usage.mjs` (after tsup).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { PERIOD_SPECS } from '@mcpdir/metrics/protocol'
import Database from 'better-sqlite3'
import { openStore, registerServer } from '../dist/index.js'
import { usageSection } from '../dist/internal/usage-report.js'

const full = process.env.BENCH_PROFILE === 'full'
const EVENTS = full ? 10_000_000 : 300_000
/** Daily visitor pool: most days have thousands of distinct visitors, so day sketches are dense. */
const VISITORS_PER_DAY = full ? 50_000 : 3_000
const BATCH = 5_000
const SAMPLES = 15
const TARGET_MS = 10
const DAY = 86_400_000
const ACTIONS = ['view', 'view', 'view', 'install', 'test', 'invoke']

const percentile = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]
const round = (x) => Math.round(x * 100) / 100

/** The period ending with the bucket holding `now`, and the one before (as the service computes it). */
function periodWindow(period, now) {
  const { durationMs, bucketMs } = PERIOD_SPECS[period]
  const to = Math.floor(now / bucketMs) * bucketMs + bucketMs
  return { bucketMs, from: to - durationMs, to, previousFrom: to - 2 * durationMs }
}

/** Release 0's usage section: every raw row of both periods, counted with a set of visitor hashes per bucket. */
function rawUsageSection(db, serverId, w) {
  const rows = db
    .prepare('SELECT action, visitor_hash AS "visitorHash", timestamp FROM server_usage WHERE server_id = ? AND timestamp >= ? AND timestamp < ?')
    .all(serverId, w.previousFrom, w.to)
  const field = { view: 'views', install: 'installs', test: 'tests', invoke: 'invokes' }
  const count = (list) => {
    const counts = { views: 0, installs: 0, tests: 0, invokes: 0, unique_visitors: 0 }
    const visitors = new Set()
    for (const row of list) {
      counts[field[row.action]]++
      visitors.add(row.visitorHash)
    }
    counts.unique_visitors = visitors.size
    return counts
  }
  const current = rows.filter((r) => r.timestamp >= w.from)
  const buckets = new Map()
  for (const row of current) {
    const t = Math.floor(row.timestamp / w.bucketMs) * w.bucketMs
    const list = buckets.get(t)
    if (list) list.push(row)
    else buckets.set(t, [row])
  }
  const section = {
    buckets: [...buckets.entries()].sort(([a], [b]) => a - b).map(([t, list]) => ({ t, ...count(list) })),
    totals: count(current),
    previous: count(rows.filter((r) => r.timestamp < w.from)),
  }
  return { rows: rows.length, section }
}

async function seed(path, now) {
  const store = await openStore(path)
  await registerServer(store, { id: 'busy' }, now - 200 * DAY)
  let state = 20260310
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = Math.imul(state ^ (state >>> 15), state | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const start = now - 90 * DAY
  const step = (90 * DAY) / EVENTS
  for (let i = 0; i < EVENTS; i += BATCH) {
    const rows = []
    for (let j = i; j < Math.min(EVENTS, i + BATCH); j++) {
      const timestamp = Math.floor(start + j * step)
      rows.push({ serverId: 'busy', action: ACTIONS[j % ACTIONS.length], visitorHash: `${Math.floor(timestamp / DAY)}:${Math.floor(random() * VISITORS_PER_DAY)}`, timestamp })
    }
    await store.recordUsage(rows)
  }
  await store.close()
}

/** Seeds a database, then times the 90d usage section cold (a fresh connection per sample) against the raw read. */
export async function benchUsage() {
  const dir = mkdtempSync(join(tmpdir(), 'mcpdir-usage-'))
  const now = Date.now()
  try {
    const path = join(dir, 'metrics.db')
    const started = performance.now()
    await seed(path, now)
    const seedSeconds = (performance.now() - started) / 1000
    const w = periodWindow('90d', now)

    const cold = []
    let section
    let rowsRead = 0
    for (let s = 0; s < SAMPLES; s++) {
      const store = await openStore(path)
      const t = performance.now()
      section = await usageSection(store, 'busy', w)
      cold.push(performance.now() - t)
      if (s === 0) {
        const width = PERIOD_SPECS['90d'].bucketMs
        const rows = await store.usageAggregates('busy', width, w.previousFrom, w.to)
        rowsRead = rows.counts.length + rows.visitors.length
      }
      await store.close()
    }

    const baseline = []
    let raw
    for (let s = 0; s < Math.min(SAMPLES, full ? 3 : 5); s++) {
      const db = new Database(path, { readonly: true })
      const t = performance.now()
      raw = rawUsageSection(db, 'busy', w)
      baseline.push(performance.now() - t)
      db.close()
    }
    const p50 = percentile(cold, 0.5)
    const results = {
      events: EVENTS,
      visitorsPerDay: VISITORS_PER_DAY,
      seedSeconds: round(seedSeconds),
      recordUsageEventsPerSecond: Math.round(EVENTS / seedSeconds),
      usage90dColdP50Ms: round(p50),
      usage90dColdMaxMs: round(Math.max(...cold)),
      targetMs: TARGET_MS,
      meetsTarget: p50 <= TARGET_MS,
      aggregateRowsRead: rowsRead,
      baseline: 'release 0: SELECT action, visitor_hash, timestamp FROM server_usage over both periods, counted in JS',
      rawBaselineP50Ms: round(percentile(baseline, 0.5)),
      rawRowsRead: raw.rows,
      speedupOverRaw: round(percentile(baseline, 0.5) / p50),
      totals: section.totals,
      rawTotals: raw.section.totals,
    }
    process.stderr.write(`usage 90d: ${JSON.stringify(results)}\n`)
    return results
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await benchUsage()
