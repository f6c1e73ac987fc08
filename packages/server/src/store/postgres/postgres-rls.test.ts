// The optional RLS policies (sql/postgres-rls.sql) enforce the service's read rules on direct table access.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openPostgresStore } from './postgres-store'
import { registerServer } from '../../credentials/server-credentials'
import { type PgCluster, requirePostgres, startPostgres } from '../../testing/postgres-cluster'

const run = requirePostgres()
let cluster: PgCluster
beforeAll(() => {
  if (run) cluster = startPostgres()
})
afterAll(() => cluster?.stop())

describe.runIf(run)('PostgreSQL row level security', () => {
  it('shows public servers to everyone, private ones only with their read token, credentials to nobody', async () => {
    const url = cluster.createDatabase('rls')
    const store = await openPostgresStore({ connectionString: url })
    const now = Date.now()
    await registerServer(store, { id: 'open' }, now)
    const secret = await registerServer(store, { id: 'closed', isPrivate: true }, now)
    const other = await registerServer(store, { id: 'other', isPrivate: true }, now)
    const point = (v: number) => ({ name: 'x', type: 'gauge' as const, tags: {}, timestamp: now, count: 1, sum: v, min: v, max: v, last: v })
    const heartbeat = { type: 'heartbeat' as const, timestamp: now, details: {} }
    await store.ingest('open', 'b1', [point(1)], [heartbeat], now, now - 1)
    await store.ingest('closed', 'b2', [point(2)], [heartbeat], now, now - 1)
    const minute = Math.floor(now / 60_000) * 60_000
    for (const id of ['open', 'closed']) await store.rebuildCharts(id, '1m', minute, minute + 60_000)
    await store.close()

    const db = new pg.Client({ connectionString: url })
    await db.connect()
    try {
      await db.query(readFileSync(resolve(import.meta.dirname, '../../../sql/postgres-rls.sql'), 'utf8'))
      await db.query('CREATE ROLE api_reader NOLOGIN')
      await db.query('GRANT SELECT ON ALL TABLES IN SCHEMA public TO api_reader')
      await db.query('GRANT EXECUTE ON FUNCTION mcpdir_can_read(text) TO api_reader')
      const as = async (token: string | undefined, sql: string) => {
        await db.query('BEGIN')
        try {
          await db.query('SET LOCAL ROLE api_reader')
          if (token) await db.query(`SET LOCAL mcpdir.read_token = '${token}'`)
          return (await db.query(sql)).rows
        } finally {
          await db.query('ROLLBACK')
        }
      }
      expect(await as(undefined, 'SELECT id FROM servers ORDER BY id')).toEqual([{ id: 'open' }])
      const blocks = 'SELECT server_id, points FROM metric_blocks ORDER BY server_id'
      const minutes = 'SELECT series_id FROM rollup_1m'
      expect(await as(undefined, blocks)).toEqual([{ server_id: 'open', points: 1 }])
      expect(await as(secret.read_token, blocks)).toEqual([{ server_id: 'closed', points: 1 }, { server_id: 'open', points: 1 }])
      expect(await as(undefined, 'SELECT count(*)::int AS n FROM metric_blocks')).toEqual([{ n: 1 }])
      expect(await as(undefined, minutes)).toHaveLength(1)
      expect(await as(secret.read_token, minutes)).toHaveLength(2)
      const charts = 'SELECT server_id FROM chart_blocks ORDER BY server_id'
      expect(await as(undefined, charts)).toEqual([{ server_id: 'open' }])
      expect(await as(secret.read_token, charts)).toEqual([{ server_id: 'closed' }, { server_id: 'open' }])
      for (const table of ['server_heartbeats', 'heartbeat_hours']) {
        const heartbeats = `SELECT server_id FROM ${table} ORDER BY server_id`
        expect(await as(undefined, heartbeats), table).toEqual([{ server_id: 'open' }])
        expect(await as(secret.read_token, heartbeats), table).toEqual([{ server_id: 'closed' }, { server_id: 'open' }])
      }
      // every table of the schema has RLS on, with or without a policy (partitions get theirs from maintenance)
      const unprotected = "SELECT relname FROM pg_class WHERE relnamespace = CAST('public' AS regnamespace) AND relkind IN ('r', 'p') AND NOT relrowsecurity ORDER BY relname"
      expect((await db.query(unprotected)).rows).toEqual([])
      expect(await as(secret.read_token, 'SELECT id FROM servers ORDER BY id')).toEqual([{ id: 'closed' }, { id: 'open' }])
      expect(await as(other.read_token, 'SELECT id FROM servers ORDER BY id')).toEqual([{ id: 'open' }, { id: 'other' }])
      expect(await as(secret.api_key, 'SELECT id FROM servers ORDER BY id')).toEqual([{ id: 'open' }])
      for (const table of ['server_keys', 'server_secrets', 'settings', 'ingest_batches']) {
        expect(await as(secret.read_token, `SELECT * FROM ${table}`), table).toEqual([])
      }
    } finally {
      await db.end()
    }
  })
})
