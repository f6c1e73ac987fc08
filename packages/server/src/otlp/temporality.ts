// Cumulative OTLP points into deltas. A cumulative series reports everything since its start time; what is new
// in a point is the difference from the series' previous point, which the store keeps (one row per series and
// start time, read and written in the ingest transaction, so restarts of this service and replicas agree).
// - A series seen for the first time counts whole when its start time is recent enough that its state could not
//   have been forgotten yet (after `CUMULATIVE_STATE_TTL_MS` without a point, state is dropped): a sender that
//   restarted counts from zero again. A series older than that, or without a start time, is taken as a baseline.
// - A new start time is a new series (the key holds it): a restart is never subtracted across.
// - A value, count or bucket that went down under the same start time is a reset: the point counts whole.
// - A point not newer than the stored one (a retry, out of order) adds nothing and leaves the state as it was.
import { DEDUPE_WINDOW_MS } from '@mcpdir/metrics/protocol'
import type { Extremes } from './bucket-sketch'
import type { ExpBuckets } from './otlp-model'

/** How long a cumulative series' state is kept without a point: as long as batch ids are (24 h). */
export const CUMULATIVE_STATE_TTL_MS = DEDUPE_WINDOW_MS

/** A cumulative value of each kind, in the point's own unit. */
export type CumulativeValue =
  | { kind: 'number'; value: number }
  | ({ kind: 'histogram'; count: number; sum: number; bounds: number[]; counts: number[] } & Extremes)
  | ({ kind: 'exp'; count: number; sum: number; scale: number; zeroCount: number; positive: ExpBuckets; negative: ExpBuckets } & Extremes)

/** A cumulative point as its series' state keeps it. */
export interface CumulativeState {
  timeMs: number
  value: CumulativeValue
}

/** What a cumulative point adds: its delta (none when nothing is new) and the state to keep. */
export interface DeltaResult {
  delta: CumulativeValue | undefined
  state: CumulativeState
}

/** True when a series first seen now counts whole: its start is known and within the state's lifetime. */
export function countsWhole(startMs: number, nowMs: number): boolean {
  return startMs > 0 && startMs >= nowMs - CUMULATIVE_STATE_TTL_MS
}

const isEmpty = (v: CumulativeValue) => (v.kind === 'number' ? v.value === 0 : v.count === 0)

/** The delta of `current` since `previous` (the same series and start time), and the state to keep. */
export function cumulativeDelta(previous: CumulativeState | undefined, current: CumulativeState, firstCountsWhole: boolean): DeltaResult {
  if (!previous) return { delta: firstCountsWhole && !isEmpty(current.value) ? current.value : undefined, state: current }
  if (current.timeMs <= previous.timeMs) return { delta: undefined, state: previous }
  const delta = difference(previous.value, current.value) ?? current.value // undefined: a reset
  return { delta: isEmpty(delta) ? undefined : delta, state: current }
}

/** `current − previous`, or undefined when anything went down (a reset) or the two cannot be compared. */
function difference(previous: CumulativeValue, current: CumulativeValue): CumulativeValue | undefined {
  if (current.kind === 'number') {
    if (previous.kind !== 'number') return undefined
    const value = current.value - previous.value
    return value < 0 ? undefined : { kind: 'number', value }
  }
  if (previous.kind !== current.kind) return undefined
  const count = current.count - previous.count
  const sum = current.sum - previous.sum
  if (count < 0) return undefined
  // the delta's extremes are known only when the cumulative ones moved; otherwise the cumulative ones bound them
  const min = current.min !== undefined && (previous.min === undefined || current.min < previous.min) ? current.min : undefined
  const max = current.max !== undefined && (previous.max === undefined || current.max > previous.max) ? current.max : undefined
  const extremes: Extremes = {
    ...(min !== undefined ? { min } : current.min !== undefined && { minBound: current.min }),
    ...(max !== undefined ? { max } : current.max !== undefined && { maxBound: current.max }),
  }
  if (current.kind === 'histogram' && previous.kind === 'histogram') {
    if (current.bounds.length !== previous.bounds.length || current.bounds.some((b, i) => b !== previous.bounds[i])) return undefined
    const counts = current.counts.map((c, i) => c - (previous.counts[i] ?? 0))
    if (counts.some((c) => c < 0)) return undefined
    return { kind: 'histogram', count, sum, ...extremes, bounds: current.bounds, counts }
  }
  if (current.kind === 'exp' && previous.kind === 'exp') {
    const scale = Math.min(current.scale, previous.scale)
    const zeroCount = current.zeroCount - previous.zeroCount
    const positive = subtractBuckets(rescale(current.positive, current.scale - scale), rescale(previous.positive, previous.scale - scale))
    const negative = subtractBuckets(rescale(current.negative, current.scale - scale), rescale(previous.negative, previous.scale - scale))
    if (zeroCount < 0 || !positive || !negative) return undefined
    return { kind: 'exp', count, sum, ...extremes, scale, zeroCount, positive, negative }
  }
  return undefined
}

/** Buckets at a scale `by` lower (each `2^by` neighbours merged into one), as SDKs downscale. */
export function rescale(buckets: ExpBuckets, by: number): ExpBuckets {
  if (by <= 0 || buckets.counts.length === 0) return buckets
  const factor = 2 ** by
  const offset = Math.floor(buckets.offset / factor)
  const last = Math.floor((buckets.offset + buckets.counts.length - 1) / factor)
  const counts = new Array<number>(last - offset + 1).fill(0)
  buckets.counts.forEach((n, i) => {
    const at = Math.floor((buckets.offset + i) / factor) - offset
    counts[at] = (counts[at] as number) + n
  })
  return { offset, counts }
}

/** `a − b` bucket by bucket (same scale), or undefined when any bucket went down. */
function subtractBuckets(a: ExpBuckets, b: ExpBuckets): ExpBuckets | undefined {
  const counts = [...a.counts]
  for (let i = 0; i < b.counts.length; i++) {
    const n = b.counts[i] as number
    if (n === 0) continue
    const at = b.offset + i - a.offset
    if (at < 0 || at >= counts.length) return undefined
    counts[at] = (counts[at] as number) - n
    if ((counts[at] as number) < 0) return undefined
  }
  return { offset: a.offset, counts }
}
