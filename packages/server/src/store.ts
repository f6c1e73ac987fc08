/**
 * Where the service keeps everything. One async interface, so the embedded SQLite store and the PostgreSQL
 * store are interchangeable and pass one conformance suite.
 */
export interface Store {
  /** Which implementation this is, for health output and logs. */
  readonly kind: 'sqlite' | 'postgres'
  /** Resolves when the database answers a trivial query; rejects otherwise. */
  ping(): Promise<void>
  /** Closes the database. Safe to call twice. */
  close(): Promise<void>
}
