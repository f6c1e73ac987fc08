// metrics-fetch's `format=seed`: the normal report mapped onto the seed design's answer (see the protocol's
// seed-format.ts for the shape and which names feed which series). Nothing is read or computed apart.
import {
  isBuiltInMetric,
  type MetricSeries,
  type MetricsFetchResponse,
  SEED_METRIC_SOURCES,
  type SeedMetricPoint,
  type SeedMetricsFetchResponse,
} from '@mcpdir/metrics/protocol'

const iso = (t: number) => new Date(t).toISOString()

/** A series as seed points: a counter's sum per bucket, a gauge's or timer's average. */
function points(series: MetricSeries): SeedMetricPoint[] {
  return series.buckets.map((b) => ({
    timestamp: iso(b.t),
    value: series.type === 'counter' ? b.sum : (b.avg ?? (b.count > 0 ? b.sum / b.count : 0)),
  }))
}

/** The report of metrics-fetch in the seed's shape. */
export function seedMetricsResponse(report: MetricsFetchResponse): SeedMetricsFetchResponse {
  const used = new Set<MetricSeries>()
  /** The first series the report has of `names`, as points; undefined when it has none of them. */
  const pick = (names: readonly string[]): SeedMetricPoint[] | undefined => {
    for (const name of names) {
      const series = report.metrics.find((m) => m.name === name)
      if (series) {
        used.add(series)
        return points(series)
      }
    }
    return undefined
  }
  const latency = pick(SEED_METRIC_SOURCES.latency) ?? []
  const requests = pick(SEED_METRIC_SOURCES.requests) ?? []
  const memory = pick(SEED_METRIC_SOURCES.memory) ?? []
  // the server's own uptime series, else its availability over the period in percent
  const uptime =
    pick(SEED_METRIC_SOURCES.uptime) ?? (report.availability === null ? [] : [{ timestamp: iso(report.from), value: report.availability * 100 }])

  // a name already shown (read into a seed series, or sent with another type) is keyed `name:type`
  const shown = new Set([...used].map((s) => s.name))
  const other = new Map<string, SeedMetricPoint[]>()
  for (const series of report.metrics) {
    if (used.has(series) || isBuiltInMetric(series.name)) continue
    other.set(shown.has(series.name) ? `${series.name}:${series.type}` : series.name, points(series))
    shown.add(series.name)
  }
  return {
    success: true,
    metrics: {
      server_id: report.server.id,
      server_name: report.server.name,
      period: report.period,
      uptime,
      latency,
      requests,
      memory,
      views: report.usage.buckets.filter((b) => b.views > 0).map((b) => ({ timestamp: iso(b.t), value: b.views })),
      installs: report.usage.buckets.filter((b) => b.installs > 0).map((b) => ({ timestamp: iso(b.t), value: b.installs })),
      other_metrics: Object.fromEntries(other),
    },
  }
}
