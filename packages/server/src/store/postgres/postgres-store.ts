import pg from 'pg'
import { POSTGRES_MIGRATIONS } from './migrations'
import { type PipelinedReads, pipelinedReads } from './pipelined-reads'
import { dropPartitionsBefore, ensurePartitions, PARTITION_LOCK, PARTITIONED, type PartitionedTable, purgeRowsSql } from './partitions'
import { all, columnsOf, driveAsync, exec, type Op, type Program, type SqlDriver } from '../sql/program'
import { metricStatements } from '../sql/metric-statements'
import { sqlStore, type SqlStoreOptions } from '../sql/sql-store'
import { type BulkTable, purgeCutoff, type SqlFragments } from '../sql/statements'
import { type PurgeStep, type Store, StoreClosedError } from '../store'

export interface PostgresStoreOptions extends SqlStoreOptions {
  /** `postgresql://user:password@host:5432/db` (a unix socket: `?host=/var/run/postgresql`). */
  connectionString: string
  /** Connections per service process, the pipelined ones included. Default 10. */
  maxConnections?: number
  /**
   * How many of those connections carry the SELECT statements outside transactions, pipelined (pipelined-reads.ts);
   * the rest are the pool, for transactions and other writes. Default: a quarter of `maxConnections`, at most 2
   * (so none when `maxConnections` is below 4). 0 sends every statement through the pool.
   */
  pipelinedReads?: number
  /**
   * Prepare the pipelined SELECT statements, once per connection (pipelined-reads.ts). Default true. A pooler in
   * transaction mode that does not keep prepared statements (PgBouncer before 1.21, or with
   * `max_prepared_statements = 0`) is detected at the first statement it loses, which then runs unnamed, as every
   * later one does; `false` never prepares.
   */
  preparedStatements?: boolean
  /** The time daily partitions are made ahead from (at open and in `maintain()`). Defaults to the system clock. */
  clock?: () => number
}

const MIGRATION_LOCK = 7_270_001

// BIGINT (ms timestamps, counts) as numbers: every value the service stores fits in 2^53.
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
}

const FRAGMENTS: SqlFragments = {
  jsonValues: 'json_array_elements_text(CAST(? AS json))',
  jsonIds: '(SELECT value::bigint AS value FROM json_array_elements_text(CAST(? AS json))) AS ids',
  forUpdate: ' FOR UPDATE',
  // replicas take different rows instead of waiting for each other
  skipLocked: ' FOR UPDATE SKIP LOCKED',
  binaryOrder: ' COLLATE "C"',
  // the physical row: no index lookup, and the same for every table
  rowKey: () => 'ctid',
}

/** Retention of chart rows, which `purge` runs itself for the partitioned 1m tier. */
const PURGE_CHARTS = metricStatements(FRAGMENTS).purgeCharts

/** The shared statements' `?` placeholders as `$1`, `$2`, …, converted once per statement. */
const numbered = new Map<string, string>()
function numberPlaceholders(sql: string): string {
  let text = numbered.get(sql)
  if (text === undefined) {
    let n = 0
    numbered.set(sql, (text = sql.replace(/\?/g, () => `$${++n}`)))
  }
  return text
}

/** Bulk inserts are one statement: each column an array parameter, turned back into rows by `unnest`. */
const insertSql = (table: BulkTable) =>
  `INSERT INTO ${table.name} (${table.columns.map((c) => c.name).join(', ')})
   SELECT * FROM unnest(${table.columns.map((c, i) => `$${i + 1}::${c.type}[]`).join(', ')})${table.onConflict ?? ''}`

/**
 * A plain SELECT, which the pipelined connections take. A write, or a SELECT that locks rows, may wait on a lock and
 * would hold up every statement queued behind it there: those stay on the pool. Decided once per statement text,
 * as placeholders are numbered once.
 */
const plainSelects = new Map<string, boolean>()
function isSelect(op: Op): boolean {
  if (op.kind !== 'all' && op.kind !== 'arrays') return false
  let select = plainSelects.get(op.sql)
  if (select === undefined) {
    select = /^\s*SELECT\b/i.test(op.sql) && !/\bFOR (NO KEY |KEY )?(UPDATE|SHARE)\b/i.test(op.sql)
    plainSelects.set(op.sql, select)
  }
  return select
}

/** What runs a statement: the pool, a checked-out client, or the pipelined connections. */
interface Queryable {
  query(config: pg.QueryConfig | pg.QueryArrayConfig): Promise<pg.QueryResult>
}

async function execute(client: Queryable, op: Op): Promise<unknown> {
  if (op.kind === 'insert') return (await client.query({ text: insertSql(op.table), values: columnsOf(op.rows, op.table.columns.length) })).rowCount ?? 0
  if (op.kind === 'arrays') return (await client.query({ text: numberPlaceholders(op.sql), values: op.params as unknown[], rowMode: 'array' })).rows
  const result = await client.query({ text: numberPlaceholders(op.sql), values: op.params as unknown[] })
  return op.kind === 'all' ? result.rows : (result.rowCount ?? 0)
}

/**
 * Runs `fn` in a transaction on one pooled connection: committed if it resolves, rolled back if it throws. A
 * connection that breaks meanwhile (terminated, server gone) emits 'error' on the client while it is checked
 * out: listened to here, so it never becomes an uncaught exception, and the client is destroyed, not reused.
 */
async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect()
  let broken: Error | undefined
  const onError = (error: Error) => {
    broken = error
  }
  client.on('error', onError)
  try {
    await client.query('BEGIN')
    const result = await fn(client)
    await client.query('COMMIT')
    return result
  } catch (error) {
    await client.query('ROLLBACK').catch((rollbackError: Error) => {
      broken ??= rollbackError
    })
    throw error
  } finally {
    client.off('error', onError)
    client.release(broken)
  }
}

/** Applies pending migrations (those up to version `upTo`, for tests of a migration) under an advisory lock. */
export async function migratePostgres(pool: pg.Pool, upTo = Number.POSITIVE_INFINITY, now = Date.now()): Promise<void> {
  await inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK])
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)')
    const applied = new Set((await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version))
    for (const migration of POSTGRES_MIGRATIONS) {
      if (applied.has(migration.version) || migration.version > upTo) continue
      await client.query(migration.sql)
      if (migration.program) await driveAsync(migration.program(now), (op) => execute(client, op))
      await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [migration.version, migration.name, Date.now()])
    }
  })
}

/**
 * Runs a program changing partitions in its own transaction under PARTITION_LOCK. DDL on a partitioned table
 * waits for the queries using it and makes later ones wait behind it: a lock not had within `lock_timeout`
 * gives up (answers undefined) rather than hold ingest up; the next maintenance or purge tries again.
 */
async function partitionChange<T>(pool: pg.Pool, program: Program<T>): Promise<T | undefined> {
  try {
    return await inTransaction(pool, async (client) => {
      await client.query("SET LOCAL lock_timeout = '5s'")
      await client.query('SELECT pg_advisory_xact_lock($1)', [PARTITION_LOCK])
      return driveAsync(program, (op) => execute(client, op))
    })
  } catch (error) {
    if ((error as { code?: unknown }).code === '55P03') return undefined // lock_not_available
    throw error
  }
}

/** Creates the daily partitions data can arrive for (see partitions.ts), in every partitioned table. */
export async function maintainPartitions(pool: pg.Pool, now = Date.now()): Promise<void> {
  for (const table of Object.values(PARTITIONED)) await partitionChange(pool, ensurePartitions(table, now))
}

/** Retention of a partitioned table: whole partitions below the cutoff dropped, then up to `limit` rows deleted. */
async function purgePartitioned(pool: pg.Pool, table: PartitionedTable, before: number, limit: number): Promise<PurgeStep> {
  const dropped = (await partitionChange(pool, dropPartitionsBefore(table, before))) ?? { rows: 0, deleted: 0 }
  const deleted = await driveAsync(all<{ n: number }>(purgeRowsSql(table), [before, limit, before]), (op) => execute(pool, op))
  return { rows: dropped.rows + deleted.length, deleted: dropped.deleted + deleted.reduce((total, r) => total + Number(r.n), 0) }
}

/**
 * The PostgreSQL store, for several stateless service replicas sharing one database. Same tables and
 * behaviour as the SQLite store; batch dedupe and rollups are safe under concurrency (a unique key decides
 * which replica stores a batch; the server's row lock serializes every merge into and rebuild of its rows).
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store & { readonly pool: pg.Pool; readonly pipelined: PipelinedReads | undefined }> {
  const max = options.maxConnections ?? 10
  const pipelined = options.pipelinedReads ?? (max >= 4 ? Math.min(2, Math.floor(max / 4)) : 0)
  if (!(Number.isInteger(pipelined) && pipelined >= 0 && pipelined < max)) {
    throw new RangeError(`pipelinedReads must be an integer from 0 to maxConnections - 1 (${max - 1}), got ${pipelined}`)
  }
  const pool = new pg.Pool({ connectionString: options.connectionString, max: max - pipelined, types })
  // An idle connection that breaks (terminated, server restarted), pooled or pipelined, is replaced, and the
  // listeners (the service's logger) hear of it. Listened to even without listeners, so it never throws uncaught.
  const errorListeners = new Set<(error: Error) => void>()
  const idleError = (error: Error) => {
    for (const listener of errorListeners) listener(error)
  }
  pool.on('error', idleError)
  const clock = options.clock ?? Date.now
  await migratePostgres(pool, Number.POSITIVE_INFINITY, clock())
  await maintainPartitions(pool, clock())

  const reads = pipelined > 0 ? pipelinedReads({ connectionString: options.connectionString, types }, pipelined, idleError, { prepare: options.preparedStatements }) : undefined
  const driver: SqlDriver = {
    run: (program) => driveAsync(program, (op) => execute(reads && isSelect(op) ? reads : pool, op)),
    transaction: (program) => inTransaction(pool, (client) => driveAsync(program, (op) => execute(client, op))),
    end: async () => {
      await Promise.all([pool.end(), reads?.end()])
    },
  }

  const shared = sqlStore(driver, FRAGMENTS, options)
  return {
    kind: 'postgres',
    pool,
    pipelined: reads,
    ...shared,
    onError(listener) {
      errorListeners.add(listener)
      return () => errorListeners.delete(listener)
    },
    async purge(target, before, limit) {
      if (pool.ending) throw new StoreClosedError()
      const table = target === 'raw' || target === '1m' ? PARTITIONED[target] : undefined
      if (!table) return shared.purge(target, before, limit)
      const step = await purgePartitioned(pool, table, purgeCutoff(target, before), limit)
      if (target !== '1m') return step
      // the 1m tier's chart rows go by the same cutoff (chart_blocks is not partitioned)
      const charts = await driver.run(exec(PURGE_CHARTS, [target, purgeCutoff(target, before), limit]))
      return { rows: Math.max(step.rows, charts), deleted: step.deleted }
    },
    async maintain() {
      if (pool.ending) throw new StoreClosedError()
      // PostgreSQL's autovacuum and checkpointer do the rest
      await maintainPartitions(pool, clock())
    },
    async backup() {
      throw new Error('backup copies SQLite databases; for PostgreSQL use pg_dump (or your provider\'s backups)')
    },
  }
}
