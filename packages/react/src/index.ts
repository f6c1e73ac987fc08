'use client'
/**
 * `@mcpdir/metrics-react`: the MetricsTab for directory sites' server pages, the ServersTable for their index,
 * their headless hooks, the browser-safe client and usage tracking.
 *
 * @packageDocumentation
 */
export { Chart, type ChartProps, type ChartSeries } from './chart'
export { formatChange, formatDuration, formatNumber, formatPercent } from './format'
export { mergeLive } from './live-merge'
export {
  createMetricsClient,
  type MetricsClient,
  MetricsClientError,
  type MetricsClientErrorCode,
  type MetricsClientOptions,
  type StreamHandlers,
  type TrackResult,
} from './metrics-client'
export { MetricsTab, type MetricsTabProps } from './metrics-tab'
export { PeriodSelector } from './period-selector'
export { ServersTable, type ServersTableColumn, type ServersTableProps } from './servers-table'
export {
  configureUsageTracking,
  createUsageTracker,
  trackInstall,
  trackInvoke,
  trackTest,
  trackView,
  type UsageTracker,
  type UsageTrackerOptions,
  visitorOptedOut,
} from './usage-tracker'
export { isEmptyReport, type ServerMetricsState, type UseServerMetricsOptions, useServerMetrics } from './use-server-metrics'
export { type ServersListState, type UseServersListOptions, useServersList } from './use-servers-list'
