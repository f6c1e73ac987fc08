// SDK hot path and memory, beside prom-client and OpenTelemetry sdk-metrics doing the same work in the same
// process. Run with: node --expose-gc --max-semi-space-size=128 bench/hot-path.mjs [--quick]
// (a large young generation keeps scavenges out of the allocation measurements).
import { mkdirSync, writeFileSync } from 'node:fs'
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics'
import promClient from 'prom-client'
import { createMetrics } from '../dist/index.js'

const quick = process.argv.includes('--quick')
const OPS = quick ? 1_000_000 : 5_000_000
const ROUNDS = quick ? 3 : 7
const gc = globalThis.gc ?? (() => {})

/** ns/op (median of rounds) and bytes allocated per op (median), for a function doing `n` operations. */
function measure(run) {
  run(50_000) // warm up, let the JIT settle
  run(50_000)
  const ns = []
  const bytes = []
  for (let r = 0; r < ROUNDS; r++) {
    gc()
    const heapBefore = process.memoryUsage().heapUsed
    const start = process.hrtime.bigint()
    run(OPS)
    const elapsed = Number(process.hrtime.bigint() - start)
    const heapAfter = process.memoryUsage().heapUsed
    ns.push(elapsed / OPS)
    bytes.push(Math.max(0, (heapAfter - heapBefore) / OPS))
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
  return { nsPerOp: Math.round(median(ns) * 10) / 10, bytesPerOp: Math.round(median(bytes) * 10) / 10 }
}

// --- ours: a real SDK instance with its delivery pointed nowhere (never flushed during the run)
const ours = createMetrics({
  serverId: 'bench',
  apiKey: 'mcpm_bench',
  endpoint: 'http://127.0.0.1:9',
  flushIntervalMs: 3_600_000,
  handleProcessEvents: false,
  spool: false,
  env: {},
})
const endpoints = ['query', 'write', 'search', 'list']

// --- prom-client
const registry = new promClient.Registry()
const promCounter = new promClient.Counter({ name: 'api_requests', help: 'h', labelNames: ['endpoint', 'method'], registers: [registry] })
const promGauge = new promClient.Gauge({ name: 'memory_usage', help: 'h', registers: [registry] })
const promHistogram = new promClient.Histogram({ name: 'response_time', help: 'h', labelNames: ['endpoint'], registers: [registry] })

// --- OpenTelemetry, with a reader so instruments aggregate (it never exports)
class HoldingReader extends MetricReader {
  async onForceFlush() {}
  async onShutdown() {}
}
const meter = new MeterProvider({ readers: [new HoldingReader()] }).getMeter('bench')
const otelCounter = meter.createCounter('api_requests')
const otelGauge = meter.createGauge('memory_usage')
const otelHistogram = meter.createHistogram('response_time')

const cases = {
  'counter looked up with two tags, inc()': {
    ours: (n) => {
      for (let i = 0; i < n; i++) ours.counter('api_requests', { endpoint: endpoints[i & 3], method: 'GET' }).inc()
    },
    'prom-client': (n) => {
      for (let i = 0; i < n; i++) promCounter.inc({ endpoint: endpoints[i & 3], method: 'GET' })
    },
    opentelemetry: (n) => {
      for (let i = 0; i < n; i++) otelCounter.add(1, { endpoint: endpoints[i & 3], method: 'GET' })
    },
  },
  'counter through a held handle, inc()': (() => {
    const held = ours.counter('api_requests', { endpoint: 'query', method: 'GET' })
    const promHeld = promCounter.labels({ endpoint: 'query', method: 'GET' })
    const attrs = { endpoint: 'query', method: 'GET' }
    return {
      ours: (n) => {
        for (let i = 0; i < n; i++) held.inc()
      },
      'prom-client': (n) => {
        for (let i = 0; i < n; i++) promHeld.inc()
      },
      // OpenTelemetry JS has no bound instruments: the closest is reusing the attributes object
      opentelemetry: (n) => {
        for (let i = 0; i < n; i++) otelCounter.add(1, attrs)
      },
    }
  })(),
  'gauge().set()': {
    ours: (n) => {
      for (let i = 0; i < n; i++) ours.gauge('memory_usage').set(i)
    },
    'prom-client': (n) => {
      for (let i = 0; i < n; i++) promGauge.set(i)
    },
    opentelemetry: (n) => {
      for (let i = 0; i < n; i++) otelGauge.record(i)
    },
  },
  'timer().record() (histogram observe)': (() => {
    const timer = ours.timer('response_time', { endpoint: 'query' })
    const promChild = promHistogram.labels({ endpoint: 'query' })
    const attrs = { endpoint: 'query' }
    return {
      ours: (n) => {
        for (let i = 0; i < n; i++) timer.record((i & 1023) + 0.5)
      },
      'prom-client': (n) => {
        for (let i = 0; i < n; i++) promChild.observe(((i & 1023) + 0.5) / 1000)
      },
      opentelemetry: (n) => {
        for (let i = 0; i < n; i++) otelHistogram.record((i & 1023) + 0.5, attrs)
      },
    }
  })(),
}

const results = { hotPath: {}, memory: {} }
for (const [name, impls] of Object.entries(cases)) {
  results.hotPath[name] = {}
  for (const [impl, run] of Object.entries(impls)) results.hotPath[name][impl] = measure(run)
  const row = results.hotPath[name]
  row.ratioPromClient = Math.round((row['prom-client'].nsPerOp / row.ours.nsPerOp) * 10) / 10
  row.ratioOpenTelemetry = Math.round((row.opentelemetry.nsPerOp / row.ours.nsPerOp) * 10) / 10
  process.stderr.write(`${name}: ${JSON.stringify(row)}\n`)
}

// --- memory: 10 000 live series, then 1 000 000 records, in a fresh SDK instance
{
  gc()
  const base = process.memoryUsage().heapUsed
  const m = createMetrics({ serverId: 'mem', apiKey: 'k', endpoint: 'http://127.0.0.1:9', flushIntervalMs: 3_600_000, maxSeries: 20_000, handleProcessEvents: false, spool: false, env: {} })
  for (let i = 0; i < 10_000; i++) m.timer('op.duration', { op: `op-${i}` }).record(i % 500)
  gc()
  const withSeries = process.memoryUsage().heapUsed
  for (let i = 0; i < 1_000_000; i++) m.timer('op.duration', { op: `op-${i % 10_000}` }).record(i % 500)
  gc()
  const afterRecords = process.memoryUsage().heapUsed
  // a bounded instance: more distinct series than its limit
  const bounded = createMetrics({ serverId: 'b', apiKey: 'k', endpoint: 'http://127.0.0.1:9', flushIntervalMs: 3_600_000, maxSeries: 2_000, handleProcessEvents: false, spool: false, env: {} })
  gc()
  const boundedBase = process.memoryUsage().heapUsed
  for (let i = 0; i < 200_000; i++) bounded.counter('hits', { user: `u-${i}` }).inc()
  gc()
  const boundedAfter = process.memoryUsage().heapUsed
  results.memory = {
    tenThousandSeriesMB: Math.round(((withSeries - base) / 1_048_576) * 10) / 10,
    bytesPerSeries: Math.round((withSeries - base) / 10_000),
    afterMillionRecordsMB: Math.round(((afterRecords - base) / 1_048_576) * 10) / 10,
    growthOverMillionRecordsMB: Math.round(((afterRecords - withSeries) / 1_048_576) * 10) / 10,
    boundedTwoHundredThousandDistinctSeriesMB: Math.round(((boundedAfter - boundedBase) / 1_048_576) * 10) / 10,
  }
  process.stderr.write(`memory: ${JSON.stringify(results.memory)}\n`)
  await m.shutdown()
  await bounded.shutdown()
}
await ours.shutdown()

mkdirSync(new URL('../bench-results/', import.meta.url), { recursive: true })
writeFileSync(new URL('../bench-results/sdk.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`)
