/**
 * `@mcpdir/metrics-server`: the mcpdir-metrics ingestion and query service.
 *
 * @packageDocumentation
 */
export { createApp, type CreateAppOptions, type MetricsApp } from './app/create-app'
export { ApiError, type ErrorCode } from './http/api-error'
export type { AppDeps, AppEnv } from './app/app-env'
export { type Clock, systemClock } from './app/clock'
export { DEFAULT_CONFIG, type ServiceConfig } from './app/config'
export { generateKey, hashKey, isWellFormedKey } from './credentials/keys'
export { registerServer, rotateServerKeys, type RegisterOptions, type ShownCredentials } from './credentials/server-credentials'
export { openPostgresStore, type PostgresStoreOptions } from './store/postgres/postgres-store'
export { migrateSqlite, openSqliteStore, type SqliteStoreOptions } from './store/sqlite/sqlite-store'
export type { IngestResult, KeyKind, NewServer, ServerCredentials, ServerRecord, Store, UsageRow } from './store/store'
export { StoreConflictError } from './store/store'
