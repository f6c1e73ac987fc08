import { resolve } from 'node:path'
import { openSqliteStore } from './sqlite-store'

export const DEFAULT_DB = './data/metrics.db'

/** `--db` option shared by every command that touches the database. */
export const dbOption = { db: { type: 'string', default: process.env.MCPDIR_DB ?? DEFAULT_DB } } as const

export function openStore(db: string) {
  return openSqliteStore({ path: resolve(db) })
}

/** An argument error: the CLI prints it with the command's usage and exits 2. */
export function usageError(message: string): Error {
  return Object.assign(new Error(message), { code: 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' })
}
