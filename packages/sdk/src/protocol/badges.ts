// README badges, `GET /badge/{server_id}/{metric}.svg` and `.json`: which numbers a badge shows, how each is
// written, the thresholds that colour it and the shields.io endpoint body. Zod-free, so browser bundles (the
// dashboard's badge block) can import it.
import { DEFAULT_PERIOD, type Period } from './periods'
import { ROUTES } from './routes'
import type { HeadlineField, HeadlineNumbers } from './servers-list'

/** What a badge can show: the `{metric}` of its path. */
export const BADGE_METRICS = ['calls', 'p95', 'error-rate', 'availability', 'installs', 'views'] as const
/** One of {@link BADGE_METRICS}. */
export type BadgeMetric = (typeof BADGE_METRICS)[number]

/**
 * The headline number (the servers list's, `HeadlineNumbers`) each badge shows, so a badge, the list and
 * metrics-fetch's summaries agree.
 */
export const BADGE_FIELDS: Readonly<Record<BadgeMetric, HeadlineField>> = {
  calls: 'calls',
  p95: 'p95_ms',
  'error-rate': 'error_rate',
  availability: 'availability',
  installs: 'installs',
  views: 'views',
}

/** The badge's default label, before the period: `calls (7d)`. */
export const BADGE_NAMES: Readonly<Record<BadgeMetric, string>> = {
  calls: 'calls',
  p95: 'p95 latency',
  'error-rate': 'error rate',
  availability: 'availability',
  installs: 'installs',
  views: 'views',
}

/** The extensions of a badge's path: an SVG image, or a shields.io endpoint body ({@link BadgeEndpointResponse}). */
export const BADGE_FORMATS = ['svg', 'json'] as const
/** One of {@link BADGE_FORMATS}. */
export type BadgeFormat = (typeof BADGE_FORMATS)[number]

/** The `style` parameter's values: shields.io's `flat` (the default, rounded) and `flat-square`. */
export const BADGE_STYLES = ['flat', 'flat-square'] as const
/** One of {@link BADGE_STYLES}. */
export type BadgeStyle = (typeof BADGE_STYLES)[number]
/** The style when none is asked for. */
export const DEFAULT_BADGE_STYLE: BadgeStyle = 'flat'

/** The longest `label` accepted, in characters. */
export const MAX_BADGE_LABEL_LENGTH = 64

/**
 * A badge's colours, shields.io's names (what the endpoint body carries): green, yellow and red by threshold,
 * blue for counts (they have no good or bad), light grey when there is no number yet.
 */
export const BADGE_COLORS = ['brightgreen', 'yellow', 'red', 'blue', 'lightgrey'] as const
/** One of {@link BADGE_COLORS}. */
export type BadgeColor = (typeof BADGE_COLORS)[number]
/** The fill of each colour in the SVG (shields.io's palette, as `badge-maker` draws it). */
export const BADGE_COLOR_HEX: Readonly<Record<BadgeColor, string>> = {
  brightgreen: '#4b0',
  yellow: '#d8b800',
  red: '#dd4343',
  blue: '#007ec6',
  lightgrey: '#939393',
}

/**
 * Where a metric turns from green to yellow and from yellow to red. `higher` is better: green at or above
 * `green`, yellow at or above `yellow`, red below. `lower` is better: green at or below `green`, yellow at or
 * below `yellow`, red above.
 */
export interface BadgeThreshold {
  better: 'higher' | 'lower'
  green: number
  yellow: number
}

/**
 * The colour thresholds, defined here only: availability (a share, 0–1) green ≥ 99.5 %, yellow ≥ 95 %;
 * error rate (a share) green ≤ 1 %, yellow ≤ 5 %; p95 latency green ≤ 1 000 ms, yellow ≤ 5 000 ms; red beyond.
 * Calls, installs and views are blue.
 */
export const BADGE_THRESHOLDS = {
  availability: { better: 'higher', green: 0.995, yellow: 0.95 },
  'error-rate': { better: 'lower', green: 0.01, yellow: 0.05 },
  p95: { better: 'lower', green: 1_000, yellow: 5_000 },
} as const satisfies Partial<Record<BadgeMetric, BadgeThreshold>>

/** The message of a badge without a number: no calls for an error rate or latency, no heartbeat yet. */
export const BADGE_NO_DATA = 'no data'

/** True when `value` is one of {@link BADGE_METRICS}. */
export function isBadgeMetric(value: unknown): value is BadgeMetric {
  return typeof value === 'string' && (BADGE_METRICS as readonly string[]).includes(value)
}

/** The number a badge of `metric` shows from a server's headline numbers (null when there is none yet). */
export function badgeValue(numbers: HeadlineNumbers, metric: BadgeMetric): number | null {
  return numbers[BADGE_FIELDS[metric]]
}

/** The colour of a badge showing `value` ({@link BADGE_THRESHOLDS}; counts blue, no number light grey). */
export function badgeColor(metric: BadgeMetric, value: number | null): BadgeColor {
  if (value === null) return 'lightgrey'
  if (!(metric in BADGE_THRESHOLDS)) return 'blue'
  const t: BadgeThreshold = BADGE_THRESHOLDS[metric as keyof typeof BADGE_THRESHOLDS]
  const atLeast = (limit: number) => (t.better === 'higher' ? value >= limit : value <= limit)
  return atLeast(t.green) ? 'brightgreen' : atLeast(t.yellow) ? 'yellow' : 'red'
}

// Rounding leans to the worse side (counts and availability down, error rates and latency up), so the number
// shown never looks better than the colour says: 99.499 % is "99.49 %" and yellow, not "99.5 %".
const EPSILON = 1e-7
const trim = (text: string) => (text.includes('.') ? text.replace(/\.?0+$/, '') : text)

/** A count, compactly: `950`, `1.2k`, `12k`, `999k`, `1.2M`, rounded down. */
export function formatCount(n: number): string {
  const whole = Math.max(0, Math.floor(n))
  if (whole < 1000) return String(whole)
  let scale = 1
  for (const unit of ['k', 'M', 'G', 'T', 'P']) {
    scale *= 1000
    const tenths = Math.floor(whole / (scale / 10))
    if (tenths < 100) return `${trim((tenths / 10).toFixed(1))}${unit}`
    const units = Math.floor(whole / scale)
    if (units < 1000) return `${units}${unit}`
  }
  return `${Math.floor(whole / scale)}P`
}

/** A share (0–1) as a percentage with up to two decimals: `99.95 %`; `down` for availability, `up` for rates. */
export function formatPercent(share: number, round: 'down' | 'up'): string {
  if (round === 'up' && share > 0 && share < 0.0001) return '<0.01 %'
  const hundredths = round === 'down' ? Math.floor(share * 10_000 + EPSILON) : Math.ceil(share * 10_000 - EPSILON)
  return `${trim((Math.max(0, hundredths) / 100).toFixed(2))} %`
}

/** A duration in milliseconds, rounded up: `3.5 ms`, `120 ms`, `1.2 s`, `12 s`. */
export function formatDuration(ms: number): string {
  if (ms < 10) return `${trim((Math.ceil(Math.max(0, ms) * 10 - EPSILON) / 10).toFixed(1))} ms`
  if (ms <= 999 + EPSILON) return `${Math.ceil(ms - EPSILON)} ms`
  const tenths = Math.ceil(ms / 100 - EPSILON)
  if (tenths < 100) return `${trim((tenths / 10).toFixed(1))} s`
  return `${Math.ceil(ms / 1000 - EPSILON)} s`
}

/** A badge's message: its number written compactly ({@link BADGE_NO_DATA} without one). */
export function formatBadgeValue(metric: BadgeMetric, value: number | null): string {
  if (value === null) return BADGE_NO_DATA
  switch (metric) {
    case 'p95':
      return formatDuration(value)
    case 'error-rate':
      return formatPercent(value, 'up')
    case 'availability':
      return formatPercent(value, 'down')
    default:
      return formatCount(value)
  }
}

/** A badge's label: `label` when given (even empty), else its name and period, `calls (7d)`. */
export function badgeLabel(metric: BadgeMetric, period: Period, label?: string): string {
  return label ?? `${BADGE_NAMES[metric]} (${period})`
}

/** Why `label` is refused (too long, or a control character, which SVG cannot carry), or `undefined`. */
export function badgeLabelProblem(label: string): string | undefined {
  if (label.length > MAX_BADGE_LABEL_LENGTH) return `label must be at most ${MAX_BADGE_LABEL_LENGTH} characters`
  if (/[\u0000-\u001f\u007f-\u009f\ufffe\uffff]/.test(label)) return 'label must not contain control characters'
  return undefined
}

/**
 * The body of `GET /badge/{server_id}/{metric}.json`: a shields.io endpoint badge
 * (`https://img.shields.io/endpoint?url=…`). `cacheSeconds` is the period's `Cache-Control` age; `style` is
 * there when asked for.
 */
export interface BadgeEndpointResponse {
  schemaVersion: 1
  label: string
  message: string
  color: BadgeColor
  cacheSeconds: number
  style?: BadgeStyle
}

/** What a badge's URL may ask for; defaults are left out of the URL. */
export interface BadgeOptions {
  format?: BadgeFormat
  period?: Period
  label?: string
  style?: BadgeStyle
}

/** The path and query of a badge: `/badge/my-server/calls.svg?period=30d`. */
export function badgePath(serverId: string, metric: BadgeMetric, options: BadgeOptions = {}): string {
  const params = new URLSearchParams()
  if (options.period !== undefined && options.period !== DEFAULT_PERIOD) params.set('period', options.period)
  if (options.label !== undefined) params.set('label', options.label)
  if (options.style !== undefined && options.style !== DEFAULT_BADGE_STYLE) params.set('style', options.style)
  const query = params.toString()
  return `${ROUTES.badge}/${encodeURIComponent(serverId)}/${metric}.${options.format ?? 'svg'}${query ? `?${query}` : ''}`
}

/**
 * The Markdown of a badge for a README: the SVG on `baseUrl` (the service's origin), its default label as
 * alternative text, linked to `link` when given.
 */
export function badgeMarkdown(baseUrl: string, serverId: string, metric: BadgeMetric, options: Omit<BadgeOptions, 'format'> & { link?: string } = {}): string {
  const { link, ...rest } = options
  const alt = badgeLabel(metric, options.period ?? DEFAULT_PERIOD, options.label).replace(/[[\]\\]/g, '\\$&')
  const image = `![${alt}](${baseUrl.replace(/\/+$/, '')}${badgePath(serverId, metric, rest)})`
  return link === undefined ? image : `[${image}](${link})`
}
