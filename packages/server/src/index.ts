/**
 * `@mcpdir/metrics-server`: the mcpdir-metrics ingestion and query service.
 *
 * @packageDocumentation
 */
export { createApp, type CreateAppOptions } from './app'
export type { AppDeps, AppEnv } from './app-env'
export { type Clock, systemClock } from './clock'
export { openSqliteStore, type SqliteStoreOptions } from './sqlite-store'
export type { Store } from './store'
