import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { storeConformance } from '../conformance'
import { credentials, DAY, MIN, newServer, point, T0 } from '../conformance/harness'
import { openSqliteStore } from './sqlite-store'
import { isUnavailableError } from '../../http/unavailable'
import { StoreClosedError } from '../store'

storeConformance('SQLite', async () => {
  const store = openSqliteStore({ path: ':memory:' })
  return {
    store,
    sql: async (query) => store.db.prepare(query).all() as Record<string, unknown>[],
    close: () => store.close(),
  }
})

describe('SQLite group commit', () => {
  it('stores the batches that share a commit with one too big for the disk; only that one is refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sqlite-group-'))
    const store = openSqliteStore({ path: join(dir, 'metrics.db') })
    try {
      await store.createServer(newServer('disk'), credentials('disk'), T0)
      await store.ingest('disk', 'warm', [point(0)], [], T0, T0 - DAY)
      // the disk is nearly full: room for a small batch, not for 500 new series with long tags
      store.db.pragma(`max_page_count = ${(store.db.pragma('page_count', { simple: true }) as number) + 20}`)
      const big = Array.from({ length: 500 }, (_, i) => ({ ...point(1, T0, `big.${i}`), tags: { pad: 'p'.repeat(200) } }))
      const results = await Promise.allSettled([
        store.ingest('disk', 'small-1', [point(1, T0 + MIN)], [], T0, T0 - DAY),
        store.ingest('disk', 'big', big, [], T0, T0 - DAY),
        store.ingest('disk', 'small-2', [point(2, T0 + MIN)], [], T0, T0 - DAY),
      ])
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
      expect((results[1] as PromiseRejectedResult).reason.code).toBe('SQLITE_FULL')
      expect((await store.rawRows('disk', T0 + MIN, T0 + 2 * MIN)).map((r) => r.sum).sort()).toEqual([1, 2])
      expect(await store.rawRows('disk', T0, T0 + MIN)).toHaveLength(1)
    } finally {
      await store.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('closes only after the batches undone with a group commit were run again alone, and takes no new ones', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sqlite-group-'))
    const path = join(dir, 'metrics.db')
    try {
      const store = openSqliteStore({ path })
      await store.createServer(newServer('disk'), credentials('disk'), T0)
      await store.ingest('disk', 'warm', [point(0)], [], T0, T0 - DAY)
      store.db.pragma(`max_page_count = ${(store.db.pragma('page_count', { simple: true }) as number) + 20}`)
      const big = Array.from({ length: 500 }, (_, i) => ({ ...point(1, T0, `big.${i}`), tags: { pad: 'p'.repeat(200) } }))
      // queued for the next group commit, and the store closed before it runs: the closing runs it, the big batch
      // undoes it, and the two small ones are run again alone before the database closes
      const ingests = Promise.allSettled([
        store.ingest('disk', 'small-1', [point(1, T0 + MIN)], [], T0, T0 - DAY),
        store.ingest('disk', 'big', big, [], T0, T0 - DAY),
        store.ingest('disk', 'small-2', [point(2, T0 + MIN)], [], T0, T0 - DAY),
      ])
      // closing again, or ingesting now, does not open the way to a closed database
      const closed = [store.close(), store.close()]
      expect(closed[1]).toBe(closed[0])
      const late = store.ingest('disk', 'late', [point(3, T0 + MIN)], [], T0, T0 - DAY).catch((error: unknown) => error)
      await closed[1]
      expect(store.db.open).toBe(false)
      await closed[0]
      const settled = await ingests
      expect(settled.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
      expect((settled[1] as PromiseRejectedResult).reason.code).toBe('SQLITE_FULL')
      expect(await late).toBeInstanceOf(StoreClosedError)
      expect(isUnavailableError(await late)).toBe(true)
      // a backup of a closed store is refused the same way, and writes no file
      await expect(store.backup(join(dir, 'copy.db'))).rejects.toBeInstanceOf(StoreClosedError)
      expect(existsSync(join(dir, 'copy.db'))).toBe(false)
      const reopened = openSqliteStore({ path, readonly: true })
      try {
        expect((await reopened.rawRows('disk', T0 + MIN, T0 + 2 * MIN)).map((r) => r.sum).sort()).toEqual([1, 2])
      } finally {
        await reopened.close()
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('SQLite series cache', () => {
  it('remembers the series of a batch once it committed, and none of a batch that failed', async () => {
    const store = openSqliteStore({ path: ':memory:' })
    try {
      // every attempt to create a series, also one that finds it there (ON CONFLICT DO NOTHING), in the writer's transaction
      store.db.exec(`CREATE TABLE series_attempts (name TEXT);
        CREATE TRIGGER series_attempt BEFORE INSERT ON series BEGIN INSERT INTO series_attempts VALUES (NEW.name); END`)
      const attempts = () => store.db.prepare('SELECT name FROM series_attempts ORDER BY rowid').pluck().all()
      await store.createServer(newServer('cache'), credentials('cache'), T0)
      await store.ingest('cache', 'c-1', [point(1, T0, 'k1')], [], T0, T0 - DAY)
      await store.ingest('cache', 'c-2', [point(2, T0, 'k1')], [], T0, T0 - DAY)
      // k1 was remembered once c-1 committed: c-2 found its id without asking the database
      expect(attempts()).toEqual(['k1'])
      // creates k2, then fails (details that cannot be stored as JSON): rolled back, its attempt with it
      const unstorable = [{ type: 'error' as const, timestamp: T0, details: { n: 1n } as never }]
      await expect(store.ingest('cache', 'c-3', [point(3, T0, 'k2')], unstorable, T0, T0 - DAY)).rejects.toThrow(/BigInt/)
      // its k2 is not remembered (SQLite hands its id out again): the next batch creates k2 itself, then knows it; that
      // no batch sharing its commit files points under k2's id meanwhile is the conformance suite's ('never files a point…')
      await store.ingest('cache', 'c-4', [point(4, T0, 'k2')], [], T0, T0 - DAY)
      await store.ingest('cache', 'c-5', [point(5, T0, 'k2')], [], T0, T0 - DAY)
      expect(attempts()).toEqual(['k1', 'k2'])
      // tagged series too (found by walking their tags): asked of the database once
      const tagged = (i: number) => ({ ...point(i, T0, 'k3'), tags: { client: 'c', tool: 't' } })
      await store.ingest('cache', 'c-6', [tagged(6)], [], T0, T0 - DAY)
      await store.ingest('cache', 'c-7', [tagged(7), { ...tagged(8), tags: { client: 'c' } }], [], T0, T0 - DAY)
      expect(attempts()).toEqual(['k1', 'k2', 'k3', 'k3'])
      const rows = await store.rawRows('cache', T0, T0 + MIN)
      expect(rows.map((r) => [r.series.name, r.sum])).toEqual([['k1', 1], ['k1', 2], ['k2', 4], ['k2', 5], ['k3', 6], ['k3', 7], ['k3', 8]])
    } finally {
      await store.close()
    }
  })

  it('holds as many series as its memory option gives it: with room for one, two series taking turns are asked for each time', async () => {
    const store = openSqliteStore({ path: ':memory:', seriesCacheMb: 0.000_001 })
    try {
      store.db.exec(`CREATE TABLE series_attempts (name TEXT);
        CREATE TRIGGER series_attempt BEFORE INSERT ON series BEGIN INSERT INTO series_attempts VALUES (NEW.name); END`)
      await store.createServer(newServer('tiny'), credentials('tiny'), T0)
      for (const [i, name] of ['k1', 'k2', 'k1', 'k2'].entries()) await store.ingest('tiny', `t-${i}`, [point(i, T0, name)], [], T0, T0 - DAY)
      // the default cache would ask for k1 and k2 once each (the test above)
      expect(store.db.prepare('SELECT name FROM series_attempts').pluck().all()).toEqual(['k1', 'k2', 'k1', 'k2'])
      expect((await store.rawRows('tiny', T0, T0 + MIN)).map((r) => [r.series.name, r.sum])).toEqual([['k1', 0], ['k2', 1], ['k1', 2], ['k2', 3]])
    } finally {
      await store.close()
    }
  })
})
