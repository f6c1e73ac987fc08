// Which failures mean "the database cannot answer right now, a retry later can succeed": answered 503 with
// Retry-After (and never acknowledged), so SDKs keep the batch and retry instead of dropping it on a 500.

/** SQLite: busy or locked past the busy timeout, disk full, read-only, I/O errors, the file gone. */
const SQLITE_CODES = /^SQLITE_(BUSY|LOCKED|FULL|READONLY|IOERR|CANTOPEN)/

/**
 * PostgreSQL SQLSTATEs: class 08 (connection exception), 25006 (read-only transaction: a standby, or
 * `default_transaction_read_only`), class 53 (insufficient resources: disk full, out of memory, too many
 * connections) and 57P (operator intervention: admin or crash shutdown, cannot connect now, database dropped,
 * session terminated).
 */
const POSTGRES_CODES = /^(08[0-9A-Z]{3}|25006|53[0-9A-Z]{3}|57P[0-9A-Z]{2})$/

/** Node's network errors: the database server refused, reset or never answered the connection. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN'])

/** pg's own errors for a lost or unobtainable connection, which carry no code. */
const PG_CONNECTION_MESSAGES =
  /^(Connection terminated|timeout exceeded when trying to connect|timeout expired|Client has encountered a connection error)/

/** True when `error` (or an error it was caused by) is a database state a later retry can get past. */
export function isUnavailableError(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 4) return false
  const { code, syscall, message, cause } = error as { code?: unknown; syscall?: unknown; message?: unknown; cause?: unknown }
  if (typeof code === 'string') {
    if (SQLITE_CODES.test(code) || POSTGRES_CODES.test(code) || NETWORK_CODES.has(code)) return true
    // a unix socket that is not there (the server is stopped); other ENOENTs are not the database's
    if (code === 'ENOENT' && syscall === 'connect') return true
  }
  if (typeof message === 'string' && PG_CONNECTION_MESSAGES.test(message)) return true
  return isUnavailableError(cause, depth + 1)
}
