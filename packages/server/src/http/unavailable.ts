// Which failures mean "the database cannot answer right now, a retry later can succeed": answered 503 with
// Retry-After (and never acknowledged), so SDKs keep the batch and retry instead of dropping it on a 500.
import { isConnectionError } from '../store/connection-errors'
import { StoreClosedError } from '../store/store'

/** SQLite: busy or locked past the busy timeout, disk full, read-only, I/O errors, the file gone. */
const SQLITE_CODES = /^SQLITE_(BUSY|LOCKED|FULL|READONLY|IOERR|CANTOPEN)/

/**
 * PostgreSQL SQLSTATEs besides a lost connection (store/connection-errors.ts: classes 08 and 57P): 25006
 * (read-only transaction: a standby, or `default_transaction_read_only`) and class 53 (insufficient resources:
 * disk full, out of memory, too many connections).
 */
const POSTGRES_CODES = /^(25006|53[0-9A-Z]{3})$/

/**
 * True when `error` (or an error it was caused by) is a database state a later retry can get past, or a store
 * closing (the service shutting down).
 */
export function isUnavailableError(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 4) return false
  if (error instanceof StoreClosedError) return true
  const { code, cause } = error as { code?: unknown; cause?: unknown }
  if (typeof code === 'string' && (SQLITE_CODES.test(code) || POSTGRES_CODES.test(code))) return true
  if (isConnectionError(error)) return true
  return isUnavailableError(cause, depth + 1)
}
