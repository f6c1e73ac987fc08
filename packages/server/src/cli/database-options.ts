import { resolve } from 'node:path'
import { openPostgresStore } from '../store/postgres/postgres-store'
import { openSqliteStore } from '../store/sqlite/sqlite-store'
import type { Store } from '../store/store'

export const DEFAULT_DB = './data/metrics.db'

/** `--db` / `--database-url`, shared by every command that touches the database. */
export const dbOption = {
  db: { type: 'string', default: process.env.MCPDIR_DB ?? DEFAULT_DB },
  'database-url': { type: 'string', default: process.env.DATABASE_URL },
} as const

export const DB_USAGE = `  --db <file>            SQLite database file, created when missing (env MCPDIR_DB; default ${DEFAULT_DB})
  --database-url <url>   use PostgreSQL instead (env DATABASE_URL), e.g. postgresql://user:pass@host/db`

/** PostgreSQL when a database URL is given, else the SQLite file. */
export async function openStore(values: { db: string; 'database-url'?: string | undefined }): Promise<Store> {
  const url = values['database-url']
  if (url) {
    if (!/^postgres(ql)?:\/\//.test(url)) throw usageError('--database-url (DATABASE_URL) must be a postgresql:// URL')
    return openPostgresStore({ connectionString: url })
  }
  return openSqliteStore({ path: resolve(values.db) })
}

/** Where the data lives, for logs: never the password. */
export function describeDatabase(values: { db: string; 'database-url'?: string | undefined }): string {
  const url = values['database-url']
  if (!url) return resolve(values.db)
  try {
    const parsed = new URL(url)
    parsed.password = ''
    return parsed.toString()
  } catch {
    return 'postgresql'
  }
}

/** An argument error: the CLI prints it with the command's usage and exits 2. */
export function usageError(message: string): Error {
  return Object.assign(new Error(message), { code: 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' })
}
