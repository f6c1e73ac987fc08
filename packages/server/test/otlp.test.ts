// OTLP ingest through the real OpenTelemetry JS SDK and exporters (@opentelemetry/sdk-metrics with
// exporter-metrics-otlp-http, JSON, and exporter-metrics-otlp-proto, protobuf and gzip) against the real service
// (the CLI as a child process): delta and cumulative temporality, a sender restart in between, read back through
// metrics-fetch with exact counts and sums and percentiles within the stated bound.
import type { Attributes } from '@opentelemetry/api'
import { OTLPMetricExporter as JsonExporter } from '@opentelemetry/exporter-metrics-otlp-http'
import { OTLPMetricExporter as ProtoExporter } from '@opentelemetry/exporter-metrics-otlp-proto'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { AggregationTemporality, AggregationType, MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics'
import { type MetricsFetchResponse, nearestRank, SKETCH_RELATIVE_ACCURACY } from '@mcpdir/metrics/protocol'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningService, startService } from '../src/testing'
import { gzipSync } from 'node:zlib'
import { addServer, type Credentials, post, postStream, query, rowCounts } from './helpers'

/** OpenTelemetry's advised boundaries for mcp.server.operation.duration, in seconds. */
const MCP_BOUNDS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300]

let service: RunningService
beforeAll(async () => {
  service = await startService()
})
afterAll(async () => {
  expect(await service.stop()).toBe(0)
})

type Kind = 'json' | 'proto'

/** A sender: an OpenTelemetry MeterProvider exporting to the service only when flushed. */
function sender(kind: Kind, creds: Credentials, temporality: AggregationTemporality, version: string) {
  const options = {
    url: `${service.url}/v1/metrics`,
    headers: kind === 'json' ? { 'x-api-key': creds.api_key } : { authorization: `Bearer ${creds.api_key}` },
    temporalityPreference: temporality,
    ...(kind === 'proto' && { compression: 'gzip' }),
  } as ConstructorParameters<typeof ProtoExporter>[0]
  const exporter: PushMetricExporter = kind === 'json' ? new JsonExporter(options) : new ProtoExporter(options)
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 })
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': 'otel-mcp', 'service.version': version }),
    readers: [reader],
    views: [{ instrumentName: 'job.duration', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }],
  })
  const meter = provider.getMeter('mcp-test')
  const duration = meter.createHistogram('mcp.server.operation.duration', { unit: 's', advice: { explicitBucketBoundaries: MCP_BOUNDS } })
  const jobs = meter.createCounter('jobs.done')
  const jobDuration = meter.createHistogram('job.duration', { unit: 'ms' })
  return {
    call(tool: string, seconds: number, errorType?: string) {
      const attributes: Attributes = { 'mcp.method.name': 'tools/call', 'gen_ai.tool.name': tool, 'network.transport': 'pipe', ...(errorType && { 'error.type': errorType }) }
      duration.record(seconds, attributes)
    },
    jobs,
    jobDuration,
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  }
}

async function report(serverId: string): Promise<MetricsFetchResponse> {
  const response = await fetch(`${service.url}/functions/v1/metrics-fetch?server_id=${serverId}&period=1h`)
  expect(response.status).toBe(200)
  return (await response.json()) as MetricsFetchResponse
}

const trueQuantile = (values: number[], q: number) => [...values].sort((a, b) => a - b)[nearestRank(q, values.length) - 1] as number

/** The explicit bucket [lo, hi] (ms) of the MCP boundaries holding `seconds`, narrowed to the values' min and max. */
function bucketOf(seconds: number, values: number[]): [number, number] {
  const i = MCP_BOUNDS.findIndex((b) => seconds <= b)
  const lo = Math.max(i <= 0 ? 0 : (MCP_BOUNDS[i - 1] as number), Math.min(...values))
  const hi = Math.min(i === -1 ? Number.POSITIVE_INFINITY : (MCP_BOUNDS[i] as number), Math.max(...values))
  return [lo * 1000, hi * 1000]
}

/** Checks a reported percentile lies in the bucket of the true one, within the sketch's accuracy. */
function expectWithinBucket(reported: number | null | undefined, values: number[], q: number) {
  const [lo, hi] = bucketOf(trueQuantile(values, q), values)
  expect(reported).toBeGreaterThanOrEqual(lo * (1 - SKETCH_RELATIVE_ACCURACY))
  expect(reported).toBeLessThanOrEqual(hi * (1 + SKETCH_RELATIVE_ACCURACY))
}

/** Records the same traffic in two lives of a sender (restarted, with a new version, in between). */
async function run(kind: Kind, serverId: string, temporality: AggregationTemporality) {
  const creds = addServer(service.dbPath, serverId, '--no-signature')
  const search: number[] = []
  const jobValues: number[] = []
  let first = sender(kind, creds, temporality, '1.0.0')
  const record = (s: ReturnType<typeof sender>, i: number) => {
    const seconds = 0.004 + ((i * 37) % 100) / 400 // 4 ms to 251.5 ms
    s.call('search', seconds)
    search.push(seconds)
    s.jobs.add(i + 1, { queue: 'q' })
    const ms = 10 + i * 1.5
    s.jobDuration.record(ms)
    jobValues.push(ms)
  }
  for (let i = 0; i < 40; i++) record(first, i)
  first.call('fetch', 0.5, 'tool_error')
  first.call('fetch', 0.001, '-32602')
  await first.flush()
  for (let i = 40; i < 60; i++) record(first, i)
  await first.flush()
  await first.flush() // nothing new: a cumulative sender repeats its totals, a delta one sends nothing
  await first.shutdown()
  // the sender restarts: a new provider, a new start time, its counts from zero
  first = sender(kind, creds, temporality, '1.1.0')
  for (let i = 60; i < 100; i++) record(first, i)
  first.call('fetch', 1.5, '-32603')
  await first.flush()
  await first.shutdown()

  const r = await report(serverId)
  const tools = Object.fromEntries(r.breakdowns.tools.map((t) => [t.key, t]))
  expect(tools.search).toMatchObject({ calls: 100, errors: 0 })
  expect(tools.fetch).toMatchObject({ calls: 3, errors: 2, client_errors: 1 })
  expectWithinBucket(tools.search?.p50, search, 0.5)
  expectWithinBucket(tools.search?.p95, search, 0.95)
  expect(r.calls.summary).toMatchObject({ calls: 103, errors: 2, client_errors: 1 })
  const duration = r.metrics.find((m) => m.name === 'mcp.tool.duration')?.summary
  expect(duration?.count).toBe(103)
  expect(duration?.sum).toBeCloseTo((search.reduce((a, b) => a + b, 0) + 0.5 + 0.001 + 1.5) * 1000, 6)
  expect(duration?.min).toBe(1)
  expect(duration?.max).toBe(1500)
  // a counter, exact: 1 + 2 + … + 100
  expect(r.metrics.find((m) => m.name === 'jobs.done')?.summary?.sum).toBe(5050)
  // an exponential histogram in ms: count and sum exact, percentiles within the sketch's 1 % and a bucket
  const jobs = r.metrics.find((m) => m.name === 'job.duration')?.summary
  expect(jobs).toMatchObject({ count: 100, min: 10, max: 158.5 })
  expect(jobs?.sum).toBeCloseTo(jobValues.reduce((a, b) => a + b, 0), 6)
  for (const [q, p] of [[0.5, jobs?.p50], [0.95, jobs?.p95], [0.99, jobs?.p99]] as const) {
    const truth = trueQuantile(jobValues, q)
    expect(Math.abs((p as number) / truth - 1)).toBeLessThan(0.02)
  }
  expect(r.events).toEqual([expect.objectContaining({ type: 'version_change', details: { service: 'otel-mcp', from: '1.0.0', to: '1.1.0' } })])
  expect(r.availability === null || r.availability >= 0).toBe(true)
  return r
}

describe('OTLP from the OpenTelemetry JS SDK', () => {
  it('exporter-metrics-otlp-http (JSON), delta temporality, across a sender restart', async () => {
    await run('json', 'otel-json-delta', AggregationTemporality.DELTA)
  })

  it('exporter-metrics-otlp-proto (protobuf, gzip), cumulative temporality, across a sender restart', async () => {
    await run('proto', 'otel-proto-cumulative', AggregationTemporality.CUMULATIVE)
    // one state row per cumulative series and start time: life one's search, fetch/tool_error, fetch/-32602,
    // jobs.done and job.duration, life two's search, fetch/-32603, jobs.done and job.duration; and the version
    const state = query<{ n: number }>(service.dbPath, "SELECT count(*) AS n FROM ingest_state WHERE server_id = 'otel-proto-cumulative'")
    expect(state[0]?.n).toBe(5 + 4 + 1)
  })

  it('exporter-metrics-otlp-http (JSON), cumulative temporality; and protobuf with delta', async () => {
    await run('json', 'otel-json-cumulative', AggregationTemporality.CUMULATIVE)
    await run('proto', 'otel-proto-delta', AggregationTemporality.DELTA)
  })

  it('refuses a server that requires signatures, and writes nothing', async () => {
    const creds = addServer(service.dbPath, 'otel-signed')
    const s = sender('json', creds, AggregationTemporality.DELTA, '1')
    s.jobs.add(1)
    await s.flush()
    await s.shutdown()
    expect(query(service.dbPath, "SELECT * FROM series WHERE server_id = 'otel-signed'")).toEqual([])
    // the export reached the service and was refused as such
    const prometheus = await (await fetch(`${service.url}/metrics`)).text()
    expect(prometheus).toMatch(/mcpdir_rejects_total\{reason="signature_required"\} 1/)
  })

  it('refuses malformed, oversized, bombed and mistyped bodies over HTTP with their 4xx, writing nothing', async () => {
    const creds = addServer(service.dbPath, 'otel-refusals', '--no-signature')
    const url = `${service.url}/v1/metrics`
    const key = { 'x-api-key': creds.api_key }
    const before = rowCounts(service.dbPath)
    const refusals: [Promise<{ status: number; json?: unknown; body?: string }>, number, string][] = [
      [post(url, Uint8Array.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]), { ...key, 'content-type': 'application/x-protobuf' }), 400, 'invalid_body'],
      [post(url, '{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"x","unknownKind":{}}]}]}]}', { ...key, 'content-type': 'application/json' }), 400, 'invalid_body'],
      [post(url, '{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"x","gauge":{"dataPoints":[{"asDouble":"NaN"}]}}]}]}]}', { ...key, 'content-type': 'application/json' }), 400, 'invalid_body'],
      [post(url, '{}', { ...key, 'content-type': 'text/plain' }), 415, 'unsupported_media_type'],
      [post(url, gzipSync(Buffer.alloc(8 * 1024 * 1024)), { ...key, 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' }), 413, 'payload_too_large'],
      [postStream(url, 40, 64 * 1024, { ...key, 'content-type': 'application/x-protobuf' }), 413, 'payload_too_large'],
    ]
    for (const [request, status, code] of refusals) {
      const response = await request
      const body = response.json ?? JSON.parse(response.body ?? '{}')
      expect(response.status, JSON.stringify(body)).toBe(status)
      expect(body).toMatchObject({ success: false, error: { code } })
    }
    expect(rowCounts(service.dbPath)).toEqual(before)
  })
})
