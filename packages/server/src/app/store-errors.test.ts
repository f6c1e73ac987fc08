// Errors a store meets outside any request reach the service's logger: a pooled PostgreSQL connection
// terminated while idle is logged once, and the service goes on with a fresh connection.
import pg from 'pg'
import pino from 'pino'
import { afterAll, describe, expect, it } from 'vitest'
import { openPostgresStore } from '../store/postgres/postgres-store'
import { type PgCluster, requirePostgres, startPostgres } from '../testing/postgres-cluster'
import { createApp } from './create-app'

if (requirePostgres()) {
  describe('store errors outside requests', () => {
    let cluster: PgCluster | undefined
    afterAll(() => cluster?.stop())

    it('logs a pooled PostgreSQL connection lost while idle through the service logger', async () => {
      cluster = startPostgres()
      const url = cluster.createDatabase('pool_errors')
      const store = await openPostgresStore({ connectionString: url, maxConnections: 3 })
      const lines: Record<string, unknown>[] = []
      const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) })
      const app = createApp({ store, logger, backgroundJobs: false })
      const admin = new pg.Client({ connectionString: cluster.url })
      await admin.connect()
      try {
        await Promise.all([store.ping(), store.ping(), store.ping()]) // idle connections in the pool
        expect(store.pool.idleCount).toBeGreaterThan(0)
        const idle = store.pool.idleCount
        await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'pool_errors'")
        for (let i = 0; i < 300 && store.pool.totalCount > 0; i++) await new Promise((r) => setTimeout(r, 10))
        const logged = lines.filter((l) => l.msg === 'database connection lost while idle; the pool replaces it')
        expect(logged).toHaveLength(idle)
        expect(logged[0]).toMatchObject({ level: 40, err: { code: '57P01', message: expect.stringContaining('terminating connection') } })
        expect((await app.request('/healthz')).status).toBe(200) // a new connection serves the next request

        // once the service stops, the store's errors are no longer its to log
        app.stop()
        await store.ping()
        await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'pool_errors'")
        for (let i = 0; i < 300 && store.pool.totalCount > 0; i++) await new Promise((r) => setTimeout(r, 10))
        expect(lines.filter((l) => l.msg === 'database connection lost while idle; the pool replaces it')).toHaveLength(idle)
      } finally {
        app.stop()
        await admin.end()
        await store.close()
      }
    })
  })
}
