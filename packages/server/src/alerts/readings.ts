// What a rule is judged on, read through the Store from the rollups the service keeps: the 1m tier minute by
// minute for error_rate and p95 (tool calls and their durations, every tool and client); the fewest rows that
// hold the window for calls; heartbeat minutes for availability; the last receipt for silence.
import { MCP_METRICS, type Tier } from '@mcpdir/metrics/protocol'
import type { Rollups } from '../query/rollups'
import { availability } from '../query/availability'
import { callReport } from '../query/metric-report'
import { coverRange } from '../query/tier-cover'
import type { AlertRule } from '../store/alert-store'
import type { ServerRecord, Store } from '../store/store'
import { beyond, type MinuteValue } from './conditions'

const MIN = 60_000
const CALL_SERIES = [MCP_METRICS.tool.calls, MCP_METRICS.tool.duration]

/** Every minute in [from, to) with the rule's value in it (error rate or p95; undefined without calls). */
export async function minuteValues(store: Store, rule: AlertRule, from: number, to: number): Promise<MinuteValue[]> {
  if (to <= from) return []
  const rows = await store.tierRows(rule.serverId, '1m', from, to, CALL_SERIES)
  const { buckets } = callReport({ chart: rows, period: [], previous: [] }, { from, to, previousFrom: from, bucketMs: MIN })
  const byMinute = new Map(buckets.map((b) => [b.t, b]))
  const minutes: MinuteValue[] = []
  for (let minute = from; minute < to; minute += MIN) {
    const b = byMinute.get(minute)
    const value = !b || b.calls === 0 ? undefined : rule.metric === 'error_rate' ? b.errors / b.calls : (b.p95 ?? undefined)
    minutes.push({ minute, value })
  }
  return minutes
}

/** A whole-window reading: the value, and whether it is beyond the threshold (undefined: cannot be told yet). */
export interface WindowReading {
  value: number | null
  beyond: boolean | undefined
}

/** Tool calls in [from, to), from the fewest rows that hold them (coarser tiers made current first). */
async function callsIn(store: Store, rollups: Pick<Rollups, 'runPendingFor'> | undefined, serverId: string, from: number, to: number): Promise<number> {
  const spans = coverRange('1m', from, to)
  if (rollups && spans.some((s) => s.tier !== ('1m' as Tier))) await rollups.runPendingFor(serverId)
  let calls = 0
  for (const span of spans) for (const row of await store.tierRows(serverId, span.tier, span.from, span.to, [MCP_METRICS.tool.calls])) if (row.series.type === 'counter') calls += row.sum
  return calls
}

/**
 * Reads a calls, availability or silence rule over the window ending at `end`. A window that begins before the
 * server existed cannot be told.
 */
export async function windowReading(store: Store, rollups: Pick<Rollups, 'runPendingFor'> | undefined, rule: AlertRule, server: ServerRecord, end: number): Promise<WindowReading> {
  const from = end - rule.windowMs
  if (server.createdAt > from) return { value: null, beyond: undefined }
  if (rule.metric === 'silence') {
    const last = server.lastReceivedAt
    return { value: last === null ? null : Math.max(0, end - last), beyond: last === null || last < from }
  }
  const value = rule.metric === 'calls' ? await callsIn(store, rollups, server.id, from, end) : await availability(store, server.id, from, end, end)
  return { value, beyond: value === null ? undefined : beyond(rule.condition ?? 'below', rule.threshold ?? 0, value) }
}
