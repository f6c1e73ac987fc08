// A batch is what one request carries. Its points and events are kept serialized, so a batch costs its bytes
// once, its body is identical on every retry (the service dedupes on the id), and a 413 can split it.
import { type EventInput, MAX_EVENTS_PER_BATCH, MAX_POINTS_PER_BATCH, type MetricPointInput, randomBytes, toHex } from './protocol/index'

export interface Batch {
  /** The `webhook-id`: stable across retries, restarts (spool) and splits (suffixed). */
  id: string
  points: string[]
  events: string[]
  /** Serialized size of points and events. */
  bytes: number
}

export interface BatchMeta {
  serverId: string
  sdk: { name: string; version: string }
}

/** Room left for the envelope (`server_id`, `batch_id`, `sdk`, brackets). */
const ENVELOPE_BYTES = 512

/** UTF-8 length of a string without encoding it. */
export function byteLength(text: string): number {
  let bytes = text.length
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    // 2 bytes below U+0800, 3 above; a surrogate pair (2 units) is 4 bytes
    if (c >= 0x80) bytes += c < 0x800 || (c >= 0xd800 && c <= 0xdfff) ? 1 : 2
  }
  return bytes
}

export function newBatchId(): string {
  return `b_${toHex(randomBytes(12))}`
}

/** Packs a window's points and events into batches of at most `maxBytes` and `maxPoints` each. */
export function buildBatches(
  points: readonly MetricPointInput[],
  events: readonly EventInput[],
  limits: { maxBytes: number; maxPoints?: number },
): Batch[] {
  const maxPoints = Math.min(limits.maxPoints ?? MAX_POINTS_PER_BATCH, MAX_POINTS_PER_BATCH)
  const budget = Math.max(limits.maxBytes - ENVELOPE_BYTES, 1)
  const batches: Batch[] = []
  let current: Batch = { id: newBatchId(), points: [], events: [], bytes: 0 }
  const start = () => {
    if (current.points.length > 0 || current.events.length > 0) batches.push(current)
    current = { id: newBatchId(), points: [], events: [], bytes: 0 }
  }
  for (const event of events) {
    const json = JSON.stringify(event)
    const size = byteLength(json) + 1
    if (current.events.length >= MAX_EVENTS_PER_BATCH || current.bytes + size > budget) start()
    current.events.push(json)
    current.bytes += size
  }
  for (const point of points) {
    const json = JSON.stringify(point)
    const size = byteLength(json) + 1
    if (current.points.length >= maxPoints || (current.bytes + size > budget && current.bytes > 0)) start()
    current.points.push(json)
    current.bytes += size
  }
  start()
  return batches
}

/** The request body. Built at each send from the kept pieces, so it is byte-identical every time. */
export function batchBody(batch: Batch, meta: BatchMeta): string {
  return `{"server_id":${JSON.stringify(meta.serverId)},"batch_id":${JSON.stringify(batch.id)},"sdk":${JSON.stringify(meta.sdk)},"metrics":[${batch.points.join(',')}],"events":[${batch.events.join(',')}]}`
}

/** Halves a batch the service found too large; undefined when it holds a single item. */
export function splitBatch(batch: Batch): [Batch, Batch] | undefined {
  const items = batch.points.length + batch.events.length
  if (items < 2) return undefined
  const half = (list: string[], from: number, to: number) => list.slice(from, to)
  let a: Batch
  let b: Batch
  if (batch.points.length >= 2) {
    const mid = Math.ceil(batch.points.length / 2)
    a = { id: `${batch.id}.1`, points: half(batch.points, 0, mid), events: batch.events, bytes: 0 }
    b = { id: `${batch.id}.2`, points: half(batch.points, mid, batch.points.length), events: [], bytes: 0 }
  } else {
    const mid = Math.ceil(batch.events.length / 2)
    a = { id: `${batch.id}.1`, points: batch.points, events: half(batch.events, 0, mid), bytes: 0 }
    b = { id: `${batch.id}.2`, points: [], events: half(batch.events, mid, batch.events.length), bytes: 0 }
  }
  for (const part of [a, b]) part.bytes = [...part.points, ...part.events].reduce((n, s) => n + byteLength(s) + 1, 0)
  return [a, b]
}
