// A database written by release 0 (test/fixtures/release-0.db, made by test/fixtures/make-release-0.mjs with the
// release 0 build) is migrated in place to the series-keyed schema, on SQLite and on PostgreSQL (the release 0
// schema from release-0-postgres.sql, filled with the same rows), all at once and one version at a time. Nothing
// is lost or counted twice, and every report answers what release 0 answered at the same instant.
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { type MetricsFetchResponse, PERIOD_SPECS, type Period, type ServersListResponse, SKETCH_RELATIVE_ACCURACY } from '@mcpdir/metrics/protocol'
import Database from 'better-sqlite3'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { createApp } from '../app/create-app'
import { migrateCommand } from '../cli/migrate'
import { hashKey } from '../credentials/keys'
import { openPostgresStore } from './postgres/postgres-store'
import { setMigrationBatchRows } from './sql/series-migration'
import { migrateSqlite, openSqliteStore } from './sqlite/sqlite-store'
import type { Store } from './store'
import { type PgCluster, requirePostgres, startPostgres } from '../testing/postgres-cluster'

const FIXTURES = resolve(import.meta.dirname, '../../test/fixtures')
const FIXTURE = join(FIXTURES, 'release-0.db')
const ADMIN = 'release-0-fixture-admin-key'
const answers = JSON.parse(readFileSync(join(FIXTURES, 'release-0-answers.json'), 'utf8')) as {
  now: number
  metricsFetch: Record<string, MetricsFetchResponse>
  servers: Record<Period, ServersListResponse>
}

type Query = (sql: string) => Promise<Record<string, unknown>[]>
const fixtureDb = () => new Database(FIXTURE, { readonly: true, fileMustExist: true })
const one = (rows: Record<string, unknown>[]) => Object.fromEntries(Object.entries(rows[0] ?? {}).map(([k, v]) => [k, Number(v)]))

/** Totals of the release 0 tables, read from the fixture itself. */
function releaseTotals() {
  const db = fixtureDb()
  try {
    const get = (sql: string) => one([db.prepare(sql).get() as Record<string, unknown>])
    // a dirty minute's 1m rows are rebuilt from its raw points
    const dirty = 'SELECT 1 FROM rollup_dirty d WHERE d.server_id = m.server_id AND d.minute ='
    return {
      raw: get('SELECT count(*) AS n, sum(count) AS count, sum(sum) AS sum FROM server_metrics'),
      minute: get(`SELECT sum(count) AS count, sum(sum) AS sum FROM (
        SELECT count, sum FROM rollup_minute m WHERE NOT EXISTS (${dirty} m.bucket)
        UNION ALL SELECT count, sum FROM server_metrics m WHERE EXISTS (${dirty} (m.timestamp / 60000) * 60000))`),
      hour: get('SELECT count(*) AS n, sum(count) AS count, sum(sum) AS sum FROM rollup_hour'),
      day: get('SELECT count(*) AS n, sum(count_value) AS count, sum(sum_value) AS sum FROM server_metrics_daily'),
      series: get(`SELECT count(*) AS n FROM (SELECT server_id, name, type, tags FROM server_metrics UNION SELECT server_id, name, type, tags FROM rollup_minute
        UNION SELECT server_id, name, type, tags FROM rollup_hour UNION SELECT server_id, metric_name, type, tags FROM server_metrics_daily)`),
      dirty: get('SELECT count(*) AS n FROM rollup_dirty'),
    }
  } finally {
    db.close()
  }
}

/** What the migration must have kept: every total of the release 0 tables, in the new ones. */
async function expectNothingLost(sql: Query, store: Store) {
  const old = releaseTotals()
  const totals = async (query: string) => one(await sql(query))
  const raw = (await Promise.all(['alpha', 'beta', 'gamma'].map((id) => store.rawRows(id, 0, Number.MAX_SAFE_INTEGER)))).flat()
  expect({ n: raw.length, count: raw.reduce((s, r) => s + r.count, 0), sum: raw.reduce((s, r) => s + r.sum, 0) }).toEqual(old.raw)
  expect(await totals('SELECT sum(count) AS count, sum(sum) AS sum FROM rollup_1m')).toEqual(old.minute)
  expect(await totals('SELECT count(*) AS n, sum(count) AS count, sum(sum) AS sum FROM rollup_1h')).toEqual(old.hour)
  expect(await totals('SELECT count(*) AS n, sum(count) AS count, sum(sum) AS sum FROM rollup_1d')).toEqual(old.day)
  expect(await totals('SELECT count(*) AS n FROM series')).toEqual(old.series)
  for (const tier of ['5m', '15m']) expect(await totals(`SELECT sum(count) AS count, sum(sum) AS sum FROM rollup_${tier}`), tier).toEqual(old.minute)
  expect(await totals('SELECT sum(count) AS count, sum(sum) AS sum FROM rollup_6h')).toEqual({ count: old.hour.count, sum: old.hour.sum })
  // the minutes release 0 left dirty stay dirty, for their coarser buckets
  expect(await totals('SELECT count(*) AS n FROM rollup_dirty')).toEqual(old.dirty)
  expect(old.dirty.n).toBeGreaterThan(0)
}

const PERCENTILE_KEYS = new Set(['p50', 'p95', 'p99', 'p50_ms', 'p95_ms'])

/** A copy of `value` without its percentiles, and the percentiles by path. */
function withoutPercentiles(value: unknown, path = '', out = new Map<string, number | null>()): { rest: unknown; percentiles: Map<string, number | null> } {
  if (Array.isArray(value)) return { rest: value.map((v, i) => withoutPercentiles(v, `${path}[${i}]`, out).rest), percentiles: out }
  if (value === null || typeof value !== 'object') return { rest: value, percentiles: out }
  const rest: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) {
    if (PERCENTILE_KEYS.has(k)) out.set(`${path}.${k}`, v as number | null)
    else rest[k] = withoutPercentiles(v, `${path}.${k}`, out).rest
  }
  return { rest, percentiles: out }
}

/**
 * `now` equals release 0's `old` answer exactly, except percentiles: release 0 read rank floor(q · (n − 1)), reads
 * now use the nearest rank ceil(q · n), never a lower one. So each percentile is present exactly where it was, and
 * at least release 0's value (less the sketch's 1 %, as two ranks can share a bucket).
 */
function expectSameAnswer(now: unknown, old: unknown, label: string) {
  const a = withoutPercentiles(now)
  const b = withoutPercentiles(old)
  expect(a.rest, label).toEqual(b.rest)
  expect([...a.percentiles.keys()], label).toEqual([...b.percentiles.keys()])
  for (const [path, before] of b.percentiles) {
    const after = a.percentiles.get(path)
    if (before === null || before === undefined) expect(after, `${label} ${path}`).toBe(before)
    else expect(after as number, `${label} ${path}`).toBeGreaterThanOrEqual(before * (1 - SKETCH_RELATIVE_ACCURACY) - 1e-9)
  }
}

/** Every report of the fixture's answers, read from `store` at the same instant, equals release 0's. */
async function expectReleaseAnswers(store: Store) {
  const app = createApp({ store, clock: () => answers.now, backgroundJobs: false, config: { adminKeyHash: hashKey(ADMIN), trustProxy: true } })
  const read = async (path: string) => (await app.request(path, { headers: { authorization: `Bearer ${ADMIN}` } })).json()
  try {
    for (const [key, old] of Object.entries(answers.metricsFetch)) {
      const [server, period, names] = key.split('|') as [string, Period, string]
      const body = (await read(`/functions/v1/metrics-fetch?server_id=${server}&period=${period}${names ? `&metrics=${names}` : ''}`)) as MetricsFetchResponse
      // the tier is named by its width now ('minute' was release 0's name for the tier every short period read)
      expect(body.tier, key).toBe(PERIOD_SPECS[period].tier)
      expectSameAnswer({ ...body, tier: old.tier }, old, key)
    }
    for (const [period, old] of Object.entries(answers.servers)) {
      const list = (await read(`/functions/v1/servers?period=${period}`)) as ServersListResponse
      for (const server of old.servers) {
        const now = list.servers.find((s) => s.id === server.id)
        const fields = now && Object.fromEntries(Object.keys(server).map((k) => [k, (now as unknown as Record<string, unknown>)[k]]))
        expectSameAnswer(fields, server, `${period} ${server.id}`)
      }
    }
  } finally {
    app.stop()
  }
}

describe('a release 0 SQLite database', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mcpdir-release-0-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('is migrated in place: nothing lost or counted twice, every report as release 0 answered it', async () => {
    const file = join(dir, 'all-at-once.db')
    copyFileSync(FIXTURE, file)
    const store = openSqliteStore({ path: file })
    try {
      const sql: Query = async (query) => store.db.prepare(query).all() as Record<string, unknown>[]
      await expectNothingLost(sql, store)
      for (const table of ['server_metrics', 'rollup_minute', 'rollup_hour', 'server_metrics_daily']) {
        expect(await sql(`SELECT name FROM sqlite_master WHERE name = '${table}'`), table).toEqual([])
      }
      await expectReleaseAnswers(store)
      expect(await sql('SELECT count(*) AS n FROM rollup_dirty')).toEqual([{ n: 0 }])
    } finally {
      await store.close()
    }
  })

  it('migrates one version at a time, each its own transaction, to the same answers', async () => {
    const file = join(dir, 'stepwise.db')
    copyFileSync(FIXTURE, file)
    const db = new Database(file)
    db.pragma('foreign_keys = ON')
    setMigrationBatchRows(97) // every table in several batches
    try {
      for (const version of [4, 5, 6, 7, 8, 20, 22, 23, 24, 25]) {
        migrateSqlite(db, version)
        expect(db.prepare('SELECT max(version) AS v FROM schema_migrations').get(), `up to ${version}`).toEqual({ v: version })
      }
    } finally {
      setMigrationBatchRows(5_000)
      db.close()
    }
    const store = openSqliteStore({ path: file })
    try {
      await expectNothingLost(async (query) => store.db.prepare(query).all() as Record<string, unknown>[], store)
      await expectReleaseAnswers(store)
    } finally {
      await store.close()
    }
  })
})

const run = requirePostgres()
let cluster: PgCluster | undefined
afterAll(() => cluster?.stop())

/** Parents before children, as release 0's foreign keys need. */
const RELEASE_0_TABLES = [
  'servers',
  'server_keys',
  'server_secrets',
  'settings',
  'daily_salts',
  'ingest_batches',
  'server_metrics',
  'server_events',
  'server_usage',
  'server_heartbeats',
  'rollup_dirty',
  'rollup_minute',
  'rollup_hour',
  'server_metrics_daily',
]

/** A PostgreSQL database at release 0's schema holding the fixture's rows. */
async function releaseZeroPostgres(url: string) {
  const db = new pg.Client({ connectionString: url })
  await db.connect()
  const source = fixtureDb()
  try {
    await db.query(readFileSync(join(FIXTURES, 'release-0-postgres.sql'), 'utf8'))
    for (const table of RELEASE_0_TABLES) {
      const columns = (source.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name)
      const rows = source.prepare(`SELECT ${columns.join(', ')} FROM ${table}`).raw().all() as unknown[][]
      for (let i = 0; i < rows.length; i += 500) {
        const batch = rows.slice(i, i + 500)
        const values = batch.map((_, r) => `(${columns.map((_, c) => `$${r * columns.length + c + 1}`).join(', ')})`).join(', ')
        const params = batch.flatMap((row) => row.map((v, c) => (['is_private', 'require_signature', 'disabled'].includes(columns[c] as string) ? v === 1 : v)))
        await db.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${values}`, params)
      }
    }
    for (const table of ['server_keys', 'server_secrets', 'server_metrics', 'server_events', 'server_usage']) {
      await db.query(`SELECT setval(pg_get_serial_sequence('${table}', 'id'), COALESCE((SELECT max(id) FROM ${table}), 0) + 1, false)`)
    }
  } finally {
    source.close()
    await db.end()
  }
}

describe.runIf(run)('a release 0 PostgreSQL database', () => {
  it('is migrated in place: nothing lost or counted twice, every report as release 0 answered it', async () => {
    cluster ??= startPostgres()
    const url = cluster.createDatabase('release_0')
    await releaseZeroPostgres(url)
    setMigrationBatchRows(97) // every table in several batches
    const store = await openPostgresStore({ connectionString: url }).finally(() => setMigrationBatchRows(5_000))
    try {
      const sql: Query = async (query) => (await store.pool.query(query)).rows
      await expectNothingLost(sql, store)
      expect(await sql("SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name IN ('server_metrics', 'rollup_minute', 'rollup_hour', 'server_metrics_daily')")).toEqual([{ n: 0 }])
      await expectReleaseAnswers(store)
      expect(await sql('SELECT count(*)::int AS n FROM rollup_dirty')).toEqual([{ n: 0 }])
      // the sequences go on after the copied ids
      const [next] = await sql('SELECT max(id) AS id FROM series')
      await store.ingest('alpha', 'after-migration', [{ name: 'brand.new', type: 'counter', tags: {}, timestamp: answers.now, count: 1, sum: 1, min: 1, max: 1, last: 1 }], [], answers.now, answers.now - 1)
      expect(Number((await sql('SELECT max(id) AS id FROM series'))[0]?.id)).toBeGreaterThan(Number(next?.id))
    } finally {
      await store.close()
    }
  })

  it('is copied from a release 0 SQLite file by `mcpdir-metrics migrate`, converted on the way', async () => {
    cluster ??= startPostgres()
    const dir = mkdtempSync(join(tmpdir(), 'mcpdir-release-0-'))
    try {
      const file = join(dir, 'release-0.db')
      copyFileSync(FIXTURE, file)
      const url = cluster.createDatabase('release_0_copied')
      expect(await migrateCommand.run(['--from', file, '--to', url])).toBe(0)
      const store = await openPostgresStore({ connectionString: url })
      try {
        await expectNothingLost(async (query) => (await store.pool.query(query)).rows, store)
        await expectReleaseAnswers(store)
      } finally {
        await store.close()
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
