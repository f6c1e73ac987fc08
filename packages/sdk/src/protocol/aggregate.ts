// The metrics-aggregate body (admin): which UTC day to re-aggregate, and an optional raw retention for the run.
import { z } from 'zod'
import { type ParseResult, parseWith } from './validation'

/** Longest raw retention a metrics-aggregate run may ask for, in days (a hundred years). */
export const MAX_RETENTION_DAYS = 36_500

/** The metrics-aggregate body; an empty body means `{}`. */
export const metricsAggregateBodySchema = z.object({
  date: z.iso.date().optional(),
  retentionDays: z.number().int().min(1).max(MAX_RETENTION_DAYS).optional(),
})

/** A metrics-aggregate body on the wire, and once validated. */
export interface MetricsAggregateBody {
  /** The UTC day to re-aggregate, `YYYY-MM-DD`; default yesterday. */
  date?: string
  /** Keep raw points this many days in this run's retention, instead of the configured raw retention. */
  retentionDays?: number
}

/** What metrics-aggregate answers. */
export interface MetricsAggregateResponse {
  success: true
  /** The day re-aggregated, `YYYY-MM-DD`. */
  date: string
  /** Rows of the day's `1d` tier bucket written for it (one per series). */
  metrics_aggregated: number
  /** The raw retention applied, in whole days. */
  retention_days: number
  /** What retention deleted, per kind: raw points for `raw`, rows for a tier `1m` … `1w`, `events`, `usage`, `heartbeats`. */
  deleted: Partial<Record<string, number>>
}

/** Validates a metrics-aggregate body (parsed JSON; pass `{}` for an empty body). */
export function parseMetricsAggregate(input: unknown): ParseResult<MetricsAggregateBody> {
  const parsed = parseWith(metricsAggregateBodySchema, input)
  if (!parsed.ok) return parsed
  const { date, retentionDays } = parsed.value
  return {
    ok: true,
    value: { ...(date !== undefined && { date }), ...(retentionDays !== undefined && { retentionDays }) },
  }
}
