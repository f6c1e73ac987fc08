// Alerts and weekly digests: the rules an operator sets per server (the admin API's and the CLI's input), how
// they read back, and the body of every webhook the service sends for them (`alert.firing`, `alert.resolved`,
// `digest.weekly`), signed the Standard Webhooks way with the rule's own `whsec_` secret (signing.ts).
import { z } from 'zod'
import { type ParseResult, parseWith } from './validation'

/** What an alert rule watches; `silence` is no data at all, `calls` with `below` a drop in traffic. */
export const ALERT_METRICS = ['error_rate', 'p95', 'availability', 'calls', 'silence'] as const
/** One of {@link ALERT_METRICS}. */
export type AlertMetric = (typeof ALERT_METRICS)[number]
/** What a rule is: an alert on one of {@link ALERT_METRICS}, or `digest`, the weekly summary subscription. */
export const RULE_METRICS = [...ALERT_METRICS, 'digest'] as const
/** One of {@link RULE_METRICS}. */
export type RuleMetric = (typeof RULE_METRICS)[number]
/** Which side of its threshold a rule fires on. */
export type AlertCondition = 'above' | 'below'

/** The type of every webhook body, its `type` field. */
export const ALERT_WEBHOOK_TYPES = ['alert.firing', 'alert.resolved', 'digest.weekly'] as const
/** One of {@link ALERT_WEBHOOK_TYPES}. */
export type AlertWebhookType = (typeof ALERT_WEBHOOK_TYPES)[number]

/** The shortest and longest `for` window: one minute (the evaluation step) to one day (the 1m tier is kept 2 days). */
export const MIN_ALERT_WINDOW_MS = 60_000
export const MAX_ALERT_WINDOW_MS = 86_400_000
/** The longest webhook URL accepted. */
export const MAX_WEBHOOK_URL_LENGTH = 2_048
/** A digest covers seven days, compared with the seven before. */
export const DIGEST_WINDOW = '7d'

const UNITS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const

/** `10m`, `2h`, `1d` → milliseconds; `undefined` for anything else. */
export function parseAlertWindow(text: string): number | undefined {
  const match = /^(\d{1,5})([mhd])$/.exec(text.trim())
  return match ? Number(match[1]) * UNITS[match[2] as keyof typeof UNITS] : undefined
}

/** Milliseconds as the shortest whole `Nd`, `Nh` or `Nm`. */
export function formatAlertWindow(ms: number): string {
  if (ms % UNITS.d === 0) return `${ms / UNITS.d}d`
  if (ms % UNITS.h === 0) return `${ms / UNITS.h}h`
  return `${Math.round(ms / UNITS.m)}m`
}

/** A rule as the admin API takes it (the CLI's flags map onto the same fields). */
export interface AlertRuleInput {
  metric: RuleMetric
  above?: number
  below?: number
  /** The window the condition must hold for: `10m`, `1h`, `1d` (alerts only). */
  for?: string
  /** Where deliveries go: an http(s) URL. */
  webhook: string
}

/** A rule checked and normalised: `condition` and `threshold` are null for `silence` and `digest`. */
export interface AlertRuleSpec {
  metric: RuleMetric
  condition: AlertCondition | null
  threshold: number | null
  /** The window in ms (a digest's is seven days). */
  windowMs: number
  webhook: string
}

const finite = z.number().finite()
const ruleInputSchema = z.strictObject({
  metric: z.enum(RULE_METRICS),
  above: finite.optional(),
  below: finite.optional(),
  for: z.string().optional(),
  webhook: z.string().min(1).max(MAX_WEBHOOK_URL_LENGTH),
})

/** Where each metric's threshold may lie, so that a rule can be true at all. */
const BOUNDS: Record<AlertMetric, { min: number; max: number; unit: string }> = {
  error_rate: { min: 0, max: 1, unit: 'a share of calls from 0 to 1 (0.05 is 5 %)' },
  availability: { min: 0, max: 1, unit: 'a share of minutes from 0 to 1 (0.995 is 99.5 %)' },
  p95: { min: 0, max: 3_600_000, unit: 'milliseconds' },
  calls: { min: 0, max: 1e12, unit: 'calls' },
  silence: { min: 0, max: 0, unit: '' },
}

const issue = (path: string, message: string): ParseResult<AlertRuleSpec> => ({ ok: false, issues: [{ path, code: 'invalid_rule', message }] })

/**
 * Checks a rule: a known metric; exactly one of `above` / `below` within the metric's range (none for `silence`
 * and `digest`); a window `for` from 1m to 1d (none for `digest`); an http(s) `webhook`. Whether the webhook's
 * address may be reached is the service's check (private addresses), not this one.
 */
export function parseAlertRule(input: unknown): ParseResult<AlertRuleSpec> {
  const parsed = parseWith(ruleInputSchema, input)
  if (!parsed.ok) return parsed
  const { metric, above, below, webhook } = parsed.value
  let url: URL
  try {
    url = new URL(webhook)
  } catch {
    return issue('webhook', `"${webhook}" is not a URL`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return issue('webhook', `the webhook must be an http or https URL, not ${url.protocol}`)
  if (metric === 'digest' || metric === 'silence') {
    if (above !== undefined || below !== undefined) return issue(above !== undefined ? 'above' : 'below', `${metric} takes no threshold`)
  }
  if (metric === 'digest') {
    if (parsed.value.for !== undefined) return issue('for', 'a digest is weekly; it takes no window')
    return { ok: true, value: { metric, condition: null, threshold: null, windowMs: 7 * UNITS.d, webhook: url.href } }
  }
  if (parsed.value.for === undefined) return issue('for', `${metric} needs a window to hold for, e.g. "for": "10m"`)
  const windowMs = parseAlertWindow(parsed.value.for)
  if (windowMs === undefined) return issue('for', `"${parsed.value.for}" is not a window: a whole number of m, h or d, e.g. 10m`)
  if (windowMs < MIN_ALERT_WINDOW_MS || windowMs > MAX_ALERT_WINDOW_MS) return issue('for', `the window must be from 1m to 1d, not ${parsed.value.for}`)
  if (metric === 'silence') return { ok: true, value: { metric, condition: null, threshold: null, windowMs, webhook: url.href } }
  if (above !== undefined && below !== undefined) return issue('below', 'give either above or below, not both')
  if (above === undefined && below === undefined) return issue('above', `${metric} needs a threshold: above or below`)
  const condition: AlertCondition = above !== undefined ? 'above' : 'below'
  const threshold = (above ?? below) as number
  const bounds = BOUNDS[metric]
  if (threshold < bounds.min || threshold > bounds.max) return issue(condition, `${metric} is ${bounds.unit}; ${threshold} is out of range`)
  if ((condition === 'above' && threshold >= bounds.max) || (condition === 'below' && threshold <= bounds.min)) {
    return issue(condition, `${metric} is never ${condition} ${threshold}: the rule could never fire`)
  }
  return { ok: true, value: { metric, condition, threshold, windowMs, webhook: url.href } }
}

/** A rule as the admin API and `alerts list --json` show it: never its secret, which is shown once at creation. */
export interface AlertRuleView {
  id: number
  server_id: string
  metric: RuleMetric
  condition: AlertCondition | null
  threshold: number | null
  /** `10m`; `7d` for a digest. */
  window: string
  webhook: string
  created_at: number
  /** `firing` from the `firing` delivery until the `resolved` one; `ok` otherwise (digests always). */
  state: 'ok' | 'firing'
  state_since: number
  /** The metric's value at the last evaluation (null when it had none, e.g. no calls). */
  last_value: number | null
}

/** The server an alert or digest is about. */
export interface AlertWebhookServer {
  id: string
  name: string
}

/** One headline number of a digest, beside the week before's; `change` is relative (0.1 = +10 %), null without a base. */
export interface DigestNumber {
  value: number | null
  previous: number | null
  change: number | null
}

/** A row of a digest's top tools or clients. */
export interface DigestTop {
  key: string
  calls: number
  previous_calls: number
  change: number | null
}

/** What a `digest.weekly` body adds: the week (`from`, `to`, ISO 8601) and its numbers against the week before. */
export interface DigestSection {
  from: string
  to: string
  calls: DigestNumber
  errors: DigestNumber
  error_rate: DigestNumber
  p95_ms: DigestNumber
  availability: DigestNumber
  installs: DigestNumber
  views: DigestNumber
  top_tools: DigestTop[]
  top_clients: DigestTop[]
}

/**
 * The body of every alert and digest webhook. `value` is the metric when the rule fired or resolved (error rate
 * and availability as shares, p95 in ms, calls as a count; silence: ms since the last data, null when never);
 * `at` is when (ISO 8601); `url` the server's page; `text` a one-line summary in Slack's mrkdwn, so a Slack
 * incoming webhook works as a destination as it is. `test: true` marks a sample sent by `alerts test`.
 */
export interface AlertWebhookPayload {
  type: AlertWebhookType
  server: AlertWebhookServer
  rule: { id: number; metric: RuleMetric; condition: AlertCondition | null; threshold: number | null; window: string }
  value: number | null
  threshold: number | null
  window: string
  at: string
  url: string
  text: string
  test?: true
  digest?: DigestSection
}

const iso = z.iso.datetime({ offset: true })
const digestNumber = z.strictObject({ value: z.number().nullable(), previous: z.number().nullable(), change: z.number().nullable() })
const digestTop = z.strictObject({ key: z.string(), calls: z.number(), previous_calls: z.number(), change: z.number().nullable() })

/** The strict schema of {@link AlertWebhookPayload}: what receivers can validate a delivery with. */
export const alertWebhookPayloadSchema = z
  .strictObject({
    type: z.enum(ALERT_WEBHOOK_TYPES),
    server: z.strictObject({ id: z.string(), name: z.string() }),
    rule: z.strictObject({
      id: z.number().int(),
      metric: z.enum(RULE_METRICS),
      condition: z.enum(['above', 'below']).nullable(),
      threshold: z.number().nullable(),
      window: z.string(),
    }),
    value: z.number().nullable(),
    threshold: z.number().nullable(),
    window: z.string(),
    at: iso,
    url: z.string(),
    text: z.string().min(1),
    test: z.literal(true).optional(),
    digest: z
      .strictObject({
        from: iso,
        to: iso,
        calls: digestNumber,
        errors: digestNumber,
        error_rate: digestNumber,
        p95_ms: digestNumber,
        availability: digestNumber,
        installs: digestNumber,
        views: digestNumber,
        top_tools: z.array(digestTop),
        top_clients: z.array(digestTop),
      })
      .optional(),
  })
  .refine((p) => (p.type === 'digest.weekly') === (p.digest !== undefined), { message: 'digest.weekly carries digest; alerts do not', path: ['digest'] })

/** Parses a webhook body (as a receiver would). */
export function parseAlertWebhookPayload(input: unknown): ParseResult<AlertWebhookPayload> {
  return parseWith(alertWebhookPayloadSchema as unknown as z.ZodType<AlertWebhookPayload>, input)
}

const ruleView = z.strictObject({
  id: z.number().int(),
  server_id: z.string(),
  metric: z.enum(RULE_METRICS),
  condition: z.enum(['above', 'below']).nullable(),
  threshold: z.number().nullable(),
  window: z.string(),
  webhook: z.string(),
  created_at: z.number().int(),
  state: z.enum(['ok', 'firing']),
  state_since: z.number().int(),
  last_value: z.number().nullable(),
})

/** What `POST …/admin/servers/{id}/alerts` answers: the rule and its signing secret, shown this once. */
export const alertCreatedResponseSchema = ruleView.extend({ success: z.literal(true), secret: z.string().startsWith('whsec_') })
/** What `GET …/admin/servers/{id}/alerts` answers. */
export const alertListResponseSchema = z.strictObject({ success: z.literal(true), alerts: z.array(ruleView) })

/** The answer of `POST …/alerts`. */
export type AlertCreatedResponse = AlertRuleView & { success: true; secret: string }
/** The answer of `GET …/alerts`. */
export interface AlertListResponse {
  success: true
  alerts: AlertRuleView[]
}

type Exactly<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
const checks: [Exactly<z.infer<typeof ruleView>, AlertRuleView>, Exactly<z.infer<typeof alertListResponseSchema>, AlertListResponse>] = [true, true]
void checks
