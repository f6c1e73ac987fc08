// POST /v1/metrics in process, on a fake clock: what each OTLP type becomes, read back through metrics-fetch.
import { describe, expect, it } from 'vitest'
import { ResponseType } from '../otlp/decode'
import { attrs, gaugeMetric, histogramMetric, nanos, otlpRequest, sumMetric } from '../otlp/otlp-test-helpers'
import { otlpSetup, T0 } from './otlp-test-setup'

const MCP_BOUNDS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300]

describe('POST /v1/metrics', () => {
  it('stores delta sums as counters, gauges as gauges, histograms as timers (seconds in ms), and answers {}', async () => {
    const { exportOtlp, fetchReport, summary } = await otlpSetup()
    const request = otlpRequest([
      sumMetric('jobs.done', 'delta', [{ timeMs: T0, value: 3, attributes: { queue: 'a' } }, { timeMs: T0, value: 4, attributes: { queue: 'b' } }]),
      gaugeMetric('queue.depth', [{ timeMs: T0, value: 17 }]),
      histogramMetric('job.duration', 'delta', [0.1, 1], [{ timeMs: T0, values: [0.05, 0.25, 0.25] }]),
    ])
    const response = await exportOtlp(request)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/json')
    expect(await response.json()).toEqual({})
    const report = await fetchReport()
    expect(summary(report, 'jobs.done')).toMatchObject({ sum: 7 })
    expect(summary(report, 'queue.depth')).toMatchObject({ last: 17, min: 17, max: 17 })
    expect(summary(report, 'job.duration')).toMatchObject({ count: 3, sum: 550, min: 50, max: 250 })
    // an accepted export is a heartbeat
    expect(report.events).toEqual([])
  })

  it('answers protobuf with protobuf, gzip included, and the same data lands', async () => {
    const { exportOtlp, fetchReport, summary } = await otlpSetup()
    const response = await exportOtlp(otlpRequest([sumMetric('x', 'delta', [{ timeMs: T0, value: 2 }])]), { encoding: 'protobuf', gzip: true })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/x-protobuf')
    expect(ResponseType.toObject(ResponseType.decode(new Uint8Array(await response.arrayBuffer())))).toEqual({})
    expect(summary(await fetchReport(), 'x')).toMatchObject({ sum: 2 })
  })

  it('counts a retried export (the same body) once, within the dedupe window', async () => {
    const { clock, exportOtlp, fetchReport, summary } = await otlpSetup()
    const request = otlpRequest([sumMetric('x', 'delta', [{ timeMs: T0, value: 5 }])])
    for (let i = 0; i < 3; i++) {
      clock.now = T0 + i * 1000
      expect((await exportOtlp(request, { encoding: i === 1 ? 'protobuf' : 'json' })).status).toBe(200)
    }
    // JSON sent twice is one batch; its protobuf form is another body, stored again
    expect(summary(await fetchReport(), 'x')).toMatchObject({ sum: 10 })
  })

  it('turns cumulative sums into deltas across exports, a reset and a sender restart (a new start time)', async () => {
    const { clock, exportOtlp, fetchReport, summary, rowCounts } = await otlpSetup()
    const start = T0 - 60_000
    const send = async (value: number, startMs: number, dt: number) => {
      clock.now = T0 + dt
      expect((await exportOtlp(otlpRequest([sumMetric('calls', 'cumulative', [{ startMs, timeMs: T0 + dt, value, attributes: { k: 'v' } }])]))).status).toBe(200)
    }
    await send(10, start, 0) // first sight, started a minute ago: 10
    await send(15, start, 1000) // +5
    await send(15, start, 2000) // +0
    await send(4, start, 3000) // went down under the same start: a reset, +4
    await send(3, T0 + 3500, 4000) // the sender restarted: a new series from zero, +3
    await send(9, T0 + 3500, 5000) // +6
    expect(summary(await fetchReport(), 'calls')).toMatchObject({ sum: 28 })
    expect(rowCounts().ingest_state).toBe(2) // one row per start time of the series (no service.version was sent)
  })

  it('takes a cumulative series older than a day, first seen now, as a baseline; an UpDownCounter as a gauge', async () => {
    const { exportOtlp, fetchReport, summary } = await otlpSetup()
    const old = T0 - 2 * 86_400_000
    await exportOtlp(otlpRequest([sumMetric('old', 'cumulative', [{ startMs: old, timeMs: T0 - 1000, value: 1000 }]), sumMetric('level', 'cumulative', [{ startMs: old, timeMs: T0, value: 7 }], { monotonic: false })]))
    await exportOtlp(otlpRequest([sumMetric('old', 'cumulative', [{ startMs: old, timeMs: T0, value: 1003 }]), sumMetric('level', 'cumulative', [{ startMs: old, timeMs: T0 + 1, value: 5 }], { monotonic: false })]))
    const report = await fetchReport()
    expect(summary(report, 'old')).toMatchObject({ sum: 3 })
    expect(summary(report, 'level')).toMatchObject({ last: 5, min: 5, max: 7 })
  })

  it('turns cumulative histograms into delta timers', async () => {
    const { clock, exportOtlp, fetchReport, summary } = await otlpSetup()
    const point = (dt: number, values: number[]) => histogramMetric('h', 'cumulative', [0.1, 1], [{ startMs: T0 - 1000, timeMs: T0 + dt, values }])
    await exportOtlp(otlpRequest([point(0, [0.05, 0.5])]))
    clock.now = T0 + 1000
    await exportOtlp(otlpRequest([point(1000, [0.05, 0.5, 0.25, 2])]))
    expect(summary(await fetchReport(), 'h')).toMatchObject({ count: 4, sum: 2800, min: 50, max: 2000 })
  })

  it('fills the MCP series, the tool table and outcomes from mcp.server.operation.duration', async () => {
    const { exportOtlp, fetchReport } = await otlpSetup()
    const op = (attributes: Record<string, string>, values: number[]) => ({ attributes, timeMs: T0, values })
    const call = { 'mcp.method.name': 'tools/call', 'network.transport': 'pipe', 'mcp.protocol.version': '2025-06-18' }
    const request = otlpRequest([
      histogramMetric('mcp.server.operation.duration', 'delta', MCP_BOUNDS, [
        op({ ...call, 'gen_ai.tool.name': 'search' }, [0.012, 0.03, 0.03, 0.15]),
        op({ ...call, 'gen_ai.tool.name': 'search', 'error.type': 'tool_error' }, [0.5]),
        op({ ...call, 'gen_ai.tool.name': 'fetch', 'error.type': '-32602' }, [0.001]),
        op({ ...call, 'gen_ai.tool.name': 'fetch', 'error.type': '-32603', 'mcp.client.name': 'claude-code', 'mcp.client.version': '2.1' }, [1.5]),
        op({ 'mcp.method.name': 'prompts/get', 'gen_ai.prompt.name': 'greet' }, [0.002]),
        op({ 'mcp.method.name': 'resources/read', 'mcp.resource.uri': 'file:///a' }, [0.004, 0.006]),
        op({ 'mcp.method.name': 'tools/list' }, [0.001]),
      ]),
    ])
    expect((await exportOtlp(request)).status).toBe(200)
    const report = await fetchReport()
    const tools = Object.fromEntries(report.breakdowns.tools.map((t) => [t.key, t]))
    expect(tools.search).toMatchObject({ calls: 5, errors: 1 })
    expect(tools.search?.p50).toBeGreaterThanOrEqual(20 * 0.99)
    expect(tools.search?.p50).toBeLessThanOrEqual(50 * 1.01) // the true p50, 30 ms, lies in (20, 50]
    expect(tools.fetch).toMatchObject({ calls: 2, errors: 1, client_errors: 1 })
    expect(report.breakdowns.prompts).toMatchObject([{ key: 'greet', calls: 1 }])
    expect(report.breakdowns.resources).toMatchObject([{ key: 'file:///a', calls: 2 }])
    // clients by tool calls: the client attributes are not in the conventions, so most are unknown
    expect(Object.fromEntries(report.breakdowns.clients.map((c) => [c.key, c.calls]))).toEqual({ unknown: 6, 'claude-code': 1 })
    expect(report.calls.summary).toMatchObject({ calls: 7, errors: 2, client_errors: 1 })
    const requests = report.metrics.find((m) => m.name === 'mcp.requests' && m.type === 'counter')
    expect(requests?.summary?.sum).toBe(11)
    expect(report.metrics.some((m) => m.name === 'mcp.server.operation.duration')).toBe(false)
  })

  it('keeps the resource attributes the service is configured with as tags (otlpResourceTags), and no others', async () => {
    const { exportOtlp, store } = await otlpSetup({ otlpResourceTags: ['deployment.environment.name'] })
    await exportOtlp(otlpRequest([gaugeMetric('g', [{ timeMs: T0, value: 1 }])], { 'service.name': 'svc', 'deployment.environment.name': 'prod', 'host.name': 'h' }))
    expect(store.db.prepare("SELECT tags FROM series WHERE server_id = 'otel'").all()).toEqual([{ tags: '{"deployment.environment.name":"prod"}' }])
  })

  it('records a change of service.version as a version_change event', async () => {
    const { clock, exportOtlp, fetchReport } = await otlpSetup()
    const at = (version: string, dt: number) => {
      clock.now = T0 + dt
      return exportOtlp(otlpRequest([gaugeMetric('g', [{ timeMs: T0 + dt, value: dt }])], { 'service.name': 'svc', 'service.version': version }))
    }
    await at('1.0.0', 0)
    await at('1.0.0', 1000)
    await at('1.1.0', 2000)
    const { events } = await fetchReport()
    expect(events).toEqual([{ type: 'version_change', timestamp: T0 + 2000, details: { service: 'svc', from: '1.0.0', to: '1.1.0' } }])
  })

  it('takes the rest and reports refused points as a partial success', async () => {
    const { exportOtlp, fetchReport, summary } = await otlpSetup()
    const request = otlpRequest([
      sumMetric('ok', 'delta', [{ timeMs: T0, value: 1 }, { timeMs: T0 - 8 * 86_400_000, value: 1 }, { timeMs: T0, value: 1, attributes: { 'bad key!': 'x' } }]),
      { name: 'legacy.summary', unit: 's', summary: { dataPoints: [{ timeUnixNano: nanos(T0), count: '1', sum: 1, quantileValues: [] }] } },
      { name: 'neg', unit: 's', histogram: { aggregationTemporality: 1, dataPoints: [{ attributes: attrs({}), timeUnixNano: nanos(T0), count: '1', sum: -1, min: -1, max: -1, explicitBounds: [0], bucketCounts: ['1', '0'] }] } },
    ])
    const response = await exportOtlp(request)
    expect(response.status).toBe(200)
    const body = (await response.json()) as { partialSuccess: { rejectedDataPoints: string; errorMessage: string } }
    expect(body.partialSuccess.rejectedDataPoints).toBe('4')
    for (const why of ['older than the raw retention', 'not a tag key', 'Summary is not supported', 'negative']) expect(body.partialSuccess.errorMessage).toContain(why)
    expect(summary(await fetchReport(), 'ok')).toMatchObject({ sum: 1 })
  })
})
