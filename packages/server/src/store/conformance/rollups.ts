// Through the service: rollups against a brute-force reference computed from the raw points, bucket
// boundaries, late data, idempotent re-aggregation and retention.
import { type MetricsFetchResponse, nearestRank, PERIOD_SPECS, PERIODS, SKETCH_RELATIVE_ACCURACY, TIERS } from '@mcpdir/metrics/protocol'
import { describe, expect, it } from 'vitest'
import { applyRetention } from '../../query/retention'
import { ADMIN, DAY, fetchMetrics, type Harness, HOUR, MIN, send, T0 } from './harness'

/** mulberry32: small, seeded, uniform. */
function seededRandom(seed: number) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

interface RawPoint {
  name: string
  type: 'counter' | 'gauge' | 'timer'
  value: number
  timestamp: number
  tags?: Record<string, string>
}

/** The reference: each bucket computed directly from the raw observations. */
function reference(points: RawPoint[], name: string, from: number, to: number) {
  const values = points.filter((p) => p.name === name && p.timestamp >= from && p.timestamp < to)
  if (values.length === 0) return undefined
  const sorted = values.map((p) => p.value).sort((a, b) => a - b)
  const latest = values.reduce((a, b) => (b.timestamp >= a.timestamp ? b : a))
  const q = (p: number) => sorted[nearestRank(p, sorted.length) - 1] as number
  return {
    count: values.length,
    sum: values.reduce((n, p) => n + p.value, 0),
    min: sorted[0] as number,
    max: sorted.at(-1) as number,
    last: latest.value,
    p50: q(0.5),
    p95: q(0.95),
    p99: q(0.99),
  }
}

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b))
const withinSketch = (estimate: number | undefined, exact: number) =>
  estimate !== undefined && Math.abs(estimate - exact) <= SKETCH_RELATIVE_ACCURACY * Math.abs(exact) + 1e-9

export function rollupTests(h: Harness) {
  describe('rollups against a brute-force reference', () => {
    it('agree for every type and period: counters exact, gauges exact, timer percentiles within 1 %', async () => {
      const e = await h.setup()
      // 600 points spread evenly over the last 36 hours, at distinct milliseconds (so "last" is well defined)
      const random = seededRandom(42)
      const kinds = ['counter', 'gauge', 'timer'] as const
      const ages = new Set<number>()
      while (ages.size < 600) ages.add(Math.floor(random() * 36 * HOUR))
      const raw: RawPoint[] = [...ages].map((age, i) => {
        const type = kinds[i % 3] as RawPoint['type']
        const value = type === 'counter' ? 1 + Math.floor(random() * 20) : Math.round(random() * 500_000) / 100
        return { name: `m.${type}`, type, value, timestamp: T0 - age, tags: { shard: ['a', 'b', 'c'][i % 3] as string } }
      })
      for (let i = 0; i < raw.length; i += 50) {
        await send(e, 'pub', { metrics: raw.slice(i, i + 50).map((p) => ({ ...p })) })
      }
      for (const period of PERIODS) {
        const { body } = await fetchMetrics(e, `server_id=pub&period=${period}`)
        expect(body?.tier).toBe(PERIOD_SPECS[period].tier)
        for (const series of body?.metrics ?? []) {
          for (const bucket of series.buckets) {
            const ref = reference(raw, series.name, bucket.t, bucket.t + (body?.bucket_ms as number))
            expect(ref, `${period} ${series.name} ${bucket.t}`).toBeDefined()
            if (!ref) continue
            expect(bucket.count).toBe(ref.count)
            expect(close(bucket.sum, ref.sum)).toBe(true)
            if (series.type === 'counter') {
              expect(bucket.avg).toBeUndefined()
              continue
            }
            expect(bucket.min).toBe(ref.min)
            expect(bucket.max).toBe(ref.max)
            expect(close(bucket.avg as number, ref.sum / ref.count)).toBe(true)
            if (series.type === 'gauge') expect(bucket.last).toBe(ref.last)
            if (series.type === 'timer') {
              expect(withinSketch(bucket.p50, ref.p50)).toBe(true)
              expect(withinSketch(bucket.p95, ref.p95)).toBe(true)
              expect(withinSketch(bucket.p99, ref.p99)).toBe(true)
            }
          }
          const whole = reference(raw, series.name, body!.from, body!.to)
          expect(series.summary?.count).toBe(whole?.count)
          const covered = series.buckets.reduce((n, b) => n + b.count, 0)
          expect(covered).toBe(whole?.count)
        }
      }
    })

    it('puts points on bucket boundaries in the bucket they start, and the millisecond before in the previous', async () => {
      const e = await h.setup()
      const boundary = Math.floor(T0 / (5 * MIN)) * 5 * MIN - 10 * MIN
      await send(e, 'pub', {
        metrics: [
          { name: 'edge', type: 'counter', value: 1, timestamp: boundary },
          { name: 'edge', type: 'counter', value: 10, timestamp: boundary - 1 },
          { name: 'edge', type: 'counter', value: 100, timestamp: boundary + 5 * MIN - 1 },
        ],
      })
      const { body } = await fetchMetrics(e, 'server_id=pub&period=6h')
      const buckets = body?.metrics.find((m) => m.name === 'edge')?.buckets
      expect(buckets).toEqual([
        { t: boundary - 5 * MIN, count: 1, sum: 10 },
        { t: boundary, count: 2, sum: 101 },
      ])
    })
  })

  describe('late data, re-aggregation and retention', () => {
    it('lands late points in their own buckets, and re-aggregating is idempotent', async () => {
      const e = await h.setup()
      await send(e, 'pub', { metrics: [{ name: 'c', type: 'counter', value: 5, timestamp: T0 - 30 * MIN }] })
      const before = (await fetchMetrics(e, 'server_id=pub&period=1d')).body
      e.clock.now += 3 * HOUR
      await send(e, 'pub', { metrics: [{ name: 'c', type: 'counter', value: 7, timestamp: T0 - 30 * MIN + 1 }] })
      const after = (await fetchMetrics(e, 'server_id=pub&period=1d')).body
      const bucketOf = (b: MetricsFetchResponse | undefined) => b?.metrics.find((m) => m.name === 'c')?.buckets
      expect(bucketOf(before)).toEqual([{ t: T0 - 30 * MIN, count: 1, sum: 5 }])
      expect(bucketOf(after)).toEqual([{ t: T0 - 30 * MIN, count: 2, sum: 12 }])

      const aggregate = () =>
        e.app.request('/functions/v1/metrics-aggregate', {
          method: 'POST',
          headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
          body: JSON.stringify({ date: '2026-03-10' }),
        })
      const first = (await (await aggregate()).json()) as Record<string, unknown>
      expect(first).toMatchObject({ success: true, date: '2026-03-10', metrics_aggregated: 1, retention_days: 7 })
      const rows = () =>
        e.sql('SELECT s.name, d.bucket, d.sum, d.count, d.min, d.max, d.last, d.last_ts FROM rollup_1d d JOIN series s ON s.id = d.series_id ORDER BY s.name')
      const daily = await rows()
      expect(daily.map((r) => ({ ...r, bucket: Number(r.bucket), last_ts: Number(r.last_ts) }))).toEqual([
        { name: 'c', bucket: Date.parse('2026-03-10T00:00:00Z'), sum: 12, count: 2, min: 5, max: 7, last: 7, last_ts: T0 - 30 * MIN + 1 },
      ])
      await aggregate()
      expect(await rows()).toEqual(daily)
      expect(bucketOf((await fetchMetrics(e, 'server_id=pub&period=1d')).body)).toEqual(bucketOf(after))
    })

    it("a read rolls up its own server's dirty minutes, waiting for a run already doing them, and leaves the rest", async () => {
      const e = await h.setup()
      for (const id of ['pub', 'other']) await send(e, id, { metrics: [{ name: 'c', type: 'counter', value: 2, timestamp: T0 - 3 * HOUR }] })
      // a background run is rolling up both servers' minutes when the read arrives: the read waits for it
      const background = e.app.deps.rollups.runPending()
      const { body } = await fetchMetrics(e, 'server_id=pub&period=7d')
      await background
      expect(body?.metrics.find((m) => m.name === 'c')?.summary).toEqual({ count: 1, sum: 2 })
      // with no run in progress, a read takes only its server's minutes; the other server's stay for the next run
      for (const id of ['pub', 'other']) await send(e, id, { metrics: [{ name: 'c', type: 'counter', value: 5, timestamp: T0 - 2 * HOUR }] })
      const again = (await fetchMetrics(e, 'server_id=pub&period=7d')).body
      expect(again?.metrics.find((m) => m.name === 'c')?.summary).toEqual({ count: 2, sum: 7 })
      expect(await e.store.takeDirtyMinutes(100)).toEqual([{ serverId: 'other', minute: T0 - 2 * HOUR }])
    })

    it('purges each tier after its retention, keeping day rollups, and never recomputes from purged data', async () => {
      const e = await h.setup()
      for (let h = 0; h < 5; h++) await send(e, 'pub', { metrics: [{ name: 'c', type: 'counter', value: 1, timestamp: T0 - h * HOUR }] })
      await fetchMetrics(e, 'server_id=pub&period=1d') // rolls the dirty minutes up: every tier, with its chart rows
      const count = async (table: string) => Number((await e.sql(`SELECT count(*) AS n FROM ${table}`))[0]?.n)
      const charts = async (tier: string) => Number((await e.sql(`SELECT count(*) AS n FROM chart_blocks WHERE tier = '${tier}'`))[0]?.n)
      expect(await count('metric_blocks')).toBe(5)
      expect(await count('rollup_1m')).toBe(5)
      // one series here: a chart row per tier row
      for (const tier of TIERS) expect(await charts(tier), tier).toBe(await count(`rollup_${tier}`))
      expect(await charts('1m')).toBe(5)
      e.clock.now += 3 * DAY
      const deleted = await applyRetention(e.store, () => e.clock.now, e.app.deps.config.retention)
      expect(deleted).toMatchObject({ '1m': 5, '5m': 5, '15m': 5 })
      expect(await count('metric_blocks')).toBe(5)
      // each tier's chart rows go with its rows
      for (const tier of TIERS) expect(await charts(tier), tier).toBe(await count(`rollup_${tier}`))
      expect(await charts('1m')).toBe(0)
      expect(await charts('5m')).toBe(0)
      expect(await charts('1h')).toBe(5)
      e.clock.now += 5 * DAY
      expect(await applyRetention(e.store, () => e.clock.now, e.app.deps.config.retention)).toMatchObject({ raw: 5 })
      expect(await count('rollup_1h')).toBe(5)
      expect(await count('rollup_6h')).toBe(2)
      // re-aggregating that day now finds no raw points and leaves the rollups as they are
      await e.app.deps.rollups.reaggregateDay(Date.parse('2026-03-10T00:00:00Z'))
      const { body } = await fetchMetrics(e, 'server_id=pub&period=30d')
      expect(body?.metrics.find((m) => m.name === 'c')?.summary).toEqual({ count: 5, sum: 5 })
      const ninety = (await fetchMetrics(e, 'server_id=pub&period=90d')).body
      expect(ninety?.metrics.find((m) => m.name === 'c')?.summary).toEqual({ count: 5, sum: 5 })
    })
  })
}
