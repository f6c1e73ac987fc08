import { PERIOD_SPECS, PERIODS, type Tier, TIERS } from '@mcpdir/metrics/protocol'
import { DEFAULT_RETENTION, type RetentionConfig, TIER_RETENTION, tierRetentionMs } from '../app/config'

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 }
/**
 * Each key `--retention` takes; the tiers answer to their width and to the names of release 0. `1w` has no key of
 * its own: it is kept as long as `1d` (config.ts).
 */
const { '1w': _week, ...ownTiers } = TIER_RETENTION
const KEYS: Record<string, keyof RetentionConfig> = {
  raw: 'rawMs',
  ...ownTiers,
  minute: 'minuteMs',
  hour: 'hourMs',
  day: 'dayMs',
  events: 'eventsMs',
  usage: 'usageMs',
  heartbeats: 'heartbeatsMs',
}

/** How long a tier must be kept: its longest period plus the previous one, which reports compare it with. */
export function minimumTierRetentionMs(tier: Tier): number {
  return Math.max(0, ...PERIODS.filter((p) => PERIOD_SPECS[p].tier === tier).map((p) => 2 * PERIOD_SPECS[p].durationMs))
}

const describeMs = (ms: number) => (ms % 86_400_000 === 0 ? `${ms / 86_400_000}d` : `${ms / 3_600_000}h`)

/**
 * Parses `raw=7d,1m=2d,1h=14d,1d=forever` (any subset; units m, h, d; `minute`, `hour` and `day` name the
 * `1m`, `1h` and `1d` tiers) over the defaults. Throws an Error naming the bad part.
 */
export function parseRetention(text: string): RetentionConfig {
  const out: RetentionConfig = { ...DEFAULT_RETENTION }
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [name, value] = part.split('=', 2)
    const key = KEYS[name ?? '']
    if (!key || value === undefined) throw new Error(`retention "${part}": expected one of ${Object.keys(KEYS).join(', ')} = <n>m|h|d|forever`)
    if (value === 'forever') {
      if (key !== 'dayMs') throw new Error(`retention "${part}": only the 1d tier can be kept forever`)
      out.dayMs = null
      continue
    }
    const match = /^(\d+)([mhd])$/.exec(value)
    if (!match) throw new Error(`retention "${part}": the age must look like 30m, 12h or 7d`)
    out[key] = Number(match[1]) * (UNITS[match[2] as string] as number)
  }
  if (out.rawMs < 2 * 3_600_000) throw new Error('retention: raw points must be kept at least 2h')
  // a heartbeat is accepted as late as a point; kept shorter, a late one could land in an hour being purged
  if (out.heartbeatsMs < out.rawMs) {
    throw new Error(`retention: heartbeats must be kept at least as long as raw points (${describeMs(out.rawMs)}), which is how late ingest accepts them`)
  }
  for (const tier of TIERS) {
    const kept = tierRetentionMs(out, tier)
    const least = minimumTierRetentionMs(tier)
    if (kept !== null && kept < least) {
      throw new Error(`retention: the ${tier} tier must be kept at least ${describeMs(least)} (its longest period and the one before)`)
    }
  }
  return out
}
