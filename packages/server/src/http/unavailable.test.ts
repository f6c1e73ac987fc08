import { createSignatureHeaders, isErrorResponse } from '@mcpdir/metrics/protocol'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp, type MetricsApp } from '../app/create-app'
import { registerServer, type ShownCredentials } from '../credentials/server-credentials'
import { openPostgresStore } from '../store/postgres/postgres-store'
import { type PgCluster, requirePostgres, startPostgres } from '../testing/postgres-cluster'
import { isUnavailableError } from './unavailable'

describe('isUnavailableError', () => {
  it('takes the SQLite and PostgreSQL states a retry can get past, and nothing else', () => {
    const coded = (code: string, extra: object = {}) => Object.assign(new Error(code), { code, ...extra })
    for (const code of ['SQLITE_BUSY', 'SQLITE_FULL', 'SQLITE_READONLY', '08006', '08001', '25006', '53100', '53300', '57P01', '57P03', 'ECONNREFUSED', 'ECONNRESET']) {
      expect(isUnavailableError(coded(code)), code).toBe(true)
    }
    expect(isUnavailableError(coded('ENOENT', { syscall: 'connect' }))).toBe(true)
    expect(isUnavailableError(new Error('Connection terminated unexpectedly'))).toBe(true)
    expect(isUnavailableError(new Error('wrapped', { cause: coded('57P01') }))).toBe(true)
    for (const code of ['SQLITE_CONSTRAINT', '23505', '23503', '42601', '25P02', '40001', 'ENOENT', 'ERR_INVALID_ARG_TYPE']) {
      expect(isUnavailableError(coded(code)), code).toBe(false)
    }
    for (const value of [undefined, null, 'SQLITE_BUSY', 42, new Error('boom')]) expect(isUnavailableError(value)).toBe(false)
  })
})

// A real PostgreSQL in states that fail queries: each answers 503 with Retry-After in the error envelope, the
// batch is not acknowledged, and the same batch sent again once the database is back is stored (not a duplicate).
if (requirePostgres()) {
  describe('PostgreSQL failures answer 503 with Retry-After', () => {
    let cluster: PgCluster
    let admin: pg.Client
    let store: Awaited<ReturnType<typeof openPostgresStore>>
    let app: MetricsApp
    let creds: ShownCredentials
    const DB = 'unavailable_test'

    beforeAll(async () => {
      cluster = startPostgres()
      const url = cluster.createDatabase(DB)
      admin = new pg.Client({ connectionString: cluster.url })
      admin.on('error', () => {}) // the cluster is stopped under it in the last test
      await admin.connect()
      store = await openPostgresStore({ connectionString: url, maxConnections: 4 })
      creds = await registerServer(store, { id: 'pg-down' }, Date.now())
      app = createApp({ store, backgroundJobs: false })
    })
    afterAll(async () => {
      app?.stop()
      await admin?.end().catch(() => {})
      await store?.close().catch(() => {})
      cluster?.stop()
    })

    const send = async (id: string) => {
      const body = JSON.stringify({ server_id: 'pg-down', metrics: [{ name: 'x', value: 1, type: 'counter' }] })
      const headers = await createSignatureHeaders({ secrets: creds.signing_secret, id, body })
      return app.request('/functions/v1/metrics-collect', { method: 'POST', body, headers: { ...headers, 'x-api-key': creds.api_key } })
    }
    const expectUnavailable = async (response: Response) => {
      const text = await response.text()
      expect(response.status, text).toBe(503)
      expect(response.headers.get('retry-after')).toBe('5')
      const body: unknown = JSON.parse(text)
      expect(isErrorResponse(body)).toBe(true)
      expect(body).toMatchObject({ success: false, error: { code: 'unavailable' } })
    }
    /** Ends every connection of the store's database, and waits until the pool and the pipelined reads have noticed. */
    const terminateBackends = async () => {
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [DB])
      const open = () => store.pool.totalCount + (store.pipelined?.size ?? 0)
      for (let i = 0; i < 200 && open() > 0; i++) await new Promise((r) => setTimeout(r, 10))
      expect(open()).toBe(0)
    }

    it('a read-only database (25006)', async () => {
      await admin.query(`ALTER DATABASE ${DB} SET default_transaction_read_only = on`)
      await terminateBackends()
      await expectUnavailable(await send('read-only'))
      await admin.query(`ALTER DATABASE ${DB} RESET default_transaction_read_only`)
      await terminateBackends()
      expect(await (await send('read-only')).json()).toEqual({ success: true, metrics_processed: 1 })
    })

    it('a connection terminated by an administrator mid-batch (57P01)', async () => {
      const locker = new pg.Client({ connectionString: cluster.url.replace('/postgres?', `/${DB}?`) })
      await locker.connect()
      try {
        await locker.query('BEGIN')
        await locker.query('LOCK TABLE ingest_batches IN ACCESS EXCLUSIVE MODE')
        const pending = send('terminated')
        let waiting: number | undefined
        for (let i = 0; i < 500 && waiting === undefined; i++) {
          const { rows } = await admin.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'", [DB])
          waiting = rows[0]?.pid
          if (waiting === undefined) await new Promise((r) => setTimeout(r, 10))
        }
        expect(waiting).toBeDefined()
        await admin.query('SELECT pg_terminate_backend($1)', [waiting])
        await expectUnavailable(await pending)
      } finally {
        await locker.query('ROLLBACK').catch(() => {})
        await locker.end()
      }
      expect(await (await send('terminated')).json()).toEqual({ success: true, metrics_processed: 1 })
    })

    it('a stopped server (no connection at all)', async () => {
      await terminateBackends()
      cluster.stop()
      await expectUnavailable(await send('stopped'))
    })
  })
}
