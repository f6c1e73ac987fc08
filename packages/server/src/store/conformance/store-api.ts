// The store directly: servers, credentials, batch dedupe, concurrency, settings and salts, purge.
import { describe, expect, it } from 'vitest'
import { StoreClosedError } from '../store'
import { credentials, DAY, type Harness, HOUR, MIN, newServer, point, sharedStore, T0 } from './harness'

export function storeApiTests(h: Harness) {
  describe('the store itself: servers, credentials, batches, settings', () => {
    const under = sharedStore(h)

    it('creates, lists, disables and deletes servers; refuses a taken id', async () => {
      const { store } = under
      await store.createServer({ id: 'b-server', name: 'B', isPrivate: true, requireSignature: false }, credentials('b'), T0)
      await store.createServer({ id: 'a-server', name: 'A', isPrivate: false, requireSignature: true }, credentials('a'), T0)
      await expect(store.createServer({ id: 'a-server', name: 'again', isPrivate: false, requireSignature: true }, credentials('a2'), T0)).rejects.toThrow('already exists')
      expect((await store.listServers()).map((s) => s.id)).toEqual(['a-server', 'b-server'])
      expect(await store.getServer('b-server')).toEqual({ id: 'b-server', name: 'B', isPrivate: true, requireSignature: false, disabled: false, createdAt: T0, lastReceivedAt: null, rollupVersion: 0 })
      expect(await store.setServerDisabled('b-server', true)).toBe(true)
      expect((await store.getServer('b-server'))?.disabled).toBe(true)
      expect(await store.deleteServer('b-server')).toBe(true)
      expect(await store.deleteServer('b-server')).toBe(false)
      expect(await store.getServer('b-server')).toBeUndefined()
    })

    it('keeps rotated keys and secrets valid for the grace period only', async () => {
      const { store } = under
      await store.createServer({ id: 'rot', name: 'R', isPrivate: false, requireSignature: true }, credentials('r1'), T0)
      expect(await store.findServerByKey('ingest', 'ingest-r1', T0)).toBe('rot')
      expect(await store.findServerByKey('read', 'ingest-r1', T0)).toBeUndefined()
      await store.rotateCredentials('rot', credentials('r2'), T0 + HOUR, T0)
      expect(await store.findServerByKey('ingest', 'ingest-r1', T0 + HOUR - 1)).toBe('rot')
      expect(await store.findServerByKey('ingest', 'ingest-r1', T0 + HOUR)).toBeUndefined()
      expect(await store.findServerByKey('ingest', 'ingest-r2', T0 + DAY)).toBe('rot')
      expect(await store.signingSecrets('rot', T0)).toEqual(['whsec_r2', 'whsec_r1'])
      expect(await store.signingSecrets('rot', T0 + HOUR)).toEqual(['whsec_r2'])
      expect(await store.rotateCredentials('nobody', credentials('x'), T0, T0)).toBe(false)
    })

    it('stores a batch sent many times at once exactly once, and again after the dedupe window', async () => {
      const { store } = under
      await store.createServer({ id: 'dup', name: 'D', isPrivate: false, requireSignature: true }, credentials('d'), T0)
      const results = await Promise.all(Array.from({ length: 8 }, () => store.ingest('dup', 'batch-1', [point(5)], [], T0, T0 - DAY)))
      expect(results.filter((r) => !r.duplicate)).toEqual([{ duplicate: false, processed: 1 }])
      expect(await store.rawRows('dup', T0 - HOUR, T0 + HOUR)).toHaveLength(1)
      const later = T0 + DAY + 1
      expect(await store.ingest('dup', 'batch-1', [point(5)], [], later, later - DAY)).toEqual({ duplicate: false, processed: 1 })
      expect((await store.getServer('dup'))?.lastReceivedAt).toBe(later)
    })

    it('takes many concurrent batches with exact totals, and hands each dirty minute out once', async () => {
      const { store } = under
      await store.createServer({ id: 'many', name: 'M', isPrivate: false, requireSignature: true }, credentials('m'), T0)
      await Promise.all(Array.from({ length: 40 }, (_, i) => store.ingest('many', `b-${i}`, [point(i, T0 + (i % 4) * MIN)], [{ type: 'heartbeat', timestamp: T0, details: {} }], T0, T0 - DAY)))
      const rows = await store.rawRows('many', T0, T0 + HOUR)
      expect(rows.reduce((n, r) => n + r.sum, 0)).toBe((39 * 40) / 2)
      // every batch merged into the same few 1-minute rows of one series, none lost to a concurrent merge
      const minutes = await store.tierRows('many', '1m', T0, T0 + HOUR)
      expect(minutes.map((r) => [r.bucket, r.count]).sort()).toEqual([0, 1, 2, 3].map((m) => [T0 + m * MIN, 10]))
      expect(minutes.reduce((n, r) => n + r.sum, 0)).toBe((39 * 40) / 2)
      expect(await store.heartbeatMinutes('many', T0, T0 + HOUR)).toBe(1)
      const taken = (await Promise.all([store.takeDirtyMinutes(100), store.takeDirtyMinutes(100)])).flat().filter((d) => d.serverId === 'many')
      expect(taken.map((d) => d.minute).sort()).toEqual([T0, T0 + MIN, T0 + 2 * MIN, T0 + 3 * MIN])
    })

    it('fails a batch among concurrent ones alone: the others are stored, and nothing of it is', async () => {
      const { store } = under
      await store.createServer(newServer('iso'), credentials('iso'), T0)
      // details that cannot be stored as JSON: it fails after claiming its batch id and merging its point
      const unstorable = [{ type: 'error' as const, timestamp: T0, details: { n: 1n } as never }]
      const results = await Promise.allSettled([
        store.ingest('iso', 'i-1', [point(1)], [], T0, T0 - DAY),
        store.ingest('iso', 'i-bad', [point(100)], unstorable, T0, T0 - DAY),
        store.ingest('iso', 'i-2', [point(2)], [], T0, T0 - DAY),
      ])
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
      expect((await store.rawRows('iso', T0, T0 + MIN)).map((r) => r.sum).sort()).toEqual([1, 2])
      expect((await store.tierRows('iso', '1m', T0, T0 + MIN)).map((r) => [r.count, r.sum])).toEqual([[2, 3]])
      // its claim of the batch id went with it: sent again, it is stored
      expect(await store.ingest('iso', 'i-bad', [point(100)], [], T0, T0 - DAY)).toEqual({ duplicate: false, processed: 1 })
    })

    it('never files a point under a series a failed batch created: its ids are never remembered', async () => {
      const { store } = under
      await store.createServer(newServer('reuse'), credentials('reuse'), T0)
      // creates series k1, then fails (details that cannot be stored as JSON), in its own transaction
      const failing = store.ingest('reuse', 'r-1', [point(1, T0, 'k1')], [{ type: 'error', timestamp: T0, details: { n: 1n } as never }], T0, T0 - DAY)
      // sent at the same time: a new series (k2) and k1 again
      const next = store.ingest('reuse', 'r-2', [point(2, T0, 'k2'), point(3, T0, 'k1')], [], T0, T0 - DAY)
      expect((await Promise.allSettled([failing, next])).map((r) => r.status)).toEqual(['rejected', 'fulfilled'])
      const rows = await store.rawRows('reuse', T0, T0 + MIN)
      expect(rows.map((r) => [r.series.name, r.sum]).sort()).toEqual([['k1', 3], ['k2', 2]])
      expect(new Set(rows.map((r) => r.series.id)).size).toBe(2)
    })

    it('agrees on settings and daily salts under concurrency, and forgets old salts', async () => {
      const { store } = under
      const values = await Promise.all(['x', 'y', 'z'].map((v) => store.initSetting('race', v)))
      expect(new Set(values).size).toBe(1)
      expect(await store.getSetting('race')).toBe(values[0])
      const salts = await Promise.all([store.dailySalt('2026-03-10'), store.dailySalt('2026-03-10')])
      expect(salts[0]).toBe(salts[1])
      const next = await store.dailySalt('2026-03-11')
      expect(next).not.toBe(salts[0])
      expect(await store.dailySalt('2026-03-11')).toBe(next)
    })

    it('purges in bounded steps; raw points by the block of their minute, once all of it is past the cutoff, counted as points', async () => {
      const { store } = under
      await store.createServer({ id: 'old', name: 'O', isPrivate: false, requireSignature: true }, credentials('o'), T0)
      // raw points are kept as a block per server and minute: 25 minutes of two points, 25 blocks
      const start = T0 - 10 * DAY
      await store.ingest('old', 'old-1', Array.from({ length: 50 }, (_, i) => point(i, start + Math.floor(i / 2) * MIN + i)), [], T0, T0 - DAY)
      const cutoff = start + 24 * MIN + 30_000 // in the last minute, after both its points
      expect(await store.purge('raw', cutoff, 10)).toEqual({ rows: 10, deleted: 20 })
      expect(await store.purge('raw', cutoff, 100)).toEqual({ rows: 14, deleted: 28 })
      expect(await store.purge('raw', cutoff, 100)).toEqual({ rows: 0, deleted: 0 })
      expect((await store.rawRows('old', 0, T0)).map((r) => r.sum)).toEqual([48, 49])
      expect(await store.purge('raw', start + 25 * MIN, 100)).toEqual({ rows: 1, deleted: 2 })
      await store.ingest('old', 'old-2', [point(1, start), point(2, start + 1)], [{ type: 'error', timestamp: start, details: {} }], T0, T0 - DAY)
      expect(await store.purge('events', start + 1, 100)).toEqual({ rows: 1, deleted: 1 })
    })

    it('finishes the ingests in flight when closed, refuses new ones, and answers nothing once closed', async () => {
      const fresh = await h.open()
      const { store } = fresh
      try {
        await store.createServer(newServer('closing'), credentials('closing'), T0)
        const inFlight = store.ingest('closing', 'before', [point(1)], [], T0, T0 - DAY)
        const closing = store.close()
        // a StoreClosedError answers 503 (http/unavailable.ts): the SDK sends the batch again, to a replica still up
        await expect(store.ingest('closing', 'after', [point(2)], [], T0, T0 - DAY)).rejects.toBeInstanceOf(StoreClosedError)
        expect(await inFlight).toEqual({ duplicate: false, processed: 1 })
        await closing
        await expect(store.getServer('closing')).rejects.toBeInstanceOf(StoreClosedError)
        await expect(store.recordUsage([{ serverId: 'closing', action: 'view', visitorHash: 'v', timestamp: T0 }])).rejects.toBeInstanceOf(StoreClosedError)
        // the dialects' own methods too (retention and maintenance timers may fire while the service stops)
        for (const target of ['raw', '1m', 'events'] as const) await expect(store.purge(target, T0, 10)).rejects.toBeInstanceOf(StoreClosedError)
        await expect(store.maintain()).rejects.toBeInstanceOf(StoreClosedError)
        expect(store.close()).toBe(closing)
      } finally {
        await fresh.close()
      }
    })

    it('lists servers in byte order, whatever the database locale', async () => {
      const { store } = under
      const ids = ['alpha', 'B-1', '_x', 'Zed', 'b-2']
      for (const id of ids) await store.createServer(newServer(id), credentials(`order-${id}`), T0)
      expect((await store.listServers()).map((s) => s.id).filter((id) => ids.includes(id))).toEqual(['B-1', 'Zed', '_x', 'alpha', 'b-2'])
    })

    it('never moves lastReceivedAt back when a batch arrives stamped earlier than the last one', async () => {
      const { store } = under
      await store.createServer(newServer('mono'), credentials('mono'), T0)
      await store.ingest('mono', 'm-1', [point(1)], [], T0 + HOUR, T0 - DAY)
      expect(await store.ingest('mono', 'm-2', [point(2)], [], T0, T0 - DAY)).toEqual({ duplicate: false, processed: 1 })
      expect((await store.getServer('mono'))?.lastReceivedAt).toBe(T0 + HOUR)
      await store.ingest('mono', 'm-3', [], [], T0 + 2 * HOUR, T0 - DAY)
      expect((await store.getServer('mono'))?.lastReceivedAt).toBe(T0 + 2 * HOUR)
    })

    it('forgets batch ids once they are outside the dedupe window', async () => {
      const { store, sql } = under
      await store.createServer(newServer('gc'), credentials('gc'), T0)
      await store.ingest('gc', 'gc-1', [point(1)], [], T0, T0 - DAY)
      await store.ingest('gc', 'gc-2', [point(2)], [], T0 + 2 * DAY, T0 + DAY)
      expect(await sql("SELECT batch_id FROM ingest_batches WHERE server_id = 'gc'")).toEqual([{ batch_id: 'gc-2' }])
    })

    it('keeps ingest_batches bounded by the dedupe window under steady traffic', async () => {
      const { store, sql } = under
      await store.createServer(newServer('steady'), credentials('steady'), T0)
      const window = 10 * MIN
      const held = async () => Number((await sql("SELECT count(*) AS n FROM ingest_batches WHERE server_id = 'steady'"))[0]?.n)
      for (let i = 0; i < 150; i++) {
        const now = T0 + i * MIN
        await store.ingest('steady', `s-${i}`, [point(i, now)], [], now, now - window)
        // the ids of the last 10 minutes only (the first ingests also purge what earlier tests left)
        if (i >= 20) expect(await held()).toBeLessThanOrEqual(11)
      }
      expect(await held()).toBe(11)
      const last = T0 + 149 * MIN
      expect(Number((await sql(`SELECT count(*) AS n FROM ingest_batches WHERE received_at < ${last - window}`))[0]?.n)).toBe(0)
    })
  })
}
