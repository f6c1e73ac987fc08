// One server's headline numbers for a period: the same report metrics-fetch answers (server-report.ts), read
// for the two tool-call series only, reduced to what a directory compares servers by.
import {
  type CallSummary,
  type HeadlineNumbers,
  MAX_FUTURE_SKEW_MS,
  MCP_METRICS,
  type Period,
  type ServerHeadline,
  type UsageCounts,
} from '@mcpdir/metrics/protocol'
import type { ServerRecord, Store } from '../store/store'
import { periodWindow, serverReport } from './server-report'

/** The series a headline reads: tool calls (with their outcomes) and tool-call durations. */
export const HEADLINE_METRICS: readonly string[] = [MCP_METRICS.tool.calls, MCP_METRICS.tool.duration]

/** A server's headline for a period, and whether it was idle then. */
export interface ComputedHeadline {
  headline: ServerHeadline
  /** The end of the period it covers (the window moves on with time). */
  to: number
  /**
   * No data in the period nor the one before: nothing received since before the earlier period began (with the
   * protocol's future-skew margin) and no usage in either. An idle server's numbers stay what they are as the
   * window moves on, until it sends data or usage is recorded for it.
   */
  idle: boolean
}

function numbers(calls: CallSummary, usage: UsageCounts, availability: number | null): HeadlineNumbers {
  return {
    calls: calls.calls,
    errors: calls.errors,
    error_rate: calls.error_rate,
    p50_ms: calls.p50,
    p95_ms: calls.p95,
    availability,
    views: usage.views,
    installs: usage.installs,
    unique_visitors: usage.unique_visitors,
  }
}

const hasUsage = (u: UsageCounts) => u.views + u.installs + u.tests + u.invokes > 0

/** True when nothing the server sent can fall in `period` at `now` or the one before it. */
export function receivedBefore(server: Pick<ServerRecord, 'lastReceivedAt'>, period: Period, now: number): boolean {
  return server.lastReceivedAt === null || server.lastReceivedAt + MAX_FUTURE_SKEW_MS < periodWindow(period, now).previousFrom
}

/** Reads and reduces a server's report for `period` at `now`. */
export async function computeHeadline(store: Store, server: ServerRecord, period: Period, now: number): Promise<ComputedHeadline> {
  // totals only: the period and the one before from the fewest coarse rows, no chart buckets
  const report = await serverReport(store, server, period, now, HEADLINE_METRICS, { chart: false })
  const { usage, calls } = report
  return {
    headline: {
      id: server.id,
      name: server.name,
      is_private: server.isPrivate,
      last_seen: server.lastReceivedAt,
      ...numbers(calls.summary, usage.totals, report.availability),
      previous: numbers(calls.previous, usage.previous, report.previousAvailability),
    },
    to: report.window.to,
    idle: receivedBefore(server, period, now) && !hasUsage(usage.totals) && !hasUsage(usage.previous),
  }
}

function sameNumbers(a: HeadlineNumbers, b: HeadlineNumbers): boolean {
  return (
    a.calls === b.calls &&
    a.errors === b.errors &&
    a.error_rate === b.error_rate &&
    a.p50_ms === b.p50_ms &&
    a.p95_ms === b.p95_ms &&
    a.availability === b.availability &&
    a.views === b.views &&
    a.installs === b.installs &&
    a.unique_visitors === b.unique_visitors
  )
}

/** True when two headlines show the same thing (so a recomputation that changed nothing keeps ETags valid). */
export function sameHeadline(a: ServerHeadline, b: ServerHeadline): boolean {
  return (
    a.id === b.id &&
    a.name === b.name &&
    a.is_private === b.is_private &&
    a.last_seen === b.last_seen &&
    sameNumbers(a, b) &&
    sameNumbers(a.previous, b.previous)
  )
}
