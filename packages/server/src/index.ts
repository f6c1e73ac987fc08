/**
 * `@mcpdir/metrics-server`: the mcpdir-metrics ingestion and query service.
 *
 * - {@link listen}: run the service on Node's HTTP server (what `mcpdir-metrics serve` does).
 * - {@link createApp}: the service as a Hono app, to serve yourself or mount in another app.
 * - {@link openStore}: open the database by URL (a SQLite file, or `postgresql://…` with `pg` installed).
 * - {@link registerServer} / {@link rotateServerKeys}: what `mcpdir-metrics servers add` / `keys rotate` do.
 *
 * @packageDocumentation
 */
export { listen, type ListenOptions, type ServiceHandle } from './app/listen'
export { createApp, type CreateAppOptions, type MetricsApp } from './app/create-app'
export type { AppDeps, AppEnv } from './app/app-env'
export type { Clock } from './app/clock'
export { DEFAULT_CONFIG, DEFAULT_RETENTION, type RetentionConfig, type ServiceConfig } from './app/config'
export { registerServer, rotateServerKeys, type RegisterOptions, type ShownCredentials } from './credentials/server-credentials'
export { openStore, type OpenStoreOptions } from './store/open-store'
export type {
  IngestResult,
  KeyKind,
  NewServer,
  RetentionTarget,
  ServerCredentials,
  ServerRecord,
  Store,
  UsageAggregates,
  UsageCountRow,
  UsageRow,
  UsageVisitorsRow,
} from './store/store'
export { StoreClosedError, StoreConflictError } from './store/store'
export type { AggregateRow, SeriesInfo } from './query/aggregations'
