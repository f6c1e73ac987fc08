import { Counter, collectDefaultMetrics, Registry } from 'prom-client'

/** The service's own Prometheus metrics, served at `GET /metrics`. One registry per app. */
export function createServiceMetrics() {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'mcpdir_' })
  return {
    registry,
    httpRequests: new Counter({
      name: 'mcpdir_http_requests_total',
      help: 'HTTP requests by route and status',
      labelNames: ['route', 'status'] as const,
      registers: [registry],
    }),
    pointsIngested: new Counter({ name: 'mcpdir_points_ingested_total', help: 'Metric points stored', registers: [registry] }),
    batchesDeduplicated: new Counter({
      name: 'mcpdir_batches_deduplicated_total',
      help: 'Batches acknowledged as retries of a batch already stored',
      registers: [registry],
    }),
    rejects: new Counter({
      name: 'mcpdir_rejects_total',
      help: 'Refused requests by reason (error code)',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    usageRecorded: new Counter({ name: 'mcpdir_usage_recorded_total', help: 'Usage records stored', registers: [registry] }),
  }
}

export type ServiceMetrics = ReturnType<typeof createServiceMetrics>
