import { closeSync, mkdirSync, openSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import { groupCommit } from './group-commit'
import { SQLITE_MIGRATIONS } from './migrations'
import { driveSync, type Op, type SqlDriver } from '../sql/program'
import { sqlStore, type SqlStoreOptions } from '../sql/sql-store'
import { RETENTION, type BulkTable, type SqlFragments } from '../sql/statements'
import { type Store, StoreClosedError } from '../store'

export interface SqliteStoreOptions extends SqlStoreOptions {
  /** Database file; created (mode 0600, with its directory) when missing. `:memory:` for tests. */
  path: string
  /** Open without writing (no migrations); for tools that only read. */
  readonly?: boolean
}

/** SQLite's pieces of the shared SQL. */
export const SQLITE_FRAGMENTS: SqlFragments = {
  jsonValues: 'json_each(?)',
  jsonIds: 'json_each(?)',
  // a write transaction (BEGIN IMMEDIATE) holds the whole database
  forUpdate: '',
  skipLocked: '',
  // SQLite's default collation (BINARY) compares bytes
  binaryOrder: '',
  // the primary key: the tier tables are WITHOUT ROWID
  rowKey: (target) => RETENTION[target].key,
}

/** Bulk inserts are one prepared statement run per row, inside the caller's transaction. */
const insertSql = (table: BulkTable) =>
  `INSERT INTO ${table.name} (${table.columns.map((c) => c.name).join(', ')}) VALUES (${table.columns.map(() => '?').join(', ')})${table.onConflict ?? ''}`

/** Runs the shared programs' statements on `db`, each prepared once. */
export function executor(db: Database.Database): (op: Op) => unknown {
  const prepared = new Map<string, Database.Statement>()
  const prepare = (sql: string, raw = false) => {
    const key = raw ? `raw:${sql}` : sql
    let statement = prepared.get(key)
    if (!statement) prepared.set(key, (statement = raw ? db.prepare(sql).raw(true) : db.prepare(sql)))
    return statement
  }
  return (op) => {
    if (op.kind === 'all') return prepare(op.sql).all(...op.params)
    if (op.kind === 'arrays') return prepare(op.sql, true).all(...op.params)
    if (op.kind === 'run') return prepare(op.sql).run(...op.params).changes
    const statement = prepare(insertSql(op.table))
    return op.rows.reduce((n, row) => n + statement.run(...row).changes, 0)
  }
}

/** Applies pending migrations (those up to version `upTo`, for tests of a migration); returns the schema version. */
export function migrateSqlite(db: Database.Database, upTo = Number.POSITIVE_INFINITY): number {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)')
  const applied = new Set(db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[])
  for (const migration of SQLITE_MIGRATIONS) {
    if (applied.has(migration.version) || migration.version > upTo) continue
    db.transaction(() => {
      db.exec(migration.sql)
      if (migration.program) driveSync(migration.program(), executor(db))
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        migration.version,
        migration.name,
        Date.now(),
      )
    }).immediate()
  }
  return SQLITE_MIGRATIONS.at(-1)?.version ?? 0
}

/**
 * Opens the embedded SQLite store and applies pending migrations.
 *
 * Durability: WAL with `synchronous=NORMAL`. Every acknowledged batch survives a crash or kill of this
 * process; a power loss or kernel crash may lose the last few acknowledged commits (the WAL is synced at
 * checkpoints, not at each commit). `FULL` would close that window at the cost of an fsync per batch.
 * Writes are `BEGIN IMMEDIATE` with a 5 s busy timeout, so CLI commands can run beside the service. Ingest
 * transactions queued together share one commit (group-commit.ts); each is still all or nothing on its own.
 */
export function openSqliteStore(options: SqliteStoreOptions): Store & { readonly db: Database.Database } {
  if (options.path !== ':memory:' && !options.readonly) {
    mkdirSync(dirname(options.path), { recursive: true })
    // Create the file ourselves so it is never world-readable, even for a moment.
    closeSync(openSync(options.path, 'a', 0o600))
  }
  const db = new Database(options.path, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false })
  db.pragma('busy_timeout = 5000')
  if (!options.readonly) {
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = NORMAL')
    db.pragma('foreign_keys = ON')
    migrateSqlite(db)
  }

  const execute = executor(db)
  const grouped = groupCommit(db)
  const driver: SqlDriver = {
    async run(program) {
      return driveSync(program, execute)
    },
    async transaction(program, options) {
      if (options?.groupCommit) return grouped.enqueue(() => driveSync(program, execute))
      return db.transaction(() => driveSync(program, execute)).immediate()
    },
    async end() {
      grouped.flush()
      db.close()
    },
  }

  return {
    kind: 'sqlite',
    db,
    ...sqlStore(driver, SQLITE_FRAGMENTS, options),
    async maintain() {
      if (!db.open) throw new StoreClosedError()
      // PASSIVE never waits for readers; what it cannot copy now, the next run does
      db.pragma('wal_checkpoint(PASSIVE)')
    },
    async backup(file) {
      if (!db.open) throw new StoreClosedError()
      await db.backup(file)
    },
  }
}
