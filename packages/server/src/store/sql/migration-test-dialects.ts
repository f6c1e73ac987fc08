// For the tests of one migration on both dialects: a database migrated up to the version before it, written to
// directly as that version's code wrote it, then opened by the store (which applies the migration), beside a
// fresh store to compare with; and the seeded random numbers their data is made from.
import Database from 'better-sqlite3'
import pg from 'pg'
import { type PgCluster, startPostgres } from '../../testing/postgres-cluster'
import { migratePostgres, openPostgresStore } from '../postgres/postgres-store'
import { migrateSqlite, openSqliteStore } from '../sqlite/sqlite-store'
import type { Store } from '../store'

/** A store with a way to run SQL on its database. */
export type StoreWithSql = Store & { sql(query: string): Promise<Record<string, unknown>[]> }

/** A database at the schema before a migration: `exec` runs SQL with `?` placeholders. */
export interface OldDatabase {
  exec(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>
  close(): Promise<void>
}

export interface MigrationDialect {
  /** A database migrated up to the version before the migration. */
  old(): Promise<OldDatabase>
  /** The store on that database (so migrating it), or a fresh empty one. */
  store(fresh: boolean): Promise<StoreWithSql>
}

/** SQLite: the database is the file at `file`. */
export function sqliteDialect(file: string, before: number): MigrationDialect {
  return {
    async old() {
      const db = new Database(file)
      db.pragma('journal_mode = WAL') // as the store opens it: one insert per commit stays fast
      migrateSqlite(db, before)
      return {
        exec: async (sql, params = []) => (sql.startsWith('SELECT') ? (db.prepare(sql).all(...params) as Record<string, unknown>[]) : (db.prepare(sql).run(...params), [])),
        close: async () => void db.close(),
      }
    },
    async store(fresh) {
      const store = openSqliteStore({ path: fresh ? ':memory:' : file })
      return Object.assign(store, { sql: async (query: string) => store.db.prepare(query).all() as Record<string, unknown>[] })
    },
  }
}

/**
 * PostgreSQL: a database named `name` (and `<name>_live` for the fresh store) on a cluster started on first use;
 * `now` is the stores' clock (migrations and maintenance make partitions from it). Stop the cluster with `stop()`.
 */
export function postgresDialect(name: string, before: number, now?: number): MigrationDialect & { stop(): void } {
  let cluster: PgCluster | undefined
  let url = ''
  const clock = now === undefined ? {} : { clock: () => now }
  return {
    async old() {
      cluster ??= startPostgres()
      url = cluster.createDatabase(name)
      const pool = new pg.Pool({ connectionString: url, max: 1 })
      await migratePostgres(pool, before, now)
      let n = 0
      const numbered = (sql: string) => sql.replace(/\?/g, () => `$${++n}`)
      return {
        exec: async (sql, params = []) => ((n = 0), (await pool.query(numbered(sql), params)).rows),
        close: () => pool.end(),
      }
    },
    async store(fresh) {
      cluster ??= startPostgres()
      const store = await openPostgresStore({ connectionString: fresh ? cluster.createDatabase(`${name}_live`) : url, ...clock })
      return Object.assign(store, { sql: async (query: string) => (await store.pool.query(query)).rows as Record<string, unknown>[] })
    },
    stop: () => cluster?.stop(),
  }
}

/** mulberry32: numbers in [0, 1), the same every run for a seed. */
export function seededRandom(seed: number): () => number {
  let state = seed
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = Math.imul(state ^ (state >>> 15), state | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
