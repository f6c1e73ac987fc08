import { resolve } from 'node:path'
import { isPostgresUrl, type OpenStoreOptions, openStore } from '../store/open-store'
import type { Store } from '../store/store'

export const DEFAULT_DB = './data/metrics.db'

/** `--db` / `--database-url`, shared by every command that touches the database. */
export const dbOption = {
  db: { type: 'string', default: process.env.MCPDIR_DB ?? DEFAULT_DB },
  'database-url': { type: 'string', default: process.env.DATABASE_URL },
} as const

export const DB_USAGE = `  --db <file>            SQLite database file, created when missing (env MCPDIR_DB; default ${DEFAULT_DB})
  --database-url <url>   use PostgreSQL instead (env DATABASE_URL), e.g. postgresql://user:pass@host/db`

type DatabaseValues = { db: string; 'database-url'?: string | undefined }

/** PostgreSQL when a database URL is given, else the SQLite file. */
export async function openDatabase(values: DatabaseValues, options: OpenStoreOptions = {}): Promise<Store> {
  const url = values['database-url']
  if (url) {
    if (!isPostgresUrl(url)) throw usageError('--database-url (DATABASE_URL) must be a postgresql:// URL')
    return openStore(url, options)
  }
  return openStore(resolve(values.db), options)
}

/** Where the data lives, for logs: never the password. */
export function describeDatabase(values: DatabaseValues): string {
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
