// The Server-Sent Events of metrics-stream: every event name and the JSON its `data` holds. Zod-free, so
// browser bundles can import it.
import type { BucketValues, FetchedEvent } from './fetch-response'
import type { MetricType } from './metric-types'
import type { SketchJSON } from './sketch'
import type { UsageAction } from './usage'

/** One point of an accepted batch, as the stream sends it. */
export interface StreamPoint extends BucketValues {
  name: string
  type: MetricType
  tags: Record<string, string>
  timestamp: number
  /**
   * Timers: the point's percentile sketch as the SDK sent it (a single value's sketch for a seed-form point),
   * so a client can merge points into buckets exactly; `p50 p95 p99` and `avg` are this point's alone.
   */
  sketch?: SketchJSON
}

/** Messages of metrics-stream, by SSE event name. */
export interface StreamMessages {
  /** First message of every connection: the stream is open and subscribed. */
  ready: { server_id: string }
  /** An accepted batch's points (and non-heartbeat events). */
  metrics: { server_id: string; received_at: number; points: StreamPoint[]; events: FetchedEvent[] }
  /** A heartbeat arrived (availability). */
  heartbeat: { server_id: string; timestamp: number }
  /** Usage recorded for the server. */
  usage: { server_id: string; timestamp: number; actions: UsageAction[] }
  /** Last message before the service drops a client that fell behind: reconnect and refetch. */
  overflow: { reason: string }
}

/** An SSE event name of metrics-stream. */
export type StreamEvent = keyof StreamMessages

/** Every SSE event name of metrics-stream, by name (use these instead of string literals). */
export const STREAM_EVENT = {
  ready: 'ready',
  metrics: 'metrics',
  heartbeat: 'heartbeat',
  usage: 'usage',
  overflow: 'overflow',
} as const satisfies { [K in StreamEvent]: K }

/** Every SSE event name of metrics-stream, in the order a connection can see them first. */
export const STREAM_EVENTS: readonly StreamEvent[] = [
  STREAM_EVENT.ready,
  STREAM_EVENT.metrics,
  STREAM_EVENT.heartbeat,
  STREAM_EVENT.usage,
  STREAM_EVENT.overflow,
]

/** The events that carry data to fold into a fetched report (the others are about the connection). */
export const STREAM_DATA_EVENTS = [STREAM_EVENT.metrics, STREAM_EVENT.heartbeat, STREAM_EVENT.usage] as const

/** One of {@link STREAM_DATA_EVENTS}. */
export type StreamDataEvent = (typeof STREAM_DATA_EVENTS)[number]

/** True when `name` is an SSE event name of metrics-stream. */
export function isStreamEvent(name: unknown): name is StreamEvent {
  return typeof name === 'string' && (STREAM_EVENTS as readonly string[]).includes(name)
}
