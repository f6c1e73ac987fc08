/**
 * `@mcpdir/metrics-react`: the MetricsTab for directory sites and its browser-safe client.
 *
 * @packageDocumentation
 */
export {
  createMetricsClient,
  type MetricsClient,
  MetricsClientError,
  type MetricsClientOptions,
  type TrackResult,
} from './metrics-client'
