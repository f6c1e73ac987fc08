// The store directly: rows read back (raw points, every tier, the metric-name filter), ingest's merge into
// 1-minute rows, tier rebuilds and their chart rows, series across a server's deletion, and dirty minutes.
import { bucketStart, type MetricPoint, Sketch, TIER_MS, TIERS, type Tier } from '@mcpdir/metrics/protocol'
import { describe, expect, it } from 'vitest'
import type { AggregateRow } from '../../query/aggregations'
import { expectChartOf, mergedBy } from './chart-reference'
import { credentials, DAY, type Harness, HOUR, MIN, newServer, point, sharedStore, T0 } from './harness'

/** A day start: every tier's buckets align on it. */
const DAY0 = Date.parse('2026-03-01T00:00:00Z')

/** What a test compares of a row: its series and numbers, the sketch as JSON. */
const plain = (r: AggregateRow) => ({
  name: r.series.name,
  type: r.series.type,
  tags: r.series.tags,
  bucket: r.bucket,
  count: r.count,
  sum: r.sum,
  min: r.min,
  max: r.max,
  last: r.last,
  lastTs: r.lastTs,
  sketch: r.sketch && Sketch.fromBytes(r.sketch).toJSON(),
})

const timer = (values: number[], timestamp: number, tags: Record<string, string> = {}): MetricPoint => {
  const sorted = [...values].sort((a, b) => a - b)
  return {
    name: 't',
    type: 'timer',
    tags,
    timestamp,
    count: values.length,
    sum: values.reduce((a, b) => a + b, 0),
    min: sorted[0] as number,
    max: sorted.at(-1) as number,
    last: values.at(-1) as number,
    sketch: Sketch.of(values).toJSON(),
  }
}

export function storeRowsTests(h: Harness) {
  describe('the store itself: rows read back', () => {
    const under = sharedStore(h)
    const names = (rows: AggregateRow[]) => rows.map((r) => r.series.name).sort()

    it('filters rows by metric name in every tier', async () => {
      const { store } = under
      const metrics = ['a', 'b', 'c', 'we"ird\\name']
      for (const tier of TIERS) {
        const id = `rows-${tier}`
        const ms = TIER_MS[tier]
        const start = bucketStart(DAY0, ms)
        await store.createServer(newServer(id), credentials(id), T0)
        await store.ingest(id, `${id}-1`, metrics.flatMap((name) => [point(1, start, name), point(1, start + ms, name)]), [], T0, T0 - DAY)
        if (tier !== '1m') expect(await store.rebuildTier(id, tier, start, start + 2 * ms, 'raw')).toBe(8)
        const read = (only?: string[]) => store.tierRows(id, tier, start, start + 2 * ms, only)
        expect(names(await read()), tier).toEqual(names(await store.rawRows(id, start, start + 2 * ms)))
        expect(names(await read(['a', 'we"ird\\name'])), tier).toEqual(['a', 'a', 'we"ird\\name', 'we"ird\\name'])
        expect(await read(['nothing']), tier).toEqual([])
        expect(await read([]), tier).toEqual([])
      }
    })

    it('reads the rows whose bucket lies in [from, to), at every tier, also for bounds inside a bucket', async () => {
      const { store } = under
      for (const tier of TIERS) {
        const id = `bounds-${tier}`
        const ms = TIER_MS[tier]
        const start = bucketStart(DAY0, ms)
        await store.createServer(newServer(id), credentials(id), T0)
        await store.ingest(id, `${id}-1`, [point(1, start), point(2, start + ms + 5), point(3, start + 2 * ms + ms - 1)], [], T0, T0 - DAY)
        await store.rebuildTier(id, tier, start, start + 3 * ms, 'raw')
        const sums = async (from: number, to: number) => (await store.tierRows(id, tier, from, to)).map((r) => r.sum).sort()
        expect(await sums(start, start + 2 * ms), tier).toEqual([1, 2])
        expect(await sums(start + 1, start + 2 * ms + 1), tier).toEqual([2, 3])
        expect(await sums(start - 1, start + 1), tier).toEqual([1])
        expect(await sums(start + 1, start + ms), tier).toEqual([])
        expect((await store.tierRows(id, tier, start, start + 3 * ms)).map((r) => r.bucket).sort(), tier).toEqual([start, start + ms, start + 2 * ms])
      }
    })

    it('answers raw points in the order they were stored, not by time', async () => {
      const { store } = under
      await store.createServer(newServer('order'), credentials('order'), T0)
      await store.ingest('order', 'o-1', [point(1, T0 + 3), point(2, T0 + 1), point(3, T0 + 2)], [], T0, T0 - DAY)
      await store.ingest('order', 'o-2', [point(4, T0), point(5, T0 + 1), point(6, T0 + 3)], [], T0, T0 - DAY)
      expect((await store.rawRows('order', T0, T0 + MIN)).map((r) => r.sum)).toEqual([1, 2, 3, 4, 5, 6])
      expect((await store.rawRows('order', T0 + 1, T0 + 3)).map((r) => [r.sum, r.bucket, r.lastTs])).toEqual([
        [2, T0 + 1, T0 + 1],
        [3, T0 + 2, T0 + 2],
        [5, T0 + 1, T0 + 1],
      ])
    })

    it('merges each batch into its 1-minute rows exactly as a rebuild from the raw points makes them', async () => {
      const { store } = under
      const M0 = T0 + 3 * DAY // away from the minutes other tests mark dirty
      await store.createServer(newServer('merge'), credentials('merge'), T0)
      const gauge = (v: number, t: number): MetricPoint => ({ name: 'g', type: 'gauge', tags: { k: 'v' }, timestamp: t, count: 1, sum: v, min: v, max: v, last: v })
      // two timer points of one series and minute in one batch, the minute new: their sketches merge before any is stored
      await store.ingest('merge', 'm-1', [timer([5, 7.5], M0 + 10), gauge(3.3, M0 + 20), timer([100], M0 + MIN + 1), timer([42], M0 + 40)], [], M0, M0 - DAY)
      // a late gauge value earlier in the minute: not the last one
      await store.ingest('merge', 'm-2', [gauge(0.1, M0 + 5), timer([0.2, 9e6], M0 + 30), gauge(8.8, M0 + 59_999)], [], M0, M0 - DAY)
      // a replayed batch merges nothing
      expect(await store.ingest('merge', 'm-2', [gauge(0.1, M0 + 5)], [], M0, M0 - DAY)).toEqual({ duplicate: true, processed: 0 })
      const merged = (await store.tierRows('merge', '1m', M0, M0 + 2 * MIN)).map(plain)
      expect(merged.sort((a, b) => a.name.localeCompare(b.name) || a.bucket - b.bucket)).toEqual([
        { name: 'g', type: 'gauge', tags: { k: 'v' }, bucket: M0, count: 3, sum: 3.3 + 0.1 + 8.8, min: 0.1, max: 8.8, last: 8.8, lastTs: M0 + 59_999, sketch: null },
        { name: 't', type: 'timer', tags: {}, bucket: M0, count: 5, sum: 12.5 + 42 + 9000000.2, min: 0.2, max: 9e6, last: 42, lastTs: M0 + 40, sketch: Sketch.of([5, 7.5, 42, 0.2, 9e6]).toJSON() },
        { name: 't', type: 'timer', tags: {}, bucket: M0 + MIN, count: 1, sum: 100, min: 100, max: 100, last: 100, lastTs: M0 + MIN + 1, sketch: Sketch.of([100]).toJSON() },
      ])
      expect(await store.rebuildTier('merge', '1m', M0, M0 + 2 * MIN, 'raw')).toBe(3)
      const rebuilt = (await store.tierRows('merge', '1m', M0, M0 + 2 * MIN)).map(plain)
      expect(rebuilt.sort((a, b) => a.name.localeCompare(b.name) || a.bucket - b.bucket)).toEqual(merged)
    })

    it('rolls a tier up from a finer one as from the raw points, and leaves other servers alone', async () => {
      const { store } = under
      for (const id of ['roll-a', 'roll-b']) {
        await store.createServer(newServer(id), credentials(id), T0)
        const points = Array.from({ length: 40 }, (_, i) => timer([1 + i, 2 * i + 0.5], DAY0 + i * 11 * MIN + i, { shard: String(i % 3) }))
        await store.ingest(id, `${id}-1`, points, [], T0, T0 - DAY)
      }
      const rows = async (id: string, tier: Tier) => (await store.tierRows(id, tier, DAY0, DAY0 + DAY)).map(plain).sort((a, b) => a.bucket - b.bucket || JSON.stringify(a.tags).localeCompare(JSON.stringify(b.tags)))
      const chain: Tier[] = ['5m', '15m', '1h', '6h', '1d']
      for (const [i, tier] of chain.entries()) {
        for (let start = DAY0; start < DAY0 + DAY; start += TIER_MS[tier]) await store.rebuildTier('roll-a', tier, start, start + TIER_MS[tier], i === 0 ? '1m' : (chain[i - 1] as Tier))
        await store.rebuildTier('roll-b', tier, DAY0, DAY0 + DAY, 'raw')
        expect(await rows('roll-a', tier), tier).toEqual(await rows('roll-b', tier))
      }
      expect((await rows('roll-a', '1d')).reduce((n, r) => n + r.count, 0)).toBe(80)
      // rebuilding again changes nothing; a server with nothing in range keeps nothing
      await store.rebuildTier('roll-a', '1d', DAY0, DAY0 + DAY, '6h')
      expect(await rows('roll-a', '1d')).toEqual(await rows('roll-b', '1d'))
      expect(await store.rebuildTier('roll-a', '1h', DAY0 + DAY, DAY0 + DAY + HOUR, '15m')).toBe(0)
      expect(await store.rebuildTier('nobody', '1h', DAY0, DAY0 + HOUR, '15m')).toBe(0)
    })

    it('keeps a chart row per bucket and chart group of every tier, merging to what the tier rows merge to', async () => {
      const { store } = under
      const id = 'charts'
      await store.createServer(newServer(id), credentials(id), T0)
      const calls = (tool: string, outcome: string, v: number, t: number): MetricPoint => ({ name: 'mcp.tool.calls', type: 'counter', tags: { outcome, tool }, timestamp: t, count: v, sum: v, min: v, max: v, last: v })
      const gauge = (host: string, v: number, t: number): MetricPoint => ({ name: 'g', type: 'gauge', tags: { host }, timestamp: t, count: 1, sum: v, min: v, max: v, last: v })
      const points: MetricPoint[] = []
      for (let i = 0; i < 60; i++) {
        const t = DAY0 + i * 23 * MIN + i
        // two series of each name in every bucket
        for (const tool of [`tool-${i % 3}`, `tool-${(i + 1) % 3}`]) {
          points.push(calls(tool, ['ok', 'error', 'client_error', 'timeout', 'cancelled'][i % 5] as string, 1 + (i % 4), t))
          points.push(timer([1 + i, 2 * i + 0.5], t + 7, { tool, outcome: i % 2 ? 'ok' : 'error' }))
        }
        points.push(gauge('h-0', i / 4, t + 11), gauge('h-1', i / 2, t + 11))
      }
      await store.ingest(id, 'charts-1', points, [], T0, T0 - DAY)
      for (const tier of TIERS) {
        // the day's buckets, or the week holding it
        const from = bucketStart(DAY0, TIER_MS[tier])
        const to = Math.max(DAY0 + DAY, from + TIER_MS[tier])
        await store.rebuildTier(id, tier, from, to, 'raw')
        const tierRows = await store.tierRows(id, tier, from, to)
        const chart = await store.chartRows(id, tier, from, to)
        expectChartOf(chart, tierRows, tier)
        expect(chart.length, tier).toBeLessThan(tierRows.length)
        // merged per name and type over each bucket (what the chart shows) and over the whole range
        const strip = (m: ReturnType<typeof mergedBy>) => new Map([...m].map(([k, { firstId: _, ...v }]) => [k, v]))
        const byName = (r: AggregateRow) => `${r.bucket}|${r.series.name}|${r.series.type}`
        expect(strip(mergedBy(chart, byName)), tier).toEqual(strip(mergedBy(tierRows, byName)))
        expect(strip(mergedBy(chart, (r) => r.series.name)), tier).toEqual(strip(mergedBy(tierRows, (r) => r.series.name)))
        expect(new Set((await store.chartRows(id, tier, from, to, ['g'])).map((r) => r.series.name)), tier).toEqual(new Set(['g']))
        expect(await store.chartRows(id, tier, from, to, []), tier).toEqual([])
        // the next bucket alone: rows where points fell in it (1h and 6h), and no other bucket's
        const next = await store.chartRows(id, tier, from + TIER_MS[tier], from + 2 * TIER_MS[tier])
        expect(next.length > 0, tier).toBe(points.some((p) => p.timestamp >= from + TIER_MS[tier] && p.timestamp < from + 2 * TIER_MS[tier]))
        expect(next.every((r) => r.bucket === from + TIER_MS[tier]), tier).toBe(true)
      }
      // several spans at once: what each span's own read answers, together
      const spans = [
        { tier: '1m' as const, from: DAY0, to: DAY0 + 30 * MIN },
        { tier: '5m' as const, from: DAY0 + 30 * MIN, to: DAY0 + HOUR },
        { tier: '1h' as const, from: DAY0 + HOUR, to: DAY0 + 6 * HOUR },
        { tier: '6h' as const, from: DAY0 + 6 * HOUR, to: DAY0 + DAY },
      ]
      const sorted = (rows: AggregateRow[]) => rows.map(plain).sort((a, b) => a.bucket - b.bucket || a.name.localeCompare(b.name) || JSON.stringify(a.tags).localeCompare(JSON.stringify(b.tags)))
      for (const names of [undefined, ['g'], []]) {
        const each = async (read: 'tierRows' | 'chartRows') => (await Promise.all(spans.map((span) => store[read](id, span.tier, span.from, span.to, names)))).flat()
        const tierRows = await store.coverRows(id, spans, 'tier', names)
        const chartRows = await store.coverRows(id, spans, 'chart', names)
        expect(sorted(tierRows), String(names)).toEqual(sorted(await each('tierRows')))
        expect(sorted(chartRows), String(names)).toEqual(sorted(await each('chartRows')))
        // every span holds rows, so none of them is left out unseen
        if (names === undefined) {
          for (const span of spans) {
            for (const rows of [tierRows, chartRows]) expect(rows.some((r) => r.bucket >= span.from && r.bucket < span.to), span.tier).toBe(true)
          }
        }
      }
      expect(await store.coverRows(id, [], 'chart')).toEqual([])
      // the 1m tier's chart rows are packed from its rows as ingest left them, when asked (the rollup job asks)
      const minute = DAY0 + 3 * DAY
      await store.ingest(id, 'charts-m1', [gauge('h-0', 1, minute), gauge('h-1', 2, minute + 1)], [], T0, T0 - DAY)
      expect(await store.chartRows(id, '1m', minute, minute + MIN)).toEqual([])
      expect(await store.rebuildCharts(id, '1m', minute, minute + MIN)).toBe(1)
      await store.ingest(id, 'charts-m2', [gauge('h-0', 4, minute + 2)], [], T0, T0 - DAY)
      expect((await store.chartRows(id, '1m', minute, minute + MIN)).map((r) => r.sum)).toEqual([3])
      expect(await store.rebuildCharts(id, '1m', minute, minute + MIN)).toBe(1)
      expectChartOf(await store.chartRows(id, '1m', minute, minute + MIN), await store.tierRows(id, '1m', minute, minute + MIN), '1m packed')
      expect((await store.chartRows(id, '1m', minute, minute + MIN)).map((r) => r.sum)).toEqual([7])
      expect(await store.rebuildCharts('nobody', '1m', minute, minute + MIN)).toBe(0)
      // a bucket rebuilt from nothing loses its chart rows with its tier rows
      const later = DAY0 + 2 * DAY
      await store.ingest(id, 'charts-2', [gauge('h-0', 1, later)], [], T0, T0 - DAY)
      await store.rebuildTier(id, '1h', later, later + HOUR, 'raw')
      expect(await store.chartRows(id, '1h', later, later + HOUR)).toHaveLength(1)
      await store.rebuildTier(id, '1h', later, later + HOUR, '15m')
      expect(await store.chartRows(id, '1h', later, later + HOUR)).toEqual([])
    })

    it('purges a week with its last day, chart rows and all, so a week is never gone while days of it are kept', async () => {
      const { store } = under
      const id = 'week-purge'
      const week = bucketStart(DAY0, TIER_MS['1w'])
      await store.createServer(newServer(id), credentials(id), T0)
      await store.ingest(id, `${id}-1`, Array.from({ length: 7 }, (_, d) => point(d + 1, week + d * DAY + 5)), [], T0, T0 - DAY)
      for (let d = 0; d < 7; d++) await store.rebuildTier(id, '1d', week + d * DAY, week + (d + 1) * DAY, 'raw')
      await store.rebuildTier(id, '1w', week, week + TIER_MS['1w'], '1d')
      const kept = async () => ({
        days: (await store.tierRows(id, '1d', week, week + TIER_MS['1w'])).map((r) => r.sum),
        weeks: (await store.tierRows(id, '1w', week, week + TIER_MS['1w'])).map((r) => r.sum),
        weekCharts: (await store.chartRows(id, '1w', week, week + TIER_MS['1w'])).map((r) => r.sum),
      })
      expect(await kept()).toEqual({ days: [1, 2, 3, 4, 5, 6, 7], weeks: [28], weekCharts: [28] })
      // every day but the last past the cutoff: the days go, the week stays
      const purge = async (before: number) => {
        for (const tier of ['1d', '1w'] as const) while ((await store.purge(tier, before, 2)).rows > 0);
      }
      await purge(week + 6 * DAY)
      expect(await kept()).toEqual({ days: [7], weeks: [28], weekCharts: [28] })
      // the last day's start past it too: both go
      await purge(week + 6 * DAY + 1)
      expect(await kept()).toEqual({ days: [], weeks: [], weekCharts: [] })
    })

    it('forgets a deleted server\'s series: created again with the same id, it starts empty', async () => {
      const { store } = under
      for (let round = 0; round < 3; round++) {
        await store.createServer(newServer('again'), credentials(`again-${round}`), T0)
        await store.ingest('again', `again-${round}`, [point(round + 1, T0), point(10, T0 + 1, 'other')], [], T0, T0 - DAY)
        const rows = await store.tierRows('again', '1m', T0, T0 + MIN)
        expect(rows.map((r) => [r.series.name, r.sum]).sort(), `round ${round}`).toEqual([
          ['c', round + 1],
          ['other', 10],
        ])
        expect(await store.rawRows('again', T0, T0 + MIN)).toHaveLength(2)
        expect(await store.deleteServer('again')).toBe(true)
        expect(await store.tierRows('again', '1m', T0, T0 + MIN)).toEqual([])
      }
    })

    it('hands dirty minutes out oldest first, by server within a minute, marks them again on request, and names the servers with points', async () => {
      const { store } = under
      await store.takeDirtyMinutes(1_000)
      for (const id of ['d-b', 'd-a']) {
        await store.createServer(newServer(id), credentials(id), T0)
        await store.ingest(id, `${id}-1`, [point(1, T0 + MIN), point(2, T0 + 5)], [], T0, T0 - DAY)
      }
      expect(await store.takeDirtyMinutes(3)).toEqual([
        { serverId: 'd-a', minute: T0 },
        { serverId: 'd-b', minute: T0 },
        { serverId: 'd-a', minute: T0 + MIN },
      ])
      expect(await store.takeDirtyMinutes(3)).toEqual([{ serverId: 'd-b', minute: T0 + MIN }])
      expect(await store.takeDirtyMinutes(3)).toEqual([])
      expect(await store.markDirtyMinutes('d-a', T0, T0 + HOUR)).toBe(2)
      expect(await store.markDirtyMinutes(undefined, T0, T0 + HOUR)).toBe(3) // d-b, and the points of "order"
      expect(await store.markDirtyMinutes(undefined, T0, T0 + HOUR)).toBe(0)
      // one server's minutes alone, as a read takes them, leaving the others for the background run
      expect(await store.takeDirtyMinutes(10, 'd-b')).toEqual([
        { serverId: 'd-b', minute: T0 },
        { serverId: 'd-b', minute: T0 + MIN },
      ])
      expect((await store.takeDirtyMinutes(10)).filter((d) => d.serverId.startsWith('d-'))).toEqual([
        { serverId: 'd-a', minute: T0 },
        { serverId: 'd-a', minute: T0 + MIN },
      ])
      expect(await store.serversWithPoints(T0, T0 + HOUR)).toEqual(['d-a', 'd-b', 'order'])
      expect(await store.serversWithPoints(T0 + HOUR, T0 + 2 * HOUR)).toEqual([])
    })
  })
}
