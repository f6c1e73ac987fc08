/**
 * `@mcpdir/metrics-server`: the mcpdir-metrics ingestion and query service.
 *
 * @packageDocumentation
 */
export { createApp, type CreateAppOptions, type MetricsApp } from './app'
export { ApiError, type ErrorCode } from './api-error'
export type { AppDeps, AppEnv } from './app-env'
export { type Clock, systemClock } from './clock'
export { DEFAULT_CONFIG, type ServiceConfig } from './config'
export { generateKey, hashKey, isWellFormedKey } from './keys'
export { registerServer, rotateServerKeys, type RegisterOptions, type ShownCredentials } from './server-admin'
export { openPostgresStore, type PostgresStoreOptions } from './postgres-store'
export { migrateSqlite, openSqliteStore, type SqliteStoreOptions } from './sqlite-store'
export type { IngestResult, KeyKind, NewServer, ServerCredentials, ServerRecord, Store, UsageRow } from './store'
export { StoreConflictError } from './store'
