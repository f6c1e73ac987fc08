import { describe, expect, it } from 'vitest'
import { parseCollectBatch } from './collect-payload'
import {
  ERROR_OUTCOMES,
  isBuiltInMetric,
  isClientErrorOutcome,
  isErrorOutcome,
  MCP_CLIENT_ERROR_CODES,
  MCP_KINDS,
  MCP_METRICS,
  MCP_OTEL,
  MCP_OUTCOMES,
  MCP_REQUEST_METRICS,
  MCP_TAG,
  outcomeOfErrorType,
  SDK_SELF_METRICS,
} from './mcp-metrics'
import { MAX_POINT_AGE_MS, maxPointAgeMs, POINT_AGE_MARGIN_MS } from './limits'
import { ROUTES, routeUrl } from './routes'
import { isStreamEvent, STREAM_DATA_EVENTS, STREAM_EVENT, STREAM_EVENTS } from './stream'

describe('routes', () => {
  it('live under /functions/v1, except health, Prometheus and OTLP (at the path OTLP exporters use)', () => {
    expect(ROUTES.otlpMetrics).toBe('/v1/metrics')
    for (const [name, path] of Object.entries(ROUTES)) {
      if (name === 'badge') continue // README badges: /badge/:serverId/:metric.svg, short enough for a README
      if (name === 'healthz' || name === 'prometheusMetrics' || name === 'otlpMetrics') continue
      expect(path).toMatch(/^\/functions\/v1\/[a-z/-]+$/)
    }
    expect(new Set(Object.values(ROUTES)).size).toBe(Object.keys(ROUTES).length)
  })

  it('join a base URL and a query', () => {
    expect(routeUrl('https://m.example.com//', 'metricsFetch', { server_id: 's', period: '7d' })).toBe(
      'https://m.example.com/functions/v1/metrics-fetch?server_id=s&period=7d',
    )
    expect(routeUrl('', 'usageTrack')).toBe('/functions/v1/usage-track')
    expect(routeUrl('http://x', 'servers', new URLSearchParams())).toBe('http://x/functions/v1/servers')
  })
})

describe('stream events', () => {
  it('are listed once each, and the data events are among them', () => {
    expect(STREAM_EVENTS).toEqual(Object.values(STREAM_EVENT))
    for (const event of STREAM_DATA_EVENTS) expect(isStreamEvent(event)).toBe(true)
    expect(isStreamEvent('error')).toBe(false)
  })
})

describe('MCP metric names', () => {
  it('are mcp.<kind>.calls and mcp.<kind>.duration', () => {
    for (const kind of MCP_KINDS) {
      expect(MCP_METRICS[kind].calls).toBe(`mcp.${kind}.calls`)
      expect(MCP_METRICS[kind].duration).toBe(`mcp.${kind}.duration`)
      expect(isBuiltInMetric(MCP_METRICS[kind].calls)).toBe(true)
    }
  })

  it('count error and tool_error as errors, client_error apart, cancelled as neither', () => {
    expect(MCP_OUTCOMES.filter(isErrorOutcome)).toEqual(ERROR_OUTCOMES)
    expect(MCP_OUTCOMES.filter(isClientErrorOutcome)).toEqual(['client_error'])
    expect(isErrorOutcome('ok')).toBe(false)
    expect(isErrorOutcome('cancelled') || isClientErrorOutcome('cancelled')).toBe(false)
    expect(isErrorOutcome(undefined)).toBe(false)
  })

  it('count every request in mcp.requests / mcp.request.duration, mapped onto OpenTelemetry by tag', () => {
    expect(isBuiltInMetric(MCP_REQUEST_METRICS.calls) && isBuiltInMetric(MCP_REQUEST_METRICS.duration)).toBe(true)
    const tags = new Set<string>(Object.values(MCP_TAG))
    for (const tag of Object.keys(MCP_OTEL.attributes)) expect(tags.has(tag), tag).toBe(true)
  })

  it("read OpenTelemetry's error.type as an outcome: absent ok, tool_error, client codes apart, the rest errors", () => {
    expect(outcomeOfErrorType(undefined)).toBe('ok')
    expect(outcomeOfErrorType('')).toBe('ok')
    expect(outcomeOfErrorType('tool_error')).toBe('tool_error')
    for (const code of MCP_CLIENT_ERROR_CODES) expect(outcomeOfErrorType(String(code))).toBe('client_error')
    expect(outcomeOfErrorType('-32603')).toBe('error')
    expect(outcomeOfErrorType('_OTHER')).toBe('error')
    expect(outcomeOfErrorType('TimeoutError')).toBe('error')
    expect(outcomeOfErrorType('-32602.5')).toBe('error')
  })

  it('name the SDK self-metrics mcpdir.sdk.*', () => {
    for (const name of Object.values(SDK_SELF_METRICS)) expect(name).toMatch(/^mcpdir\.sdk\.[a-z_]+$/)
    expect(isBuiltInMetric('response_time')).toBe(false)
  })
})

describe('point age', () => {
  it('is raw retention less the margin', () => {
    expect(POINT_AGE_MARGIN_MS).toBe(3_600_000)
    expect(MAX_POINT_AGE_MS).toBe(maxPointAgeMs())
    expect(maxPointAgeMs(3 * 86_400_000)).toBe(3 * 86_400_000 - POINT_AGE_MARGIN_MS)
  })

  it('bounds what parseCollectBatch accepts by default', () => {
    const nowMs = Date.parse('2025-06-02T14:31:00Z')
    const at = (timestamp: number) => parseCollectBatch({ server_id: 's', metrics: [{ name: 'a', value: 1, type: 'gauge', timestamp }] }, { nowMs })
    expect(at(nowMs - MAX_POINT_AGE_MS).ok).toBe(true)
    expect(at(nowMs - MAX_POINT_AGE_MS - 1)).toMatchObject({ ok: false, issues: [{ code: 'too_old' }] })
  })
})
