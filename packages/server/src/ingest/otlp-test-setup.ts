// Test support for `POST /v1/metrics` in process: a service on an in-memory SQLite store and a fake clock, a
// server that accepts unsigned ingest, and ways to export to it and read it back. Only tests import this file.
import { gzipSync } from 'node:zlib'
import { type MetricsFetchResponse, ROUTES } from '@mcpdir/metrics/protocol'
import { createApp } from '../app/create-app'
import type { ServiceConfig } from '../app/config'
import { registerServer } from '../credentials/server-credentials'
import { protobufOf } from '../otlp/otlp-test-helpers'
import { openSqliteStore } from '../store/sqlite/sqlite-store'

export const T0 = Date.parse('2026-03-10T12:00:30Z')

export async function otlpSetup(config: Partial<ServiceConfig> = {}) {
  const clock = { now: T0 }
  const store = openSqliteStore({ path: ':memory:' })
  const open = await registerServer(store, { id: 'otel', requireSignature: false }, T0 - 86_400_000)
  const signed = await registerServer(store, { id: 'signed' }, T0 - 86_400_000)
  const app = createApp({ store, clock: () => clock.now, backgroundJobs: false, config })

  /** Posts an OTLP/JSON request (or its protobuf encoding, optionally gzipped) with the server's key. */
  async function exportOtlp(json: Record<string, unknown>, options: { encoding?: 'json' | 'protobuf'; gzip?: boolean; headers?: Record<string, string> } = {}) {
    const raw = options.encoding === 'protobuf' ? protobufOf(json) : new TextEncoder().encode(JSON.stringify(json))
    const body = options.gzip ? gzipSync(raw) : raw
    return app.request(ROUTES.otlpMetrics, {
      method: 'POST',
      body: body as BodyInit,
      headers: {
        'content-type': options.encoding === 'protobuf' ? 'application/x-protobuf' : 'application/json',
        'x-api-key': open.api_key,
        ...(options.gzip && { 'content-encoding': 'gzip' }),
        ...options.headers,
      },
    })
  }

  /** The server's metrics-fetch answer for a period. */
  async function fetchReport(period = '1h', serverId = 'otel'): Promise<MetricsFetchResponse> {
    const response = await app.request(`${ROUTES.metricsFetch}?server_id=${serverId}&period=${period}`)
    return (await response.json()) as MetricsFetchResponse
  }

  /** Rows in the tables an ingest writes. */
  const rowCounts = () =>
    Object.fromEntries(
      ['metric_blocks', 'ingest_batches', 'ingest_state', 'server_events', 'server_heartbeats', 'heartbeat_hours'].map((table) => [
        table,
        (store.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n,
      ]),
    )

  /** The summary of one series of the report, by name (and type when a name has two). */
  const summary = (report: MetricsFetchResponse, name: string) => report.metrics.find((m) => m.name === name)?.summary

  return { clock, store, app, open, signed, exportOtlp, fetchReport, rowCounts, summary }
}
