// Every endpoint path of the service, in one place: the server mounts its routes at these paths, and the SDK,
// the React client, the CLI and the examples call them. Zod-free, so browser bundles can import it.

/** The prefix every API endpoint lives under, as in the seed design. */
export const API_PREFIX = '/functions/v1'

/** The path of every endpoint, by name. Query strings and trailing `/:serverId` segments are not part of them. */
export const ROUTES = {
  /** `POST`: a signed batch of metric points (and events); also `POST …/metrics-collect/:serverId`. */
  metricsCollect: `${API_PREFIX}/metrics-collect`,
  /** `POST`: a signed batch of events only; also `POST …/server-events/:serverId`. */
  serverEvents: `${API_PREFIX}/server-events`,
  /** `POST`: usage records from browsers (public). */
  usageTrack: `${API_PREFIX}/usage-track`,
  /** `GET ?server_id&period&metrics`: a server's metrics for a period. */
  metricsFetch: `${API_PREFIX}/metrics-fetch`,
  /** `POST` (admin): re-aggregates a UTC day and applies retention. */
  metricsAggregate: `${API_PREFIX}/metrics-aggregate`,
  /** `GET ?server_id[&stream_token]`: Server-Sent Events of a server (see `STREAM_EVENTS`). */
  metricsStream: `${API_PREFIX}/metrics-stream`,
  /**
   * `POST ?server_id` with the admin key or the server's read token as `Authorization: Bearer`: a short-lived
   * signed token for metrics-stream's `?stream_token=` (`StreamTokenResponse`), so no long-lived key is put in a URL.
   */
  metricsStreamToken: `${API_PREFIX}/metrics-stream/token`,
  /** `GET ?period&sort&order&limit&cursor&q`: the servers list with headline numbers, a page at a time. */
  servers: `${API_PREFIX}/servers`,
  /** `GET`, `POST`, `POST /:id/rotate`, `DELETE /:id` (admin): register, list, rotate and remove servers. */
  adminServers: `${API_PREFIX}/admin/servers`,
  /** `GET`: liveness of the process and its database. */
  healthz: '/healthz',
  /** `GET`: the service's own metrics in the Prometheus text format. */
  prometheusMetrics: '/metrics',
  /**
   * `GET /badge/:serverId/:metric.svg` (or `.json`, a shields.io endpoint body) `?period&label&style`: a README
   * badge of a public server's headline number (see `BADGE_METRICS`, `badgePath`). Outside `API_PREFIX`, short
   * enough for a README.
   */
  badge: '/badge',
  /**
   * `POST`: OTLP/HTTP metrics (`ExportMetricsServiceRequest`, protobuf or JSON, optionally gzip) with the ingest
   * key in `X-API-Key` or `Authorization: Bearer`, for servers that accept unsigned ingest. At the path OTLP
   * exporters append to `OTEL_EXPORTER_OTLP_ENDPOINT`, so the service's base URL is the endpoint.
   */
  otlpMetrics: '/v1/metrics',
} as const

/** The name of an endpoint in {@link ROUTES}. */
export type RouteName = keyof typeof ROUTES

/**
 * The URL of an endpoint on a service: `baseUrl` (an origin, trailing slashes ignored; `''` for the page's own
 * origin) joined with the route's path, and `query` as the query string when given.
 */
export function routeUrl(baseUrl: string, route: RouteName, query?: URLSearchParams | Record<string, string>): string {
  const path = `${baseUrl.replace(/\/+$/, '')}${ROUTES[route]}`
  if (query === undefined) return path
  const search = (query instanceof URLSearchParams ? query : new URLSearchParams(query)).toString()
  return search === '' ? path : `${path}?${search}`
}
