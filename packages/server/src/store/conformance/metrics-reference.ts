// Through the service, property-based: random points (single values and pre-aggregated windows) over several
// days for a few series, some sent late, with rollups and retention running at random moments between batches. Every
// period's report must equal one computed from the raw observations directly: counts, sums, min, max and last
// exactly, percentiles within the sketch's accuracy; calls and breakdowns too. Re-aggregating every day the
// points touched (twice) must change nothing.
import { type MetricsFetchResponse, nearestRank, type Period, PERIODS, Sketch, SKETCH_RELATIVE_ACCURACY } from '@mcpdir/metrics/protocol'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { registerServer } from '../../credentials/server-credentials'
import { applyRetention } from '../../query/retention'
import { periodWindow } from '../../query/server-report'
import { ADMIN, DAY, type Env, fetchMetrics, type Harness, MIN, send, T0 } from './harness'

/** One observation window of one series: its values, and when it is sent (late ones well after). */
interface Sent {
  series: number
  values: number[]
  timestamp: number
  sentAt: number
}

/** The series points are drawn from: the MCP tool metrics (so calls and breakdowns are checked) and a gauge. */
const SERIES: readonly { name: string; type: 'counter' | 'gauge' | 'timer'; tags: Readonly<Record<string, string>> }[] = [
  { name: 'mcp.tool.calls', type: 'counter', tags: { tool: 'search', outcome: 'ok' } },
  { name: 'mcp.tool.calls', type: 'counter', tags: { tool: 'fetch', outcome: 'error' } },
  { name: 'mcp.tool.duration', type: 'timer', tags: { tool: 'search', outcome: 'ok' } },
  { name: 'mcp.tool.duration', type: 'timer', tags: { tool: 'fetch', outcome: 'error' } },
  { name: 'memory', type: 'gauge', tags: {} },
]

/**
 * Nearly the oldest age ingest accepts (7 days less an hour): T0 is a Tuesday noon, so the span reaches back into
 * the week before the current one (weeks run Thursday to Thursday), which the 30d and 90d reports read from the
 * `1w` tier.
 */
const SPAN = 6 * DAY + 20 * 60 * MIN
/** Quarters: sums come out exact whatever the order of addition. */
const value = fc.integer({ min: 0, max: 400_000 }).map((v) => v / 4)
const observation = fc.record({
  series: fc.integer({ min: 0, max: SERIES.length - 1 }),
  values: fc.array(value, { minLength: 1, maxLength: 4 }),
  // many in the last half hour (batches then merge into the same 1-minute rows), the rest over the span
  age: fc.oneof(
    { weight: 3, arbitrary: fc.tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 59_999 })).map(([m, ms]) => m * MIN + ms) },
    { weight: 2, arbitrary: fc.integer({ min: 0, max: SPAN }) },
  ),
  late: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 40 * 60 * MIN }) }),
})
const scenario = fc.record({
  observations: fc.array(observation, { minLength: 1, maxLength: 40 }),
  /** After which batches the rollup job runs, and retention (so late points find their finer tiers purged). */
  rollAfter: fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
  retainAfter: fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
})

/** A point on the wire: a single value, or a window with its sketch. */
function wirePoint(o: Sent) {
  const { name, type, tags } = SERIES[o.series] as (typeof SERIES)[number]
  if (o.values.length === 1 || type === 'counter') {
    if (type === 'counter') return { name, type, tags, timestamp: o.timestamp, count: o.values.length, sum: o.values.reduce((a, b) => a + b, 0) }
    return { name, type, tags, timestamp: o.timestamp, value: o.values[0] as number }
  }
  const sorted = [...o.values].sort((a, b) => a - b)
  const base = { name, type, tags, timestamp: o.timestamp, count: o.values.length, sum: o.values.reduce((a, b) => a + b, 0), min: sorted[0] as number, max: sorted.at(-1) as number }
  return type === 'timer' ? { ...base, sketch: Sketch.of(o.values).toJSON() } : { ...base, last: o.values.at(-1) as number }
}

const round = (v: number) => Math.round(v * 1e6) / 1e6

/** The reference: what a bucket of `name` over [from, to) holds, straight from the observations. */
function reference(sent: readonly Sent[], name: string, from: number, to: number) {
  const hits = sent.filter((o) => SERIES[o.series]?.name === name && o.timestamp >= from && o.timestamp < to)
  if (hits.length === 0) return null
  const type = SERIES[hits[0]?.series as number]?.type
  const values = hits.flatMap((o) => o.values)
  const sum = values.reduce((a, b) => a + b, 0)
  if (type === 'counter') return { count: values.length, sum }
  const sorted = [...values].sort((a, b) => a - b)
  const latest = hits.reduce((a, b) => (b.timestamp > a.timestamp ? b : a))
  const base = { count: values.length, sum, min: sorted[0] as number, max: sorted.at(-1) as number, avg: round(sum / values.length) }
  if (type === 'gauge') return { ...base, last: latest.values.at(-1) as number }
  const q = (p: number) => sorted[nearestRank(p, sorted.length) - 1] as number
  return { ...base, p50: q(0.5), p95: q(0.95), p99: q(0.99) }
}

/** Compares a report's values with the reference's: percentiles within the sketch's accuracy, the rest exactly. */
function expectValues(report: object | null | undefined, expected: Record<string, number> | null, where: string) {
  const actual = report as Record<string, number | undefined> | null | undefined
  if (expected === null) {
    expect(actual ?? null, where).toBeNull()
    return
  }
  const { p50, p95, p99, ...exact } = expected
  const { p50: a50, p95: a95, p99: a99, ...rest } = actual ?? {}
  expect(rest, where).toEqual(exact)
  for (const [estimate, truth] of [
    [a50, p50],
    [a95, p95],
    [a99, p99],
  ] as const) {
    if (truth === undefined) continue
    expect(Math.abs((estimate as number) - truth), where).toBeLessThanOrEqual(SKETCH_RELATIVE_ACCURACY * truth + 1e-6)
  }
}

/** Every section of a report checked against the observations. */
function expectReport(body: MetricsFetchResponse, sent: readonly Sent[], period: Period) {
  const w = periodWindow(period, T0)
  const names = [...new Set(sent.filter((o) => o.timestamp >= w.previousFrom && o.timestamp < w.to).map((o) => SERIES[o.series]?.name as string))].sort()
  expect(body.metrics.map((m) => m.name), period).toEqual(names)
  for (const series of body.metrics) {
    const where = `${period} ${series.name}`
    const starts = [...new Set(sent.filter((o) => SERIES[o.series]?.name === series.name && o.timestamp >= w.from && o.timestamp < w.to).map((o) => Math.floor(o.timestamp / w.bucketMs) * w.bucketMs))]
    expect(series.buckets.map((b) => b.t), where).toEqual(starts.sort((a, b) => a - b))
    for (const { t, ...bucket } of series.buckets) expectValues(bucket, reference(sent, series.name, t, t + w.bucketMs), `${where} @${t}`)
    expectValues(series.summary, reference(sent, series.name, w.from, w.to), `${where} summary`)
    expectValues(series.previous, reference(sent, series.name, w.previousFrom, w.from), `${where} previous`)
  }
  const calls = (from: number, to: number, tool?: string) =>
    sent
      .filter((o) => SERIES[o.series]?.name === 'mcp.tool.calls' && o.timestamp >= from && o.timestamp < to && (!tool || SERIES[o.series]?.tags.tool === tool))
      .reduce((n, o) => n + o.values.reduce((a, b) => a + b, 0), 0)
  expect(body.calls.summary.calls, period).toBe(calls(w.from, w.to))
  expect(body.calls.previous.calls, period).toBe(calls(w.previousFrom, w.from))
  expect(body.calls.summary.errors, period).toBe(calls(w.from, w.to, 'fetch'))
  expect(Object.fromEntries(body.breakdowns.tools.map((t) => [t.key, [t.calls, t.errors]])), period).toEqual(
    Object.fromEntries(
      ['search', 'fetch']
        .filter((tool) => sent.some((o) => SERIES[o.series]?.tags.tool === tool && o.timestamp >= w.from && o.timestamp < w.to))
        .map((tool) => [tool, [calls(w.from, w.to, tool), tool === 'fetch' ? calls(w.from, w.to, tool) : 0]]),
    ),
  )
}

type Scenario = typeof scenario extends fc.Arbitrary<infer S> ? S : never

let runs = 0

/** Sends a scenario to a new server, in the order its batches go out; answers what was sent. */
async function play(e: Env, serverId: string, input: Scenario) {
  const used = new Set<number>()
  const sent: Sent[] = input.observations.map((o) => {
    let timestamp = T0 - o.age
    while (used.has(timestamp)) timestamp -= 1 // distinct times, so "last" is well defined
    used.add(timestamp)
    return { series: o.series, values: o.values, timestamp, sentAt: Math.min(T0, timestamp + o.late) }
  })
  const order = [...sent].sort((a, b) => a.sentAt - b.sentAt)
  for (let i = 0; i < order.length; i += 3) {
    const batch = order.slice(i, i + 3)
    e.clock.now = (batch.at(-1) as Sent).sentAt
    await send(e, serverId, { metrics: batch.map(wirePoint) as never })
    if (input.rollAfter[i % input.rollAfter.length]) await e.app.deps.rollups.runPending()
    if (input.retainAfter[i % input.retainAfter.length]) await applyRetention(e.store, () => e.clock.now, e.app.deps.config.retention)
  }
  e.clock.now = T0
  return sent
}

export function metricsReferenceTests(h: Harness) {
  describe('reports against the raw observations, property-based', () => {
    it('answer every period exactly as the raw points do, late data included; re-aggregating changes nothing', async () => {
      const e = await h.setup()
      const reports = async (serverId: string) => {
        const out: Partial<Record<Period, MetricsFetchResponse>> = {}
        for (const period of PERIODS) out[period] = (await fetchMetrics(e, `server_id=${serverId}&period=${period}`)).body
        return out
      }
      await fc.assert(
        fc.asyncProperty(scenario, async (input) => {
          const serverId = `ref-${++runs}`
          e.clock.now = T0 - SPAN - DAY
          e.creds[serverId] = await registerServer(e.store, { id: serverId }, e.clock.now)
          const sent = await play(e, serverId, input)
          const before = await reports(serverId)
          for (const period of PERIODS) expectReport(before[period] as MetricsFetchResponse, sent, period)
          for (let round = 0; round < 2; round++) {
            for (const day of new Set(sent.map((o) => new Date(Math.floor(o.timestamp / DAY) * DAY).toISOString().slice(0, 10)))) {
              const response = await e.app.request('/functions/v1/metrics-aggregate', {
                method: 'POST',
                headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
                body: JSON.stringify({ date: day }),
              })
              expect(response.status).toBe(200)
            }
            expect(await reports(serverId)).toEqual(before)
          }
          await e.store.deleteServer(serverId) // the next run's re-aggregation need not walk this one
        }),
        { numRuns: e.store.kind === 'sqlite' ? 25 : 8, endOnFailure: true },
      )
    }, 240_000)
  })
}
