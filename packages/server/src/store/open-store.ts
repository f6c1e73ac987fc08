// Opens a store by URL, loading each database driver only when it is used: a SQLite-only install never loads
// (or needs) `pg`, which is an optional peer dependency, as drizzle-orm does per driver.
import { resolve } from 'node:path'
import type { PostgresStoreOptions } from './postgres/postgres-store'
import { openSqliteStore } from './sqlite/sqlite-store'
import type { Store } from './store'

export interface OpenStoreOptions {
  /** PostgreSQL only: connections per service process. Default 10. */
  maxConnections?: number
  /** PostgreSQL only: how many of them pipeline the SELECT statements outside transactions (see `PostgresStoreOptions`). */
  pipelinedReads?: number
  /** PostgreSQL only: prepare the pipelined SELECT statements (see `PostgresStoreOptions`). Default true. */
  preparedStatements?: boolean
  /** SQLite only: open without writing (no migrations). */
  readonly?: boolean
  /** Memory for the series cache, in MB (see `SqlStoreOptions`). Default 40. */
  seriesCacheMb?: number
}

const POSTGRES_URL = /^postgres(ql)?:\/\//

/** True for a `postgres://` or `postgresql://` URL. */
export function isPostgresUrl(url: string): boolean {
  return POSTGRES_URL.test(url)
}

/**
 * Loads the PostgreSQL store module (and with it `pg`). Throws a message that says what to install when the
 * optional peer `pg` is missing.
 */
export async function loadPostgresStore(): Promise<typeof import('./postgres/postgres-store')> {
  try {
    return await import('./postgres/postgres-store')
  } catch (error) {
    const code = (error as { code?: unknown }).code
    if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && /['"]pg['"]/.test(String((error as Error).message))) {
      throw new Error('PostgreSQL needs the pg package next to @mcpdir/metrics-server: npm i pg', { cause: error })
    }
    throw error
  }
}

/**
 * Opens the store a URL names and applies pending migrations:
 * - `postgres://…` or `postgresql://…`: PostgreSQL (needs `pg` installed);
 * - `sqlite:<file>`, `file:<file>`, a plain file path, or `:memory:`: the embedded SQLite store (the file and
 *   its directory are created, mode 0600).
 */
export async function openStore(url: string, options: OpenStoreOptions = {}): Promise<Store> {
  if (isPostgresUrl(url)) {
    const { openPostgresStore } = await loadPostgresStore()
    const pgOptions: PostgresStoreOptions = {
      connectionString: url,
      ...(options.maxConnections !== undefined && { maxConnections: options.maxConnections }),
      ...(options.pipelinedReads !== undefined && { pipelinedReads: options.pipelinedReads }),
      ...(options.preparedStatements !== undefined && { preparedStatements: options.preparedStatements }),
      ...(options.seriesCacheMb !== undefined && { seriesCacheMb: options.seriesCacheMb }),
    }
    return openPostgresStore(pgOptions)
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) throw new Error(`unsupported database URL ${url.split(':')[0]}://…: use postgres://, sqlite:<file> or a file path`)
  const path = url.replace(/^(sqlite|file):/, '')
  if (path === '') throw new Error('the database URL names no file')
  return openSqliteStore({
    path: path === ':memory:' ? path : resolve(path),
    readonly: options.readonly ?? false,
    ...(options.seriesCacheMb !== undefined && { seriesCacheMb: options.seriesCacheMb }),
  })
}
