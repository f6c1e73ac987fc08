import { closeSync, mkdirSync, openSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import type { Store } from './store'

export interface SqliteStoreOptions {
  /** Database file; created (mode 0600, with its directory) when missing. `:memory:` for tests. */
  path: string
}

/**
 * Opens the embedded SQLite store.
 *
 * Durability: WAL with `synchronous=NORMAL`. Every acknowledged batch survives a crash or kill of this
 * process; a power loss or kernel crash may lose the last few acknowledged commits (the WAL is synced at
 * checkpoints, not at each commit). `FULL` would close that window at the cost of an fsync per batch.
 */
export function openSqliteStore(options: SqliteStoreOptions): Store {
  if (options.path !== ':memory:') {
    mkdirSync(dirname(options.path), { recursive: true })
    // Create the file ourselves so it is never world-readable, even for a moment.
    closeSync(openSync(options.path, 'a', 0o600))
  }
  const db = new Database(options.path)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.pragma('busy_timeout = 5000')
  db.pragma('foreign_keys = ON')
  const ping = db.prepare('SELECT 1')
  let closed = false

  return {
    kind: 'sqlite',
    async ping() {
      ping.get()
    },
    async close() {
      if (closed) return
      closed = true
      db.close()
    },
  }
}
