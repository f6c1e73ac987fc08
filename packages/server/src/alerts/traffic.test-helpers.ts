// Traffic and rules for the alert tests: tool calls and heartbeats stored for a minute, rules added through the
// admin API (so their secrets come back as an operator sees them), on a service with a fake clock.
import { type AlertCreatedResponse, Sketch } from '@mcpdir/metrics/protocol'
import { expect } from 'vitest'
import type { MetricsApp } from '../app/create-app'
import type { Store } from '../store/store'
import type { Receiver } from './receiver.test-helpers'

export const MIN = 60_000
export const HOUR = 60 * MIN
export const DAY = 24 * HOUR
/** A Monday, 00:00 UTC. */
export const T0 = Date.parse('2026-03-09T00:00:00Z')
export const ADMIN = 'admin-key-for-alert-tests'

let batch = 0

/** Stores `ok` good and `errors` failed tool calls (and a heartbeat) in the minute starting at `minute`. */
export async function traffic(store: Store, serverId: string, minute: number, ok: number, errors: number, durationMs = 100) {
  const calls = (outcome: string, n: number) => ({ name: 'mcp.tool.calls', type: 'counter' as const, tags: { tool: 'search', client: 'claude-ai', outcome }, timestamp: minute + 10_000, count: n, sum: n, min: 1, max: 1, last: 1 })
  const points = [...(ok > 0 ? [calls('ok', ok)] : []), ...(errors > 0 ? [calls('error', errors)] : [])]
  const timer = { name: 'mcp.tool.duration', type: 'timer' as const, tags: { tool: 'search', client: 'claude-ai' }, timestamp: minute + 10_000, count: 1, sum: durationMs, min: durationMs, max: durationMs, last: durationMs, sketch: Sketch.of([durationMs]).toJSON() }
  await store.ingest(serverId, `t-${++batch}`, ok + errors > 0 ? [...points, timer] : [], [{ type: 'heartbeat', timestamp: minute + 10_000, details: {} }], minute + 20_000, minute - DAY)
}

/** Adds a rule through the admin API, its webhook a path of `receiver` that verifies with the rule's secret. */
export async function addAlert(app: MetricsApp, receiver: Receiver, serverId: string, rule: Record<string, unknown>, path = `/hook/${++batch}`): Promise<AlertCreatedResponse & { path: string }> {
  const response = await app.request(`/functions/v1/admin/servers/${serverId}/alerts`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ webhook: `${receiver.url}${path}`, ...rule }),
  })
  const body = (await response.json()) as AlertCreatedResponse
  expect(response.status, JSON.stringify(body)).toBe(201)
  receiver.secrets.set(path, body.secret)
  return { ...body, path }
}
