import { describeIssues, type MetricsAggregateResponse, parseMetricsAggregate } from '@mcpdir/metrics/protocol'
import { Hono } from 'hono'
import { ApiError } from '../http/api-error'
import type { AppEnv } from '../app/app-env'
import { requireAdmin } from '../http/auth'
import { readJson } from '../http/read-json'
import { applyRetention } from '../query/retention'

const DAY = 86_400_000

/**
 * `POST /functions/v1/metrics-aggregate` (admin): re-aggregates one UTC day (default: yesterday) from its
 * raw points and applies retention; `retentionDays` overrides raw-point retention for this run. Body and
 * answer are the protocol's `MetricsAggregateBody` and `MetricsAggregateResponse`.
 */
export function metricsAggregate() {
  return new Hono<AppEnv>().post('/', async (c) => {
    requireAdmin(c)
    const { store, clock, rollups, config } = c.var.deps
    const raw = c.var.body
    const parsed = parseMetricsAggregate(raw.length === 0 ? {} : readJson(raw))
    if (!parsed.ok) throw new ApiError(400, 'invalid_body', describeIssues(parsed.issues), parsed.issues[0]?.path)
    const now = clock()
    const date = parsed.value.date ?? new Date(Math.floor(now / DAY) * DAY - DAY).toISOString().slice(0, 10)
    const aggregated = await rollups.reaggregateDay(Date.parse(`${date}T00:00:00Z`))
    const retention = { ...config.retention, ...(parsed.value.retentionDays !== undefined && { rawMs: parsed.value.retentionDays * DAY }) }
    const deleted = await applyRetention(store, clock, retention)
    c.var.deps.reportCache.clear()
    const body: MetricsAggregateResponse = {
      success: true,
      date,
      metrics_aggregated: aggregated,
      retention_days: Math.round(retention.rawMs / DAY),
      deleted,
    }
    return c.json(body)
  })
}
