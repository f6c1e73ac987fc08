// Which errors mean a database connection is lost or cannot be had. Shared by the 503 mapping
// (http/unavailable.ts) and the pipelined PostgreSQL connections, which retire a connection on them.

/** PostgreSQL SQLSTATEs class 08 (connection exception) and 57P (operator intervention: admin or crash shutdown, cannot connect now, database dropped, session terminated). */
const POSTGRES_CONNECTION_CODES = /^(08[0-9A-Z]{3}|57P[0-9A-Z]{2})$/

/** Node's network errors: the database server refused, reset or never answered the connection. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN'])

/** pg's own errors for a lost or unobtainable connection, which carry no code. */
const PG_CONNECTION_MESSAGES =
  /^(Connection terminated|timeout exceeded when trying to connect|timeout expired|Client has encountered a connection error)/

/** True when `error` itself (not its cause) says the connection to the database is lost or cannot be had. */
export function isConnectionError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false
  const { code, syscall, message } = error as { code?: unknown; syscall?: unknown; message?: unknown }
  if (typeof code === 'string') {
    if (POSTGRES_CONNECTION_CODES.test(code) || NETWORK_CODES.has(code)) return true
    // a unix socket that is not there (the server is stopped); other ENOENTs are not the database's
    if (code === 'ENOENT' && syscall === 'connect') return true
  }
  return typeof message === 'string' && PG_CONNECTION_MESSAGES.test(message)
}
