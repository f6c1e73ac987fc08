// PostgreSQL only: metric_blocks and rollup_1m partitioned by day (partitions.ts, migrations 21 and 24). Retention drops
// whole old partitions and answers exactly what row deletes answer (the SQLite store, fed the same batches, is
// the reference); an insert for a day without a partition lands in the DEFAULT one and maintenance moves it out;
// a database with rows is converted in place, and its raw points packed into partitioned blocks.
import { type MetricPoint, PERIODS, ROUTES } from '@mcpdir/metrics/protocol'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../app/create-app'
import { DEFAULT_RETENTION } from '../../app/config'
import { hashKey } from '../../credentials/keys'
import { registerServer } from '../../credentials/server-credentials'
import type { AggregateRow } from '../../query/aggregations'
import { applyRetention } from '../../query/retention'
import { type PgCluster, requirePostgres, startPostgres } from '../../testing/postgres-cluster'
import { openSqliteStore } from '../sqlite/sqlite-store'
import type { Store } from '../store'
import { DAY_MS, dayStart, partitionName } from './partitions'
import { maintainPartitions, migratePostgres, openPostgresStore } from './postgres-store'

const run = requirePostgres()
let cluster: PgCluster
beforeAll(() => {
  if (run) cluster = startPostgres()
})
afterAll(() => cluster?.stop())

const ADMIN = 'partition-test-admin-key'
const HOUR = 3_600_000
// points a few minutes past each hour, so every day's partition holds some; the stores make their partitions
// from this fixed instant too (their `clock`), so no UTC midnight during the run can shift them
const NOW = dayStart(Date.now()) + 13 * HOUR + 17 * 60_000
const clock = () => NOW
const RETENTION = { ...DEFAULT_RETENTION, rawMs: 3 * DAY_MS + 5 * HOUR, minuteMs: 2 * DAY_MS }

const gauge = (name: string, timestamp: number, v: number): MetricPoint => ({ name, type: 'gauge', tags: { region: v % 2 ? 'eu' : 'us' }, timestamp, count: 1, sum: v, min: v, max: v, last: v })
/** Six and a half days of points, every 2 hours, in batches of a day. */
const batches = Array.from({ length: 7 }, (_, day) =>
  Array.from({ length: 12 }, (_, h) => NOW - (6 - day) * DAY_MS - 6 * HOUR + h * 2 * HOUR).filter((t) => t <= NOW).flatMap((t, i) => [gauge('load', t, day * 100 + i), gauge('calls', t + 1, i)]),
)

async function fill(store: Store) {
  await registerServer(store, { id: 'alpha' }, NOW - 30 * DAY_MS)
  await registerServer(store, { id: 'beta', isPrivate: true }, NOW - 30 * DAY_MS)
  for (const [i, points] of batches.entries()) {
    await store.ingest('alpha', `a-${i}`, points, [{ type: 'heartbeat', timestamp: points[0]?.timestamp ?? NOW, details: {} }], NOW, NOW - DAY_MS)
    await store.ingest('beta', `b-${i}`, points.slice(0, 5), [], NOW, NOW - DAY_MS)
  }
}

/** Everything a reader sees: raw and 1m rows of each server, and every period's report. */
async function snapshot(store: Store) {
  const app = createApp({ store, clock: () => NOW, backgroundJobs: false, config: { adminKeyHash: hashKey(ADMIN), retention: RETENTION } })
  try {
    const out: Record<string, unknown> = {}
    for (const id of ['alpha', 'beta']) {
      const strip = (rows: AggregateRow[]) => rows.map(({ series, ...r }) => ({ ...r, series: `${series.name} ${JSON.stringify(series.tags)}` }))
      out[`${id} raw`] = strip(await store.rawRows(id, 0, NOW + DAY_MS))
      out[`${id} 1m`] = strip(await store.tierRows(id, '1m', 0, NOW + DAY_MS)).sort((a, b) => a.bucket - b.bucket || a.series.localeCompare(b.series))
      for (const period of PERIODS) {
        const response = await app.request(`${ROUTES.metricsFetch}?server_id=${id}&period=${period}`, { headers: { authorization: `Bearer ${ADMIN}` } })
        out[`${id} ${period}`] = await response.json()
      }
    }
    return out
  } finally {
    app.stop()
  }
}

async function partitions(pool: pg.Pool, table: string) {
  const { rows } = await pool.query<{ name: string }>('SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = $1::regclass ORDER BY 1', [table])
  return rows.map((r) => r.name)
}
const count = async (pool: pg.Pool, sql: string) => Number((await pool.query<{ n: string }>(sql)).rows[0]?.n)

describe.runIf(run)('PostgreSQL partitions by day', () => {
  it('drops whole old partitions at retention, with the same rows, counts and reports as row deletes', async () => {
    const store = await openPostgresStore({ connectionString: cluster.createDatabase('partitions'), clock })
    const reference = openSqliteStore({ path: ':memory:' })
    try {
      // created at open: DEFAULT, and every day from the raw retention back to tomorrow
      const days = Array.from({ length: 9 }, (_, i) => dayStart(NOW) + (i - 7) * DAY_MS)
      for (const table of ['metric_blocks', 'rollup_1m']) {
        const names = await partitions(store.pool, table)
        expect(names).toEqual(expect.arrayContaining([`${table}_default`, ...days.map((d) => partitionName(table, d))]))
      }
      await fill(store)
      await fill(reference)
      expect(await count(store.pool, 'SELECT count(*) AS n FROM metric_blocks_default')).toBe(0)
      expect(await snapshot(store)).toEqual(await snapshot(reference))

      const deleted = await applyRetention(store, () => NOW, RETENTION)
      expect(deleted).toEqual(await applyRetention(reference, () => NOW, RETENTION))
      expect(deleted.raw).toBeGreaterThan(0)
      expect(deleted['1m']).toBeGreaterThan(0)
      // partitions entirely before each cutoff are gone; the one straddling it stays, without its old rows
      // (a raw point block goes once its whole minute is older than the cutoff)
      for (const [table, column, cutoff] of [['metric_blocks', 'minute', NOW - RETENTION.rawMs - 60_000 + 1], ['rollup_1m', 'bucket', NOW - RETENTION.minuteMs]] as const) {
        const names = await partitions(store.pool, table)
        for (const day of days) expect(names.includes(partitionName(table, day)), `${table} ${new Date(day).toISOString()}`).toBe(day + DAY_MS > cutoff)
        expect(names).toContain(partitionName(table, dayStart(cutoff)))
        expect(await count(store.pool, `SELECT count(*) AS n FROM ${table} WHERE ${column} < ${cutoff}`)).toBe(0)
        expect(await count(store.pool, `SELECT count(*) AS n FROM ${partitionName(table, dayStart(cutoff))}`)).toBeGreaterThan(0)
      }
      expect(await snapshot(store)).toEqual(await snapshot(reference))
      // a second run finds nothing; maintenance does not bring the dropped days back
      expect(await applyRetention(store, () => NOW, RETENTION)).toEqual({})
      await store.maintain()
      expect(await partitions(store.pool, 'metric_blocks')).not.toContain(partitionName('metric_blocks', days[0] as number))

      // a server's rows still go with it (ON DELETE CASCADE through the partitioned tables)
      await store.deleteServer('alpha')
      await reference.deleteServer('alpha')
      expect(await snapshot(store)).toEqual(await snapshot(reference))
      expect(await count(store.pool, "SELECT count(*) AS n FROM metric_blocks WHERE server_id = 'alpha'")).toBe(0)
      expect(await count(store.pool, 'SELECT count(*) AS n FROM rollup_1m')).toBeGreaterThan(0)
    } finally {
      await store.close()
      await reference.close()
    }
  })

  it('stores points for days without a partition in the DEFAULT one; maintenance moves them into their own', async () => {
    const url = cluster.createDatabase('partitions_default')
    const store = await openPostgresStore({ connectionString: url, clock })
    const other = await openPostgresStore({ connectionString: url, clock })
    try {
      await registerServer(store, { id: 'late' }, NOW - DAY_MS)
      const ahead = dayStart(NOW) + 4 * DAY_MS + HOUR
      const ancient = NOW - 40 * DAY_MS
      expect(await partitions(store.pool, 'metric_blocks')).not.toContain(partitionName('metric_blocks', dayStart(ahead)))
      await store.ingest('late', 'l-1', [gauge('x', ahead, 1), gauge('x', ancient, 2), gauge('x', NOW, 3)], [], NOW, NOW - DAY_MS)
      expect(await count(store.pool, 'SELECT count(*) AS n FROM metric_blocks_default')).toBe(2)
      expect(await count(store.pool, 'SELECT count(*) AS n FROM rollup_1m_default')).toBe(2)
      const before = await store.rawRows('late', 0, ahead + DAY_MS)
      // two replicas' maintenance at once, three days on: the day of `ahead` gets its partition and its rows
      await Promise.all([maintainPartitions(store.pool, NOW + 3 * DAY_MS), maintainPartitions(other.pool, NOW + 3 * DAY_MS)])
      for (const table of ['metric_blocks', 'rollup_1m']) {
        expect(await count(store.pool, `SELECT count(*) AS n FROM ${partitionName(table, dayStart(ahead))}`), table).toBe(1)
        // the point older than any day data can arrive for stays in the DEFAULT partition
        expect(await count(store.pool, `SELECT count(*) AS n FROM ${table}_default`), table).toBe(1)
      }
      expect(await store.rawRows('late', 0, ahead + DAY_MS)).toEqual(before)
      // the moved partition is a full partition: the upsert key and foreign key hold
      await store.ingest('late', 'l-2', [gauge('x', ahead + 1, 3)], [], NOW, NOW - DAY_MS)
      expect((await store.tierRows('late', '1m', ahead, ahead + 60_000)).map((r) => [r.count, r.sum])).toEqual([[2, 4]])
      expect(await store.purge('raw', ancient + 1, 10)).toEqual({ rows: 0, deleted: 0 }) // its minute is not over by then
      expect(await store.purge('raw', ancient + 60_000, 10)).toEqual({ rows: 1, deleted: 1 })
      await store.deleteServer('late')
      expect(await count(store.pool, 'SELECT count(*) AS n FROM metric_blocks')).toBe(0)
      expect(await count(store.pool, 'SELECT count(*) AS n FROM rollup_1m')).toBe(0)
    } finally {
      await store.close()
      await other.close()
    }
  })

  it('converts a database holding rows (migration 21): same rows and ids, the id sequence goes on', async () => {
    const url = cluster.createDatabase('partitions_migration')
    const pool = new pg.Pool({ connectionString: url })
    try {
      await migratePostgres(pool, 20)
      await pool.query("INSERT INTO servers (id, name, created_at) VALUES ('old', 'Old', 0)")
      await pool.query("INSERT INTO series (server_id, name, type, tags) VALUES ('old', 'm', 'gauge', '{}')")
      const times = [NOW - 30 * DAY_MS, NOW - 2 * DAY_MS, NOW - DAY_MS, NOW, NOW + 60_000]
      for (const [i, t] of times.entries()) {
        await pool.query('INSERT INTO metric_points (series_id, timestamp, count, sum, min, max, last) SELECT id, $1, 1, $2, $2, $2, $2 FROM series', [t, i])
        await pool.query('INSERT INTO rollup_1m (series_id, bucket, count, sum, min, max, last, last_ts) SELECT id, $1, 1, $2, $2, $2, $2, $1 FROM series', [t - (t % 60_000), i])
      }
      const read = async () => ({
        raw: (await pool.query('SELECT id, series_id, timestamp, sum FROM metric_points ORDER BY id')).rows,
        minute: (await pool.query('SELECT series_id, bucket, sum, last_ts FROM rollup_1m ORDER BY bucket')).rows,
      })
      const before = await read()
      await migratePostgres(pool, 21, NOW)
      expect(await read()).toEqual(before)
      expect(await partitions(pool, 'metric_points')).toContain(partitionName('metric_points', dayStart(NOW)))
      expect(await count(pool, 'SELECT count(*) AS n FROM metric_points_default')).toBe(1)
      expect(await count(pool, `SELECT count(*) AS n FROM ${partitionName('rollup_1m', dayStart(NOW - DAY_MS))}`)).toBe(1)
      expect((await pool.query("SELECT count(*)::int AS n FROM pg_class WHERE relname LIKE '%unpartitioned%'")).rows).toEqual([{ n: 0 }])
      await pool.query(`INSERT INTO metric_points (series_id, timestamp, count, sum, min, max, last) SELECT id, ${NOW}, 1, 9, 9, 9, 9 FROM series`)
      expect(Number((await pool.query('SELECT max(id) AS id FROM metric_points')).rows[0]?.id)).toBe(Math.max(...before.raw.map((r) => Number(r.id))) + 1)
      expect((await pool.query("SELECT pg_get_serial_sequence('metric_points', 'id') AS s")).rows).toEqual([{ s: 'public.metric_points_id_seq' }])
      await pool.query("DELETE FROM servers WHERE id = 'old'")
      expect(await count(pool, 'SELECT (SELECT count(*) FROM metric_points) + (SELECT count(*) FROM rollup_1m) AS n')).toBe(0)
    } finally {
      await pool.end()
    }
  })
})
