/**
 * `@mcpdir/metrics`: counters, gauges, timers and events for MCP servers, pre-aggregated in process and sent
 * as signed batches to an mcpdir-metrics service.
 *
 * @packageDocumentation
 */
export { createMetrics, type Metrics } from './create-metrics'
export { MetricsError, type ErrorHandler, type MetricsErrorCode } from './errors'
export type { MetricsOptions } from './options'
export type { RetryPolicy } from './delivery'
export type { Counter, Gauge, Timer } from './series'
export { SDK_NAME, SDK_VERSION } from './version'
export type { EventDetails, EventType, TagsInput } from './protocol/index'
