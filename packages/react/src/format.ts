// Number formatting for the tab: compact, locale-aware, and never "NaN" or "undefined" on screen.

const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 })
const plain = new Intl.NumberFormat('en', { maximumFractionDigits: 2 })

/** 1234 → "1.2K", 0.5 → "0.5"; "–" for missing values. */
export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–'
  return Math.abs(value) >= 10_000 ? compact.format(value) : plain.format(value)
}

/** Milliseconds as "850 ms", "1.2 s", "3.5 min". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–'
  if (ms < 1) return `${plain.format(Math.round(ms * 1000))} µs`
  if (ms < 1000) return `${plain.format(Math.round(ms * 10) / 10)} ms`
  if (ms < 60_000) return `${plain.format(Math.round(ms / 100) / 10)} s`
  return `${plain.format(Math.round(ms / 6_000) / 10)} min`
}

/** 0.0123 → "1.23%". */
export function formatPercent(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '–'
  const pct = ratio * 100
  return `${pct >= 10 || pct === 0 ? plain.format(Math.round(pct * 10) / 10) : plain.format(Math.round(pct * 100) / 100)}%`
}

export interface Change {
  /** "+12%", "−3%", "new" or "" when there is nothing to compare. */
  text: string
  direction: 'up' | 'down' | 'flat' | 'none'
}

/** Change of `current` against `previous`, as the cards show it. */
export function formatChange(current: number | null | undefined, previous: number | null | undefined): Change {
  if (current === null || current === undefined || previous === null || previous === undefined) return { text: '', direction: 'none' }
  if (previous === 0) return current === 0 ? { text: '0%', direction: 'flat' } : { text: 'new', direction: 'up' }
  const pct = ((current - previous) / Math.abs(previous)) * 100
  if (Math.abs(pct) < 0.5) return { text: '0%', direction: 'flat' }
  const rounded = Math.abs(pct) >= 10 ? Math.round(pct) : Math.round(pct * 10) / 10
  return { text: `${rounded > 0 ? '+' : '−'}${plain.format(Math.abs(rounded))}%`, direction: rounded > 0 ? 'up' : 'down' }
}

/** A bucket start as shown in tables: time of day for short periods, date for long ones. */
export function formatBucketTime(t: number, bucketMs: number): string {
  const d = new Date(t)
  const iso = d.toISOString()
  if (bucketMs >= 86_400_000) return iso.slice(0, 10)
  if (bucketMs >= 3_600_000) return `${iso.slice(5, 10)} ${iso.slice(11, 16)}`
  return `${iso.slice(11, 16)} UTC`
}
