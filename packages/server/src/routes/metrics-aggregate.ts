import { describeIssues, parseWith } from '@mcpdir/metrics/protocol'
import { Hono } from 'hono'
import { z } from 'zod'
import { ApiError } from '../http/api-error'
import type { AppEnv } from '../app/app-env'
import { requireAdmin } from '../http/auth'
import { readJson } from '../http/read-json'
import { applyRetention } from '../query/retention'

const DAY = 86_400_000

const bodySchema = z.object({
  date: z.iso.date().optional(),
  retentionDays: z.number().int().min(1).max(36_500).optional(),
})

/**
 * `POST /functions/v1/metrics-aggregate` (admin): re-aggregates one UTC day (default: yesterday) from its
 * raw points and applies retention; `retentionDays` overrides raw-point retention for this run.
 */
export function metricsAggregate() {
  return new Hono<AppEnv>().post('/', async (c) => {
    requireAdmin(c)
    const { store, clock, rollups, config } = c.var.deps
    const raw = c.var.body
    const parsed = parseWith(bodySchema, raw.length === 0 ? {} : readJson(raw))
    if (!parsed.ok) throw new ApiError(400, 'invalid_body', describeIssues(parsed.issues), parsed.issues[0]?.path)
    const now = clock()
    const date = parsed.value.date ?? new Date(Math.floor(now / DAY) * DAY - DAY).toISOString().slice(0, 10)
    const aggregated = await rollups.reaggregateDay(Date.parse(`${date}T00:00:00Z`))
    const retention = { ...config.retention, ...(parsed.value.retentionDays !== undefined && { rawMs: parsed.value.retentionDays * DAY }) }
    const deleted = await applyRetention(store, clock, retention)
    c.var.deps.reportCache.clear()
    return c.json({
      success: true,
      date,
      metrics_aggregated: aggregated,
      retention_days: Math.round(retention.rawMs / DAY),
      deleted,
    })
  })
}
