// The fewest tier rows that hold a time range exactly: the coarsest buckets that fit inside it, and finer ones
// for its edges. A report's previous period needs only its total, so it is read this way: a 7-day period
// before the current one is 7 daily rows a series (plus the hours at its edges), not 168 hourly ones.
import { type Tier, TIER_MS, TIERS } from '@mcpdir/metrics/protocol'

/** One part of a range, read from one tier; `from` and `to` are on that tier's bucket bounds. */
export interface TierSpan {
  tier: Tier
  from: number
  to: number
}

/**
 * Splits `[from, to)`, whose ends lie on `finest`'s bucket bounds, into spans of `finest` or coarser tiers that
 * together hold every bucket of `finest` in it exactly once; in time order.
 */
export function coverRange(finest: Tier, from: number, to: number): TierSpan[] {
  const width = TIER_MS[finest]
  if (from % width !== 0 || to % width !== 0) throw new RangeError(`coverRange: [${from}, ${to}) is not on ${finest} bounds`)
  return cover(TIERS.slice(TIERS.indexOf(finest)), from, to)
}

function cover(tiers: readonly Tier[], from: number, to: number): TierSpan[] {
  if (from >= to) return []
  for (let i = tiers.length - 1; i >= 0; i--) {
    const tier = tiers[i] as Tier
    const width = TIER_MS[tier]
    const start = Math.ceil(from / width) * width
    const end = Math.floor(to / width) * width
    if (start >= end) continue
    const finer = tiers.slice(0, i)
    return [...cover(finer, from, start), { tier, from: start, to: end }, ...cover(finer, end, to)]
  }
  throw new RangeError(`coverRange: [${from}, ${to}) is finer than ${tiers[0]}`)
}
