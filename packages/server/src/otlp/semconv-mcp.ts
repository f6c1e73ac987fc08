// OpenTelemetry's MCP semantic conventions onto this service's MCP series: `mcp.server.operation.duration`
// (a histogram, unit `s`, one per request) becomes what `@mcpdir/metrics/mcp` records for the same requests, so
// the MetricsTab's cards and its tool, resource, prompt and client tables fill from OpenTelemetry data as they
// do from the SDK's. The attribute names are the protocol's `MCP_OTEL`.
import {
  MCP_METRICS,
  MCP_OTEL,
  MCP_REQUEST_METRICS,
  MCP_TAG,
  type McpKind,
  type MetricPoint,
  outcomeOfErrorType,
  type SketchJSON,
  sortTags,
  type Tags,
} from '@mcpdir/metrics/protocol'
import { tagValue } from './attributes'
import type { Attributes } from './otlp-model'

/** The OpenTelemetry metric mapped here. */
export const MCP_SERVER_DURATION = MCP_OTEL.metric

/**
 * Attributes naming the client application. The conventions have none (a client is not named on server
 * metrics); a server that knows its client may add these, and they fill the `client` / `client_version` tags.
 */
export const MCP_CLIENT_ATTRIBUTES = { name: 'mcp.client.name', version: 'mcp.client.version' } as const

/** The methods with a series of their own, the kind they fill and the attribute naming their target. */
const KINDS: Readonly<Record<string, { kind: McpKind; target?: string }>> = {
  'tools/call': { kind: 'tool', target: MCP_OTEL.attributes.tool },
  'prompts/get': { kind: 'prompt', target: MCP_OTEL.attributes.prompt },
  'resources/read': { kind: 'resource', target: MCP_OTEL.attributes.resource },
  initialize: { kind: 'initialize' },
}

/** `network.transport` values by the `transport` tag they stand for (`pipe` is stdio; `tcp`, `quic` HTTP). */
const TRANSPORTS: Readonly<Record<string, string>> = { pipe: 'stdio', unix: 'stdio', tcp: 'http', quic: 'http' }

/** A timer's values over one interval, in milliseconds, as a histogram point makes them. */
export interface TimerValues {
  count: number
  sum: number
  min: number
  max: number
  sketch: SketchJSON
}

/**
 * The points one `mcp.server.operation.duration` delta stands for: `mcp.requests` (counter, its count) and
 * `mcp.request.duration` (timer) tagged `method`, and for `tools/call`, `prompts/get`, `resources/read` with
 * their target attribute and for `initialize`, the kind's own pair (`mcp.tool.calls` / `mcp.tool.duration`
 * tagged `tool`, …). Every point is tagged as the SDK tags its own: `client`, `client_version`, `protocol`,
 * `outcome` (from `error.type`), `transport` when known, and `error_type` on the request pair when there is one;
 * and with `resourceTags`, the resource attributes the service is configured to keep.
 */
export function mcpPoints(attributes: Attributes, timer: TimerValues, timestamp: number, resourceTags: Tags = {}): MetricPoint[] {
  const a = MCP_OTEL.attributes
  const errorType = attributes[a.error_type]
  const transport = TRANSPORTS[attributes[a.transport] ?? '']
  const tags: Tags = {
    ...resourceTags,
    [MCP_TAG.client]: tagValue(attributes[MCP_CLIENT_ATTRIBUTES.name]),
    [MCP_TAG.clientVersion]: tagValue(attributes[MCP_CLIENT_ATTRIBUTES.version]),
    [MCP_TAG.protocol]: tagValue(attributes[a.protocol]),
    [MCP_TAG.outcome]: outcomeOfErrorType(errorType),
    ...(transport !== undefined && { [MCP_TAG.transport]: transport }),
  }
  const method = tagValue(attributes[a.method])
  const spec = KINDS[method]
  const names = spec ? MCP_METRICS[spec.kind] : undefined
  const target = spec?.target !== undefined ? attributes[spec.target] : undefined
  const points: MetricPoint[] = []
  if (spec && names && (spec.target === undefined || target !== undefined)) {
    if (names.tag !== undefined) tags[names.tag] = tagValue(target)
    points.push(counter(names.calls, tags, timer.count, timestamp), timerPoint(names.duration, tags, timer, timestamp))
  }
  const requestTags: Tags = { ...tags, [MCP_TAG.method]: method, ...(errorType ? { [MCP_TAG.errorType]: tagValue(errorType) } : {}) }
  points.push(counter(MCP_REQUEST_METRICS.calls, requestTags, timer.count, timestamp), timerPoint(MCP_REQUEST_METRICS.duration, requestTags, timer, timestamp))
  return points
}

/** A counter of `n` requests, as the SDK sends one: each request an increment of 1. */
function counter(name: string, tags: Tags, n: number, timestamp: number): MetricPoint {
  return { name, type: 'counter', tags: sortTags({ ...tags }), timestamp, count: n, sum: n, min: 1, max: 1, last: 1 }
}

function timerPoint(name: string, tags: Tags, t: TimerValues, timestamp: number): MetricPoint {
  return { name, type: 'timer', tags: sortTags({ ...tags }), timestamp, count: t.count, sum: t.sum, min: t.min, max: t.max, last: t.max, sketch: t.sketch }
}
