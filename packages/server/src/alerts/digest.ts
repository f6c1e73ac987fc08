// The weekly digest: for each server that opted in (a rule of metric `digest`), once a week, the week that ended
// (Monday 00:00 UTC to Monday) beside the week before: calls, errors, error rate, p95, availability, installs,
// views, top tools and top clients, each with its change. Read through the same report metrics-fetch answers.
import { type AlertWebhookPayload, type DigestNumber, type DigestSection, type DigestTop, MCP_METRICS } from '@mcpdir/metrics/protocol'
import { availability } from '../query/availability'
import { serverReport } from '../query/server-report'
import type { AlertRule } from '../store/alert-store'
import type { ServerRecord, Store } from '../store/store'
import { formatValue, serverPageUrl, slackEscape } from './payload'

const DAY = 86_400_000
const WEEK = 7 * DAY
/** 1970-01-05, the first Monday of the epoch. */
const MONDAY = 4 * DAY
const TOP = 5

/** The Monday 00:00 UTC that begins the week holding `t`. */
export const weekStart = (t: number) => Math.floor((t - MONDAY) / WEEK) * WEEK + MONDAY

/** A week's label: the UTC date of its Monday (`2026-03-02`). */
export const weekLabel = (monday: number) => new Date(monday).toISOString().slice(0, 10)

const change = (value: number | null, previous: number | null) => (value === null || previous === null || previous === 0 ? null : (value - previous) / previous)
const number = (value: number | null, previous: number | null): DigestNumber => ({ value, previous, change: change(value, previous) })

function tops(current: readonly { key: string; calls: number }[], previous: readonly { key: string; calls: number }[]): DigestTop[] {
  const before = new Map(previous.map((b) => [b.key, b.calls]))
  return current.slice(0, TOP).map((b) => {
    const previousCalls = before.get(b.key) ?? 0
    return { key: b.key, calls: b.calls, previous_calls: previousCalls, change: change(b.calls, previousCalls) }
  })
}

/** The digest of the week [monday, monday + 7 d) against the week before. */
export async function digestSection(store: Store, server: ServerRecord, monday: number): Promise<DigestSection> {
  const to = monday + WEEK
  const names = [MCP_METRICS.tool.calls, MCP_METRICS.tool.duration]
  // the 7d period ending with the hour before `to` is exactly the week; and the one ending a week earlier
  const [week, before] = await Promise.all([
    serverReport(store, server, '7d', to - 1, names, { chart: false }),
    serverReport(store, server, '7d', monday - 1, names, { chart: false }),
  ])
  const [up, upBefore] = await Promise.all([availability(store, server.id, monday, to, to), availability(store, server.id, monday - WEEK, monday, monday)])
  const { summary, previous } = week.calls
  return {
    from: new Date(monday).toISOString(),
    to: new Date(to).toISOString(),
    calls: number(summary.calls, previous.calls),
    errors: number(summary.errors, previous.errors),
    error_rate: number(summary.error_rate, previous.error_rate),
    p95_ms: number(summary.p95, previous.p95),
    availability: number(up, upBefore),
    installs: number(week.usage.totals.installs, week.usage.previous.installs),
    views: number(week.usage.totals.views, week.usage.previous.views),
    top_tools: tops(week.breakdowns.tools, before.breakdowns.tools),
    top_clients: tops(week.breakdowns.clients, before.breakdowns.clients),
  }
}

const pct = (c: number | null) => (c === null ? '' : ` (${c >= 0 ? '+' : '−'}${Math.abs(Math.round(c * 100))} %)`)

/** The digest in a few lines of Slack mrkdwn. */
export function digestText(server: ServerRecord, d: DigestSection, url: string, test = false): string {
  const line = (label: string, n: DigestNumber, format: (v: number) => string) => `${label} ${n.value === null ? '–' : format(n.value)}${pct(n.change)}`
  const count = (v: number) => Math.round(v).toLocaleString('en-US')
  const numbers = [
    line('calls', d.calls, count),
    line('errors', d.errors, count),
    line('error rate', d.error_rate, (v) => formatValue('error_rate', v)),
    line('p95', d.p95_ms, (v) => formatValue('p95', v)),
    line('availability', d.availability, (v) => formatValue('availability', v)),
    line('installs', d.installs, count),
    line('views', d.views, count),
  ]
  const top = (label: string, rows: DigestTop[]) => (rows.length === 0 ? '' : `\n${label}: ${rows.map((t) => `${slackEscape(t.key)} ${count(t.calls)}${pct(t.change)}`).join(', ')}`)
  return `${test ? '[test] ' : ''}*Weekly digest: ${slackEscape(server.name)}*, ${d.from.slice(0, 10)} to ${d.to.slice(0, 10)}\n${numbers.join(' · ')}${top('Top tools', d.top_tools)}${top('Top clients', d.top_clients)}\n<${url}|dashboard>`
}

/** The `digest.weekly` body for the week beginning `monday`. */
export async function digestPayload(store: Store, rule: AlertRule, server: ServerRecord, monday: number, at: number, baseUrl: string, test = false): Promise<AlertWebhookPayload> {
  const digest = await digestSection(store, server, monday)
  const url = serverPageUrl(baseUrl, server.id)
  return {
    type: 'digest.weekly',
    server: { id: server.id, name: server.name },
    rule: { id: rule.id, metric: 'digest', condition: null, threshold: null, window: '7d' },
    value: digest.calls.value,
    threshold: null,
    window: '7d',
    at: new Date(at).toISOString(),
    url,
    text: digestText(server, digest, url, test),
    ...(test && { test: true as const }),
    digest,
  }
}
