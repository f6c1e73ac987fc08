import { DEFAULT_RETENTION, type RetentionConfig } from '../app/config'

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 }
const KEYS: Record<string, keyof RetentionConfig> = {
  raw: 'rawMs',
  minute: 'minuteMs',
  hour: 'hourMs',
  day: 'dayMs',
  events: 'eventsMs',
  usage: 'usageMs',
  heartbeats: 'heartbeatsMs',
}

/**
 * Parses `raw=7d,minute=2d,hour=90d,day=forever` (any subset; units m, h, d) over the defaults.
 * Throws an Error naming the bad part.
 */
export function parseRetention(text: string): RetentionConfig {
  const out: RetentionConfig = { ...DEFAULT_RETENTION }
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [name, value] = part.split('=', 2)
    const key = KEYS[name ?? '']
    if (!key || value === undefined) throw new Error(`retention "${part}": expected one of ${Object.keys(KEYS).join(', ')} = <n>m|h|d|forever`)
    if (value === 'forever') {
      if (key !== 'dayMs') throw new Error(`retention "${part}": only day rollups can be kept forever`)
      out.dayMs = null
      continue
    }
    const match = /^(\d+)([mhd])$/.exec(value)
    if (!match) throw new Error(`retention "${part}": the age must look like 30m, 12h or 7d`)
    out[key] = Number(match[1]) * (UNITS[match[2] as string] as number)
  }
  if (out.rawMs < 2 * 3_600_000) throw new Error('retention: raw points must be kept at least 2h')
  if (out.minuteMs > out.rawMs || out.hourMs < out.rawMs) {
    throw new Error('retention: minute rollups may not outlive raw points, and hour rollups must outlive them')
  }
  return out
}
