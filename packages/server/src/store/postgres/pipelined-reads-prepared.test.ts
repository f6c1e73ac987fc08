// Prepared statements on the pipelined connections, against a real PostgreSQL server: each statement prepared once
// per connection, and run again unnamed when a pooler or a migration has undone its preparation.
import { describe, expect, it } from 'vitest'
import { requirePostgres } from '../../testing/postgres-cluster'
import type { PipelinedReads } from './pipelined-reads'
import { pipelinedReadsSetup } from './pipelined-reads.test-helpers'

if (requirePostgres()) {
  describe('pipelinedReads, prepared', () => {
    const t = pipelinedReadsSetup('pipelined_prepared')
    const { open } = t
    const pid = async (r: PipelinedReads) => (await r.query<{ pid: number }>({ text: 'SELECT pg_backend_pid() AS pid', name: '' })).rows[0]?.pid

    /** The statements prepared on the connection a turn goes to, by name; asked unnamed. */
    const prepared = async (r: PipelinedReads) =>
      (await r.query<{ name: string; statement: string }>({ text: 'SELECT name, statement FROM pg_prepared_statements ORDER BY name', name: '' })).rows

    it('prepares each statement once per connection, under a name of its text', async () => {
      const r = open(1)
      const text = 'SELECT $1::int AS n'
      for (const n of [1, 2, 3]) expect((await r.query<{ n: number }>({ text, values: [n] })).rows).toEqual([{ n }])
      // a second Parse under the same name would have failed (42P05): one entry is one Parse
      expect(await prepared(r)).toEqual([{ name: 'mcpdir_0', statement: text }])
      const without = open(1, undefined, { prepare: false })
      expect((await without.query<{ n: number }>({ text, values: [4] })).rows).toEqual([{ n: 4 }])
      expect(await prepared(without)).toEqual([])
    })

    it('runs a statement its connection no longer knows again unnamed, and prepares nothing after', async () => {
      const r = open(1)
      const first = await pid(r)
      expect((await r.query<{ n: number }>({ text: 'SELECT $1::int AS n', values: [1] })).rows).toEqual([{ n: 1 }])
      // what a pooler in transaction mode does to a prepared statement: the next run reaches a session without it
      await r.query({ text: 'DEALLOCATE ALL', name: '' })
      expect((await r.query<{ n: number }>({ text: 'SELECT $1::int AS n', values: [2] })).rows).toEqual([{ n: 2 }])
      expect((await r.query<{ t: string }>({ text: 'SELECT $1::text AS t', values: ['x'] })).rows).toEqual([{ t: 'x' }])
      expect(await prepared(r)).toEqual([])
      expect(await pid(r)).toBe(first)
      expect(t.errors).toEqual([])
    })

    it('runs a prepared statement whose result type changed again on a new connection, which prepares anew', async () => {
      await t.admin.query('CREATE TABLE stale_plan (a int); INSERT INTO stale_plan VALUES (1)')
      const r = open(1)
      const first = await pid(r)
      const text = 'SELECT a FROM stale_plan'
      expect((await r.query({ text })).rows).toEqual([{ a: 1 }])
      // another replica's migration changes the column's type under the prepared statement
      await t.admin.query('ALTER TABLE stale_plan ALTER a TYPE text')
      expect((await r.query({ text })).rows).toEqual([{ a: '1' }])
      const second = await pid(r)
      expect(second).not.toBe(first)
      expect((await r.query({ text })).rows).toEqual([{ a: '1' }])
      expect((await prepared(r)).map((p) => p.statement)).toContain(text)
      expect(await t.backendsSettled([second as number])).toEqual([second])
      expect(t.errors).toEqual([])
    })
  })
}
