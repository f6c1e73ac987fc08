// The servers list (GET /functions/v1/servers) for a directory: N servers with 7 days of hourly tool-call rollups
// and some usage each, p95 of the list request for a few sorts, first page (50) and a later page by cursor,
// cold (the index just changed, so the sorted order is rebuilt on the request) and warm, beside a named baseline
// in the same run: what the list did before, a report per server per request (one metrics-fetch report each,
// on the smallest N only). In-process (app.request: no socket), SQLite. Quick profile (default): 20 and 200
// servers; full (BENCH_PROFILE=full): 100, 1 000 and 10 000 (targets: cold p95 ≤ 50 ms at 10 000, and the
// 1 000 list within 2× the 100 one). Alone: `node bench/list.mjs` (after tsup).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { MCP_METRICS, PERIOD_SPECS, ROUTES, Sketch } from '@mcpdir/metrics/protocol'
import { createApp, openStore, registerServer } from '../dist/index.js'

const full = process.env.BENCH_PROFILE === 'full'
const SIZES = full ? [100, 1_000, 10_000] : [20, 200]
const ROUNDS = full ? 60 : 40
const BASELINE_ROUNDS = 5
const SORTS = ['name', 'calls', 'p95_ms', 'views']
const HOUR = 3_600_000
const DAY = 24 * HOUR
const PERIOD = '7d'

const percentile = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]
const round = (x) => Math.round(x * 100) / 100
const sketches = [0, 1, 2, 3].map((k) => Sketch.of(Array.from({ length: 40 }, (_, i) => 5 + ((i * 37 + k * 11) % 400))).toJSON())

/**
 * 7 days of hourly points per server through the Store interface (ingest, then the 7d period's tier rebuilt
 * from the 1-minute rows ingest keeps), and a few usage records. The other tiers are not built: only 7d is read.
 */
async function seed(store, n, now) {
  const tier = PERIOD_SPECS[PERIOD].tier
  const to = Math.floor(now / HOUR) * HOUR
  const from = to - 7 * DAY
  const usage = []
  for (let s = 0; s < n; s++) {
    const id = `server-${String(s).padStart(5, '0')}`
    await registerServer(store, { id, name: `Server ${(s * 7919) % n}` }, now - 30 * DAY)
    const points = []
    const scale = 1 + (s % 50)
    for (let t = from; t < to; t += HOUR) {
      const calls = scale * (1 + ((t / HOUR + s) % 5))
      const point = (name, type, outcome, count, sketch) => ({
        name,
        type,
        tags: { outcome, tool: 'search' },
        timestamp: t,
        count,
        sum: type === 'timer' ? count * (20 + (s % 300)) : count,
        min: type === 'timer' ? 5 : count,
        max: type === 'timer' ? 405 : count,
        last: count,
        ...(sketch && { sketch }),
      })
      points.push(point(MCP_METRICS.tool.calls, 'counter', 'ok', calls), point(MCP_METRICS.tool.duration, 'timer', 'ok', calls, sketches[s % 4]))
      if (s % 7 === 0) points.push(point(MCP_METRICS.tool.calls, 'counter', 'error', 1))
    }
    await store.ingest(id, `seed-${s}`, points, [], now, now - DAY)
    await store.rebuildTier(id, tier, from, to, '1m')
    for (let v = 0; v < s % 6; v++) usage.push({ serverId: id, action: v % 3 === 0 ? 'install' : 'view', visitorHash: `visitor-${v}`, timestamp: now - v * DAY - HOUR })
  }
  while ((await store.takeDirtyMinutes(50_000)).length > 0); // the coarser tiers stay unbuilt: the bench reads 7d only
  for (let i = 0; i < usage.length; i += 5_000) await store.recordUsage(usage.slice(i, i + 5_000))
}

async function timed(app, path) {
  const started = performance.now()
  const response = await app.request(path)
  await response.arrayBuffer()
  if (response.status !== 200) throw new Error(`${path}: ${response.status}`)
  return performance.now() - started
}

/**
 * A usage record for one server, as usage-track makes it, so the index recomputes that server and makes a new
 * snapshot (its orders are rebuilt on the next request). Answers how long that refresh took.
 */
async function touch(app, store, n, round) {
  const serverId = `server-${String((round * 31) % n).padStart(5, '0')}`
  await store.recordUsage([{ serverId, action: 'view', visitorHash: `touch-${round}`, timestamp: Date.now() - HOUR }])
  app.deps.headlines.invalidate(serverId)
  const started = performance.now()
  await app.deps.headlines.refresh()
  return performance.now() - started
}

/** Seeds `n` servers, starts the service on them and builds the index; finds a first and a later page per sort. */
async function setUp(dir, n) {
  const now = Date.now()
  const store = await openStore(join(dir, `list-${n}.db`))
  const seeding = performance.now()
  await seed(store, n, now)
  const seedMs = performance.now() - seeding
  // refreshes only when the bench asks (no timers; a read never finds the index due)
  const app = createApp({ store, backgroundJobs: false, config: { headlineRefreshMs: 3_600_000 } })
  const buildMs = await timed(app, `${ROUTES.servers}?period=${PERIOD}`)
  const idle = performance.now()
  await app.deps.headlines.refresh()
  const result = { servers: n, seedSeconds: round(seedMs / 1000), indexBuildMs: round(buildMs), refreshNothingChangedMs: round(performance.now() - idle), sorts: {} }
  const paths = {}
  for (const sort of SORTS) {
    // a later page: two pages before the last (the second when there are few)
    const first = `${ROUTES.servers}?period=${PERIOD}&sort=${sort}`
    let cursor = (await (await app.request(first)).json()).next_cursor
    for (let i = 0; cursor && i < Math.max(0, Math.floor(n / 50) - 2); i++) {
      cursor = (await (await app.request(`${first}&cursor=${encodeURIComponent(cursor)}`)).json()).next_cursor ?? cursor
    }
    paths[sort] = { first, ...(cursor && { later: `${first}&cursor=${encodeURIComponent(cursor)}` }) }
  }
  return { n, app, store, result, paths, touches: 0, refreshes: [] }
}

/**
 * Cold and warm latency of every sort and page, the sizes interleaved round by round, so a busy moment of the
 * machine falls on all of them alike (their ratio is what the target is about).
 */
async function measure(setups) {
  for (const sort of SORTS) {
    for (const page of ['first', 'later']) {
      const samples = new Map(setups.filter((x) => x.paths[sort][page]).map((x) => [x, { cold: [], warm: [] }]))
      for (let r = 0; r < ROUNDS; r++) {
        for (const [x, { cold, warm }] of samples) {
          x.refreshes.push(await touch(x.app, x.store, x.n, ++x.touches))
          cold.push(await timed(x.app, x.paths[sort][page]))
          warm.push(await timed(x.app, x.paths[sort][page]))
        }
      }
      for (const [x, { cold, warm }] of samples) {
        x.result.sorts[sort] ??= {}
        x.result.sorts[sort][page] = { coldP95Ms: round(percentile(cold, 0.95)), coldP50Ms: round(percentile(cold, 0.5)), warmP95Ms: round(percentile(warm, 0.95)) }
      }
    }
  }
  for (const x of setups) {
    x.result.refreshOneChangedP50Ms = round(percentile(x.refreshes, 0.5))
    const all = Object.values(x.result.sorts).flatMap((f) => Object.values(f))
    x.result.coldP95Ms = Math.max(...all.map((f) => f.coldP95Ms))
    x.result.coldP50Ms = Math.max(...all.map((f) => f.coldP50Ms))
  }
}

/** Before: every list request built a report per server (one metrics-fetch report each, reports cache emptied). */
async function baseline(app, n) {
  const times = []
  for (let r = 0; r < BASELINE_ROUNDS; r++) {
    app.deps.reportCache.clear()
    const started = performance.now()
    for (let s = 0; s < n; s++) {
      const id = `server-${String(s).padStart(5, '0')}`
      const response = await app.request(`${ROUTES.metricsFetch}?server_id=${id}&period=${PERIOD}&metrics=${MCP_METRICS.tool.calls},${MCP_METRICS.tool.duration}`)
      await response.arrayBuffer()
    }
    times.push(performance.now() - started)
  }
  return { name: 'report per server per request (the list before)', servers: n, p95Ms: round(percentile(times, 0.95)) }
}

export async function benchList() {
  const dir = mkdtempSync(join(tmpdir(), 'mcpdir-list-'))
  const setups = []
  try {
    const results = { period: PERIOD, profile: full ? 'full' : 'quick', sizes: [] }
    for (const n of SIZES) setups.push(await setUp(dir, n))
    await measure(setups)
    results.baseline = await baseline(setups[0].app, SIZES[0])
    setups[0].result.speedupOverBaseline = round(results.baseline.p95Ms / setups[0].result.coldP95Ms)
    for (const { n, result } of setups) {
      results.sizes.push(result)
      process.stderr.write(`list ${n}: ${JSON.stringify(result)}\n`)
    }
    process.stderr.write(`list baseline: ${JSON.stringify(results.baseline)}\n`)
    // the 10× ratio: 1 000 against 100 servers (quick: 200 against 20)
    const [small, large] = [results.sizes[0], results.sizes[1]]
    results.ratio = { servers: `${large.servers} / ${small.servers}`, coldP95: round(large.coldP95Ms / small.coldP95Ms), coldP50: round(large.coldP50Ms / small.coldP50Ms), target: 2 }
    const largest = results.sizes.at(-1)
    results.target = { servers: largest.servers, coldP95Ms: largest.coldP95Ms, budgetMs: 50, met: largest.coldP95Ms <= 50 && results.ratio.coldP95 <= 2 }
    return results
  } finally {
    for (const { app, store } of setups) {
      app.stop()
      await store.close()
    }
    rmSync(dir, { recursive: true, force: true })
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) console.log(JSON.stringify(await benchList(), null, 2))
