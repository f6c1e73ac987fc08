// OTLP ingest throughput beside metrics-collect's, on one service (a child process) in one run: the same 500
// series a request (counters, gauges, histograms of OpenTelemetry's MCP boundaries), from 8 concurrent senders,
// each its own server (unsigned ingest, as OTLP needs). Measured: metrics-collect with signed SDK-shaped batches
// (JSON), OTLP protobuf with delta temporality, OTLP JSON with delta, and OTLP protobuf with cumulative temporality
// (every point read against and written back to its series' state). Points = data points stored per second, the
// median of three rounds that take turns.
import { createSignatureHeaders, ROUTES, Sketch, sortTags } from '@mcpdir/metrics/protocol'
import protobuf from 'protobufjs/light.js'
import protojson from 'protobufjs/ext/protojson.js'
import { Agent, request } from 'undici'
import { startService } from '../dist/testing.js'
import descriptor from '../src/otlp/otlp-proto.json' with { type: 'json' }

const full = process.env.BENCH_PROFILE === 'full'
const BATCHES = full ? 1_000 : 200
/** Measured rounds, each sending every way in turn: the median of each way is reported, so a machine busy for a while weighs on all of them alike. */
const ROUNDS = 3
const POINTS = 500
const SENDERS = 8
const BOUNDS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300]
const RequestType = protobuf.Root.fromJSON(descriptor).lookupType('opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest')

const nanos = (ms) => `${BigInt(ms) * 1_000_000n}`
const attrs = (tags) => Object.entries(tags).map(([key, value]) => ({ key, value: { stringValue: value } }))

/** Series i of a request: its name, kind and tags (as bench/ingest.mjs mixes them). */
function series(i) {
  const tags = { tool: `tool-${i % 10}`, outcome: i % 7 === 0 ? 'error' : 'ok', client: 'claude-ai', series: String(i) }
  return { kind: i % 3, tags }
}

/** Window `w` of a sender (w = 0 the oldest), 10 s apart, ending now. */
const windowTime = (now, w) => now - (BATCHES / SENDERS - w) * 10_000

/** An OTLP request of window `w`: delta values, or totals since `start` for cumulative temporality. */
function otlpRequest(now, w, cumulative) {
  const time = windowTime(now, w)
  const start = cumulative ? windowTime(now, 0) - 10_000 : time - 10_000
  const times = { startTimeUnixNano: nanos(start), timeUnixNano: nanos(time) }
  const n = cumulative ? w + 1 : 1 // windows so far
  const counters = []
  const gauges = []
  const histograms = []
  for (let i = 0; i < POINTS; i++) {
    const { kind, tags } = series(i)
    if (kind === 0) counters.push({ ...times, attributes: attrs(tags), asDouble: 3 * n })
    else if (kind === 1) gauges.push({ timeUnixNano: times.timeUnixNano, attributes: attrs(tags), asDouble: 100 + (w % 10) })
    else {
      const values = [0.012 + i / 1e4, 0.04 + i / 1e4, 0.095 + i / 1e4]
      const counts = BOUNDS.map(() => 0).concat(0)
      for (const v of values) counts[BOUNDS.findIndex((b) => v <= b)] += n
      histograms.push({ ...times, attributes: attrs(tags), count: String(3 * n), sum: values.reduce((a, b) => a + b, 0) * n, min: values[0], max: values[2], explicitBounds: BOUNDS, bucketCounts: counts.map(String) })
    }
  }
  const temporality = cumulative ? 2 : 1
  const metrics = [
    { name: 'mcp.bench.calls', unit: '1', sum: { aggregationTemporality: temporality, isMonotonic: true, dataPoints: counters } },
    { name: 'process.heap_mb', unit: 'MBy', gauge: { dataPoints: gauges } },
    { name: 'mcp.bench.duration', unit: 's', histogram: { aggregationTemporality: temporality, dataPoints: histograms } },
  ]
  return { resourceMetrics: [{ resource: { attributes: attrs({ 'service.name': 'bench' }) }, scopeMetrics: [{ scope: { name: 'bench' }, metrics }] }] }
}

/** The same window as a signed metrics-collect batch (what bench/ingest.mjs sends). */
function collectBody(now, w, id) {
  const at = windowTime(now, w)
  const metrics = []
  for (let i = 0; i < POINTS; i++) {
    const { kind, tags: unsorted } = series(i)
    // keys sorted, as the SDK sends them (its canonical tags); OTLP attributes come in whatever order the exporter has
    const tags = sortTags(unsorted)
    if (kind === 0) metrics.push({ name: 'mcp.bench.calls', type: 'counter', count: 3, sum: 3, tags, timestamp: at })
    else if (kind === 1) metrics.push({ name: 'process.heap_mb', type: 'gauge', count: 1, sum: 100, min: 100, max: 100, last: 100, tags, timestamp: at })
    else {
      const values = [12 + i / 10, 40 + i / 10, 95 + i / 10]
      metrics.push({ name: 'mcp.bench.duration', type: 'timer', count: 3, sum: values.reduce((a, b) => a + b, 0), min: values[0], max: values[2], sketch: Sketch.of(values).toJSON(), tags, timestamp: at })
    }
  }
  return JSON.stringify({ server_id: id, batch_id: `collect-${w}-${now}`, metrics })
}

/** Sends the prepared requests from SENDERS connections; answers points stored per second. */
async function send(url, prepared) {
  const agent = new Agent({ connections: SENDERS, pipelining: 1 })
  let next = 0
  let failed = 0
  const start = process.hrtime.bigint()
  await Promise.all(
    Array.from({ length: SENDERS }, async () => {
      while (next < prepared.length) {
        const { path, body, headers } = prepared[next++]
        const response = await request(`${url}${path}`, { method: 'POST', body, headers, dispatcher: agent })
        const text = await response.body.text()
        if (response.statusCode !== 200 || text.includes('rejectedDataPoints')) failed++
      }
    }),
  )
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  await agent.close()
  if (failed > 0) throw new Error(`${failed} requests were refused`)
  return Math.round((prepared.length * POINTS) / seconds)
}

/** Requests of one way of sending, each sender (server) sending its windows oldest first. */
async function prepare(mode, servers, now) {
  const out = []
  for (let b = 0; b < BATCHES; b++) {
    const s = servers[b % SENDERS]
    const w = Math.floor(b / SENDERS)
    if (mode === 'collect') {
      const body = collectBody(now, w, s.id)
      const headers = await createSignatureHeaders({ secrets: s.creds.signing_secret, id: `collect-${w}-${now}`, body })
      out.push({ path: ROUTES.metricsCollect, body: Buffer.from(body), headers: { ...headers, 'x-api-key': s.creds.api_key, 'content-type': 'application/json' } })
      continue
    }
    const json = otlpRequest(now, w, mode === 'cumulative')
    const proto = mode !== 'json'
    const body = proto ? Buffer.from(RequestType.encode(protojson.fromJson(RequestType, json)).finish()) : Buffer.from(JSON.stringify(json))
    out.push({ path: ROUTES.otlpMetrics, body, headers: { 'x-api-key': s.creds.api_key, 'content-type': proto ? 'application/x-protobuf' : 'application/json' } })
  }
  return out
}

const ADMIN_KEY = 'bench-admin-key-0123456789'

/** SENDERS servers that accept unsigned ingest, registered through the admin API. */
async function register(url, prefix) {
  const servers = []
  for (let i = 0; i < SENDERS; i++) {
    const id = `${prefix}-${i}`
    const response = await fetch(`${url}${ROUTES.adminServers}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id, require_signature: false }),
    })
    if (response.status !== 201) throw new Error(`registering ${id}: ${response.status} ${await response.text()}`)
    servers.push({ id, creds: await response.json() })
  }
  return servers
}

/** OTLP ingest points/s (protobuf and JSON, delta; protobuf cumulative) beside metrics-collect's, on SQLite. */
export async function benchOtlp() {
  const service = await startService({ args: ['--ingest-rate', '100000'], env: { MCPDIR_ADMIN_KEY: ADMIN_KEY } })
  const modes = ['collect', 'protobuf', 'json', 'cumulative']
  const results = {}
  try {
    const servers = {}
    for (const mode of modes) servers[mode] = await register(service.url, `otlp-bench-${mode}`)
    // a warm-up of each way (JIT, page cache), then the measured rounds; each cumulative run's series start anew
    const runs = Object.fromEntries(modes.map((mode) => [mode, []]))
    for (let round = 0; round <= ROUNDS; round++) {
      for (const mode of modes) {
        const pointsPerSecond = await send(service.url, await prepare(mode, servers[mode], Date.now()))
        if (round > 0) runs[mode].push(pointsPerSecond)
      }
    }
    for (const mode of modes) results[mode] = runs[mode].sort((a, b) => a - b)[Math.floor(ROUNDS / 2)]
  } finally {
    await service.stop()
  }
  return {
    collectPointsPerSecond: results.collect,
    otlpProtobufPointsPerSecond: results.protobuf,
    otlpJsonPointsPerSecond: results.json,
    otlpCumulativePointsPerSecond: results.cumulative,
    otlpShareOfCollect: Math.round((results.protobuf / results.collect) * 100) / 100,
    requestPoints: POINTS,
    senders: SENDERS,
    requests: BATCHES,
    rounds: ROUNDS,
  }
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  process.stdout.write(`${JSON.stringify(await benchOtlp(), null, 2)}\n`)
}
