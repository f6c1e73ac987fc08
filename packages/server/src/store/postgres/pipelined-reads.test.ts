// Pipelined reads against a real PostgreSQL server: a turn's statements share one connection and one write, fail
// alone, and a busy, broken or unreachable connection costs nobody else their answer.
import { type AddressInfo, createServer, Socket } from 'node:net'
import { describe, expect, it, vi } from 'vitest'
import { isUnavailableError } from '../../http/unavailable'
import { requirePostgres } from '../../testing/postgres-cluster'
import { type PipelinedReads, pipelinedReads } from './pipelined-reads'
import { pipelinedReadsSetup } from './pipelined-reads.test-helpers'
import { openPostgresStore } from './postgres-store'

if (requirePostgres()) {
  describe('pipelinedReads', () => {
    const t = pipelinedReadsSetup('pipelined_reads')
    const { open } = t
    const pid = async (r: PipelinedReads, sql = 'SELECT pg_backend_pid() AS pid') => (await r.query<{ pid: number }>({ text: sql })).rows[0]?.pid
    const turn = () => new Promise((resolve) => setImmediate(resolve))

    it('sends the statements of one turn on one connection, in one write, each answered with its own result', async () => {
      const r = open(2)
      await pid(r) // connected, so the next turn's socket is corked
      const writes: number[] = []
      const writev = vi.spyOn(Socket.prototype as unknown as { _writev: (chunks: unknown[], cb: unknown) => void }, '_writev')
      const write = vi.spyOn(Socket.prototype as unknown as { _write: (chunk: unknown, encoding: unknown, cb: unknown) => void }, '_write')
      try {
        const answers = await Promise.all([1, 2, 3, 4, 5].map((n) => r.query<{ n: number; pid: number }>({ text: 'SELECT $1::int AS n, pg_backend_pid() AS pid', values: [n] })))
        expect(answers.map((a) => a.rows[0]?.n)).toEqual([1, 2, 3, 4, 5])
        expect(new Set(answers.map((a) => a.rows[0]?.pid)).size).toBe(1)
        // the pipelined connection's only: not the admin connection's, nor stdout's or stderr's
        const others = new Set<unknown>([(t.admin as unknown as { connection: { stream: unknown } }).connection.stream, process.stdout, process.stderr])
        writev.mock.calls.forEach(([chunks], i) => others.has(writev.mock.contexts[i]) || writes.push(chunks.length))
        write.mock.calls.forEach((_, i) => others.has(write.mock.contexts[i]) || writes.push(1))
      } finally {
        writev.mockRestore()
        write.mockRestore()
      }
      expect(writes).toHaveLength(1) // one write holding every message of the five statements
      expect(writes[0]).toBeGreaterThanOrEqual(5 * 4) // Parse, Bind, Describe, Execute and Sync each (or merged)
      expect(r.size).toBe(1)
    })

    it('fails a bad statement alone: the others of its turn are answered', async () => {
      const r = open(1)
      const [before, bad, after] = await Promise.allSettled([
        r.query({ text: 'SELECT 1 AS one' }),
        r.query({ text: 'SELECT * FROM no_such_table' }),
        r.query({ text: 'SELECT 2 AS two' }),
      ])
      expect(before).toMatchObject({ status: 'fulfilled', value: { rows: [{ one: 1 }] } })
      expect(bad).toMatchObject({ status: 'rejected', reason: { code: '42P01' } })
      expect(after).toMatchObject({ status: 'fulfilled', value: { rows: [{ two: 2 }] } })
      expect(await pid(r)).toBeTypeOf('number')
      expect(t.errors).toEqual([])
    })

    /** A statement that waits until the admin connection lets go of advisory lock `key`, then answers its backend's pid. */
    const blocked = (r: PipelinedReads, key: number) => pid(r, `SELECT pg_advisory_xact_lock(${key}), pg_backend_pid() AS pid`)

    it('reuses an idle connection, and opens another, up to the limit, while one is busy', async () => {
      const r = open(2)
      const first = await pid(r)
      expect(await pid(r)).toBe(first) // idle: reused
      await t.admin.query('SELECT pg_advisory_lock(1), pg_advisory_lock(2)')
      try {
        const held = blocked(r, 1) // the first connection busy until lock 1 is let go
        await turn()
        const second = await pid(r) // answered meanwhile, on a second connection
        expect(second).not.toBe(first)
        expect(r.size).toBe(2)
        await turn()
        // two in one turn: the idle second connection takes both
        const both = Promise.all([blocked(r, 2), blocked(r, 2)])
        await turn()
        // at the limit: the less busy connection (the first: one statement in flight against two)
        const queued = pid(r)
        await turn()
        expect(r.size).toBe(2)
        await t.admin.query('SELECT pg_advisory_unlock(1), pg_advisory_unlock(2)')
        expect(await held).toBe(first)
        expect(await both).toEqual([second, second])
        expect(await queued).toBe(first)
      } finally {
        await t.admin.query('SELECT pg_advisory_unlock_all()')
      }
    })

    it('reports a connection lost while idle once, and replaces it', async () => {
      const r = open(1)
      const lost = await pid(r)
      await t.admin.query('SELECT pg_terminate_backend($1)', [lost])
      for (let i = 0; i < 200 && r.size > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10))
      expect(r.size).toBe(0)
      await new Promise((resolve) => setTimeout(resolve, 100)) // the socket's own end comes after: not a second report
      expect(t.errors).toHaveLength(1)
      expect(t.errors[0]).toMatchObject({ code: '57P01' })
      const next = await pid(r)
      expect(next).not.toBe(lost)
      expect(await t.backendsSettled([next as number])).toEqual([next])
    })

    it('fails the statements in flight on a terminated connection, without reporting them as idle losses', async () => {
      const r = open(1)
      const victim = await pid(r)
      // its failure handled from the start: it may come before the terminating statement's own answer
      const pending = r.query({ text: 'SELECT pg_sleep(5)' }).then(
        () => undefined,
        (e: unknown) => e,
      )
      await turn()
      await t.admin.query('SELECT pg_terminate_backend($1)', [victim])
      const error = await pending
      expect(isUnavailableError(error)).toBe(true)
      expect(t.errors).toEqual([])
      expect(await pid(r)).not.toBe(victim)
    })

    it('ends every connection', async () => {
      const r = open(2)
      await t.admin.query('SELECT pg_advisory_lock(3)')
      const held = blocked(r, 3)
      await turn()
      await pid(r)
      expect(r.size).toBe(2)
      await t.admin.query('SELECT pg_advisory_unlock(3)')
      await held
      await r.end()
      expect(r.size).toBe(0)
      expect(await t.backendsSettled([])).toEqual([])
    })

    it('refuses statements after end, opening no connection', async () => {
      const r = open(1)
      await pid(r)
      await r.end()
      await expect(r.query({ text: 'SELECT 1' })).rejects.toThrow('Cannot use pipelined reads after calling end')
      expect(r.size).toBe(0)
    })

    it('closes a connection left idle, and opens another when next needed', async () => {
      const r = open(1, undefined, { idleMs: 50 })
      const first = await pid(r)
      for (let i = 0; i < 200 && r.size > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10))
      expect(r.size).toBe(0)
      expect(await t.backendsSettled([])).toEqual([])
      expect(await pid(r)).not.toBe(first)
      expect(t.errors).toEqual([])
    })

    it('keeps the connection when a statement fails on its own, before reaching the server', async () => {
      const r = open(1)
      const first = await pid(r)
      const unsendable = { toPostgres: () => { throw new Error('no text form') } }
      await expect(r.query({ text: 'SELECT $1::text AS t', values: [unsendable] })).rejects.toThrow('no text form')
      expect(await pid(r)).toBe(first)
      expect(r.size).toBe(1)
    })

    it('fails the statements queued on a connection pg refuses to open, even while the server keeps the socket open', async () => {
      // a server that asks for a SASL mechanism pg does not know, then stays silent with the socket open
      const sockets = new Set<Socket>()
      const server = createServer((socket) => {
        sockets.add(socket)
        socket.once('data', () => {
          const mechanism = Buffer.from('NOT-A-MECHANISM\0\0')
          const message = Buffer.alloc(1 + 4 + 4)
          message.write('R', 0)
          message.writeInt32BE(4 + 4 + mechanism.length, 1)
          message.writeInt32BE(10, 5) // AuthenticationSASL
          socket.write(Buffer.concat([message, mechanism]))
        })
      })
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      const { port } = server.address() as AddressInfo
      const r = open(1, { host: '127.0.0.1', port, user: 'x', password: 'y', database: 'z' })
      try {
        const started = Date.now()
        const outcome = await Promise.race([
          r.query({ text: 'SELECT 1' }).then(
            () => 'answered',
            () => 'rejected',
          ),
          new Promise((resolve) => setTimeout(resolve, 5_000, 'still waiting')),
        ])
        expect(outcome).toBe('rejected')
        expect(Date.now() - started).toBeLessThan(5_000)
        expect(r.size).toBe(0)
      } finally {
        for (const socket of sockets) socket.destroy()
        await new Promise((resolve) => server.close(resolve))
      }
    })

    /** The statements prepared on the connection a turn goes to, by name; asked unnamed. */
    const prepared = async (r: PipelinedReads) =>
      (await r.query<{ name: string; statement: string }>({ text: 'SELECT name, statement FROM pg_prepared_statements ORDER BY name', name: '' })).rows

    it('refuses a connection count that is not a positive integer, and a store whose pool would be left none', async () => {
      for (const bad of [0, -1, 1.5, Number.NaN]) expect(() => pipelinedReads({ connectionString: t.url }, bad, () => {})).toThrow(RangeError)
      for (const [maxConnections, pipelined] of [[2, 2], [10, -1], [10, 1.5]] as const) {
        await expect(openPostgresStore({ connectionString: t.url, maxConnections, pipelinedReads: pipelined })).rejects.toThrow(RangeError)
      }
    })

    it('is what a store sends its statements outside transactions through, unless told 0', async () => {
      const pipelined = await openPostgresStore({ connectionString: t.url, maxConnections: 10 })
      const pooled = await openPostgresStore({ connectionString: t.url, maxConnections: 10, pipelinedReads: 0 })
      try {
        expect(pipelined.pipelined).toBeDefined()
        expect(pooled.pipelined).toBeUndefined()
        const idle = pipelined.pool.totalCount
        await Promise.all([pipelined.ping(), pipelined.ping(), pipelined.ping()])
        expect(pipelined.pipelined?.size).toBe(1) // one turn, one connection
        expect(pipelined.pool.totalCount).toBe(idle)
        await Promise.all([pooled.ping(), pooled.ping()])
        expect(pooled.pool.totalCount).toBeGreaterThan(0)
        expect((await prepared(pipelined.pipelined as PipelinedReads)).length).toBeGreaterThan(0)
        const unprepared = await openPostgresStore({ connectionString: t.url, maxConnections: 10, preparedStatements: false })
        try {
          await unprepared.ping()
          expect(await prepared(unprepared.pipelined as PipelinedReads)).toEqual([])
        } finally {
          await unprepared.close()
        }

        // a write waiting on a row lock holds up no read, even with one pipelined connection: writes go through the pool
        const one = await openPostgresStore({ connectionString: t.url, maxConnections: 4, pipelinedReads: 1 })
        await one.createServer({ id: 'locked', name: 'locked', isPrivate: false, requireSignature: false }, { ingestKeyHash: 'h', ingestKeyPrefix: 'p', signingSecret: 's' }, 1)
        await one.ping() // the pipelined connection open and idle
        await t.admin.query('BEGIN')
        try {
          await t.admin.query("SELECT 1 FROM servers WHERE id = 'locked' FOR UPDATE")
          let disabled: boolean | undefined
          const write = one.setServerDisabled('locked', true).then((changed) => (disabled = changed))
          await turn()
          const read = await Promise.race([one.getServer('locked'), new Promise((resolve) => setTimeout(resolve, 3_000, 'held up'))])
          expect(read).toMatchObject({ id: 'locked', disabled: false })
          expect(disabled).toBeUndefined()
          await t.admin.query('COMMIT')
          expect(await write).toBe(true)
          expect(one.pipelined?.size).toBe(1)
        } finally {
          await t.admin.query('ROLLBACK').catch(() => {})
          await one.close()
        }
      } finally {
        await pipelined.close()
        await pooled.close()
      }
    })

    // last: it stops the cluster
    it('rejects, as unavailable, when the server cannot be reached, and never hangs', async () => {
      const r = open(1)
      await pid(r)
      await t.admin.end()
      t.cluster.stop()
      for (const _ of [1, 2]) {
        const error = await r.query({ text: 'SELECT 1' }).then(
          () => undefined,
          (e: unknown) => e,
        )
        expect(isUnavailableError(error)).toBe(true)
      }
    })
  })
}

