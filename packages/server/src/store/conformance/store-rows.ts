// The store directly: rows read back (raw points, every tier, the metric-name filter) and dirty minutes.
import { TIER_MS, TIERS, type Tier } from '@mcpdir/metrics/protocol'
import { describe, expect, it } from 'vitest'
import type { AggregateRow } from '../../query/aggregations'
import { credentials, DAY, type Harness, HOUR, MIN, newServer, point, sharedStore, T0 } from './harness'

const DAY0 = Date.parse('2026-03-01T00:00:00Z')
/** Where each tier's test rows start, and its bucket length. */
const at = (tier: Tier) => ({ start: tier === 'day' ? DAY0 : T0, ms: TIER_MS[tier] })

const row = (name: string, bucket: number, value = 1): AggregateRow => ({
  name,
  type: 'counter',
  tags: '{}',
  bucket,
  count: 1,
  sum: value,
  min: value,
  max: value,
  last: value,
  lastTs: bucket,
  sketch: null,
})

export function storeRowsTests(h: Harness) {
  describe('the store itself: rows read back', () => {
    const under = sharedStore(h)
    const names = (rows: AggregateRow[]) => rows.map((r) => r.name).sort()

    it('filters rows by metric name in every tier, the day tier too', async () => {
      const { store } = under
      await store.createServer(newServer('rows'), credentials('rows'), T0)
      const metrics = ['a', 'b', 'c', 'we"ird\\name']
      for (const tier of TIERS) {
        const { start, ms } = at(tier)
        const rows = metrics.flatMap((name) => [row(name, start), row(name, start + ms)])
        await store.replaceTierRows('rows', tier, start, start + 2 * ms, rows)
        const read = (only?: string[]) => store.tierRows('rows', tier, start, start + 2 * ms, only)
        expect(names(await read()), tier).toEqual(names(rows))
        expect(names(await read(['a', 'we"ird\\name'])), tier).toEqual(['a', 'a', 'we"ird\\name', 'we"ird\\name'])
        expect(await read(['nothing']), tier).toEqual([])
        expect(await read([]), tier).toEqual([])
      }
    })

    it('reads the rows whose bucket lies in [from, to), at every tier, also for bounds inside a bucket', async () => {
      const { store } = under
      await store.createServer(newServer('bounds'), credentials('bounds'), T0)
      for (const tier of TIERS) {
        const { start, ms } = at(tier)
        await store.replaceTierRows('bounds', tier, start, start + 3 * ms, [row('x', start, 1), row('x', start + ms, 2), row('x', start + 2 * ms, 3)])
        const sums = async (from: number, to: number) => (await store.tierRows('bounds', tier, from, to)).map((r) => r.sum).sort()
        expect(await sums(start, start + 2 * ms), tier).toEqual([1, 2])
        expect(await sums(start + 1, start + 2 * ms + 1), tier).toEqual([2, 3])
        expect(await sums(start - 1, start + 1), tier).toEqual([1])
        expect(await sums(start + 1, start + ms), tier).toEqual([])
      }
      expect((await store.tierRows('bounds', 'day', DAY0, DAY0 + DAY))[0]?.bucket).toBe(DAY0)
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

    it('hands dirty minutes out oldest first, by server within a minute, and marks them again on request', async () => {
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
      expect((await store.takeDirtyMinutes(10)).filter((d) => d.serverId.startsWith('d-'))).toHaveLength(4)
    })
  })
}
