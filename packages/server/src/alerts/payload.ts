// The body of each alert webhook (AlertWebhookPayload in the protocol module), with its Slack-compatible `text`.
import { randomBytes } from 'node:crypto'
import { type AlertWebhookPayload, type AlertWebhookServer, formatAlertWindow, type RuleMetric } from '@mcpdir/metrics/protocol'
import type { AlertRule } from '../store/alert-store'

/** A new delivery id, the `webhook-id` of each of its attempts: `msg_` and 24 random hex digits. */
export const newDeliveryId = () => `msg_${randomBytes(12).toString('hex')}`

/** The server's page on the dashboard. */
export function serverPageUrl(baseUrl: string, serverId: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/#${encodeURIComponent(serverId)}`
}

/** Text as Slack's mrkdwn shows it literally (`&`, `<`, `>` escaped). */
export const slackEscape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

const trim = (n: number, digits: number) => String(Number(n.toFixed(digits)))

/** A metric's value as people read it: shares in %, p95 in ms, calls counted, silence as a duration. */
export function formatValue(metric: RuleMetric, value: number | null): string {
  if (value === null) return 'no value'
  if (metric === 'error_rate' || metric === 'availability') return `${trim(value * 100, 2)} %`
  if (metric === 'p95') return `${trim(value, 1)} ms`
  if (metric === 'silence') return formatAlertWindow(Math.max(60_000, Math.floor(value / 60_000) * 60_000))
  return Math.round(value).toLocaleString('en-US')
}

const LABELS: Record<RuleMetric, string> = { error_rate: 'error rate', p95: 'p95 latency', availability: 'availability', calls: 'calls', silence: 'silence', digest: 'digest' }

/** The rule in words: `error rate above 5 % for 10m`, `calls below 10 in 1h`, `no data for 30m`. */
export function describeRule(rule: Pick<AlertRule, 'metric' | 'condition' | 'threshold' | 'windowMs'>): string {
  const window = formatAlertWindow(rule.windowMs)
  if (rule.metric === 'silence') return `no data for ${window}`
  if (rule.metric === 'digest') return 'weekly digest'
  const over = rule.metric === 'calls' || rule.metric === 'availability' ? `over ${window}` : `for ${window}`
  return `${LABELS[rule.metric]} ${rule.condition} ${formatValue(rule.metric, rule.threshold)} ${over}`
}

/** The one-line summary of a transition, in Slack's mrkdwn. */
export function alertText(type: 'alert.firing' | 'alert.resolved', rule: AlertRule, server: AlertWebhookServer, value: number | null, url: string, test = false): string {
  const who = `*${slackEscape(server.name)}*${server.name === server.id ? '' : ` (${slackEscape(server.id)})`}`
  const link = `<${url}|dashboard>`
  const sample = test ? '[test] ' : ''
  if (type === 'alert.firing') {
    const now = rule.metric === 'silence' ? `nothing received for ${formatValue('silence', value)}` : `${LABELS[rule.metric]} ${formatValue(rule.metric, value)}`
    return `${sample}:rotating_light: ${who}: ${now}. Alert: ${describeRule(rule)}. ${link}`
  }
  const now = rule.metric === 'silence' ? 'receiving data again' : `${LABELS[rule.metric]} back to ${formatValue(rule.metric, value)}`
  return `${sample}:white_check_mark: ${who}: ${now}. Resolved: ${describeRule(rule)}. ${link}`
}

/** The body of an `alert.firing` or `alert.resolved` webhook. */
export function alertPayload(
  type: 'alert.firing' | 'alert.resolved',
  rule: AlertRule,
  server: AlertWebhookServer,
  value: number | null,
  at: number,
  baseUrl: string,
  test = false,
): AlertWebhookPayload {
  const url = serverPageUrl(baseUrl, server.id)
  const window = formatAlertWindow(rule.windowMs)
  return {
    type,
    server: { id: server.id, name: server.name },
    rule: { id: rule.id, metric: rule.metric, condition: rule.condition, threshold: rule.threshold, window },
    value,
    threshold: rule.threshold,
    window,
    at: new Date(at).toISOString(),
    url,
    text: alertText(type, rule, server, value, url, test),
    ...(test && { test: true as const }),
  }
}
