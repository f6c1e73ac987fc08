// One OTLP value (a delta, or a cumulative point already turned into one) into the points this service stores.
import { MAX_ABS_VALUE, type MetricPoint, type Tags } from '@mcpdir/metrics/protocol'
import { explicitSketch, exponentialSketch } from './bucket-sketch'
import type { Attributes } from './otlp-model'
import { mcpPoints, type TimerValues } from './semconv-mcp'
import type { CumulativeValue } from './temporality'
import { toStoreUnit } from './units'

/** Where a value goes: the series it lands in and how it is read. */
export interface PointTarget {
  name: string
  unit: string
  /** A number becomes a counter (sums) or a gauge; histograms always become timers. */
  numberAs: 'counter' | 'gauge'
  /** `mcp.server.operation.duration`: mapped onto the MCP series (semconv-mcp.ts) instead of its own name. */
  mcp: boolean
  /** The series' tags (for MCP, only its resource's: the rest comes from `attributes`). */
  tags: Tags
  attributes: Attributes
  timestamp: number
}

/** A histogram value's timer (count, sum, min, max in milliseconds and its sketch), or why it cannot be one. */
export function timerOf(value: Exclude<CumulativeValue, { kind: 'number' }>, unit: string): { ok: true; timer: TimerValues } | { ok: false; reason: string } {
  const built = value.kind === 'histogram' ? explicitSketch(value, unit) : exponentialSketch(value, unit)
  if (!built.ok) return built
  const sum = toStoreUnit(value.sum, unit)
  if (!(Math.abs(sum) <= MAX_ABS_VALUE) || value.count > MAX_ABS_VALUE) return { ok: false, reason: `values beyond ${MAX_ABS_VALUE} are refused` }
  if (sum < 0) return { ok: false, reason: 'timer values cannot be negative (sum < 0)' }
  return { ok: true, timer: { count: value.count, sum, min: built.min, max: Math.max(built.max, built.min), sketch: built.sketch } }
}

/**
 * The points a value stands for: none for a zero counter increase or an empty histogram, one counter, gauge or
 * timer point, or the MCP series of an `mcp.server.operation.duration` histogram. Throws nothing: what cannot be
 * stored was refused before (map-metrics.ts checks each point as sent).
 */
export function pointsOf(target: PointTarget, value: CumulativeValue): MetricPoint[] {
  const { name, tags, timestamp } = target
  if (value.kind === 'number') {
    const v = toStoreUnit(value.value, target.unit)
    if (target.numberAs === 'counter' && v === 0) return []
    return [{ name, type: target.numberAs, tags, timestamp, count: 1, sum: v, min: v, max: v, last: v }]
  }
  if (value.count === 0) return []
  const built = timerOf(value, target.unit)
  if (!built.ok) return []
  const t = built.timer
  if (target.mcp) return mcpPoints(target.attributes, t, timestamp, tags)
  return [{ name, type: 'timer', tags, timestamp, count: t.count, sum: t.sum, min: t.min, max: t.max, last: t.max, sketch: t.sketch }]
}
