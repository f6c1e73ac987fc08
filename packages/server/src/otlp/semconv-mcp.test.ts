import { MCP_METRICS, MCP_REQUEST_METRICS, Sketch } from '@mcpdir/metrics/protocol'
import { describe, expect, it } from 'vitest'
import { mcpPoints, type TimerValues } from './semconv-mcp'

const timer: TimerValues = { count: 3, sum: 90, min: 10, max: 50, sketch: Sketch.of([10, 30, 50]).toJSON() }
const T = 1_700_000_000_000
const byName = (attributes: Record<string, string>) => Object.fromEntries(mcpPoints(attributes, timer, T).map((p) => [`${p.name}/${p.type}`, p]))

describe('mcpPoints', () => {
  it('turns a tools/call histogram into the tool and request series, tagged as the SDK tags them', () => {
    const points = byName({ 'mcp.method.name': 'tools/call', 'gen_ai.tool.name': 'search', 'network.transport': 'pipe', 'mcp.protocol.version': '2025-11-25', 'gen_ai.operation.name': 'execute_tool' })
    const base = { client: 'unknown', client_version: 'unknown', protocol: '2025-11-25', transport: 'stdio', outcome: 'ok', tool: 'search' }
    expect(Object.keys(points).sort()).toEqual([`${MCP_REQUEST_METRICS.duration}/timer`, `${MCP_REQUEST_METRICS.calls}/counter`, `${MCP_METRICS.tool.calls}/counter`, `${MCP_METRICS.tool.duration}/timer`].sort())
    expect(points[`${MCP_METRICS.tool.calls}/counter`]).toEqual({ name: 'mcp.tool.calls', type: 'counter', tags: base, timestamp: T, count: 3, sum: 3, min: 1, max: 1, last: 1 })
    expect(points[`${MCP_METRICS.tool.duration}/timer`]).toMatchObject({ tags: base, count: 3, sum: 90, min: 10, max: 50, sketch: timer.sketch })
    expect(points[`${MCP_REQUEST_METRICS.calls}/counter`]?.tags).toEqual({ ...base, method: 'tools/call' })
    // tags come sorted, as the store keys series by them
    expect(Object.keys(points[`${MCP_METRICS.tool.calls}/counter`]?.tags ?? {})).toEqual(Object.keys(base).sort())
  })

  it('reads error.type as the outcome and keeps it as error_type on the request series only', () => {
    const outcome = (errorType: string) => byName({ 'mcp.method.name': 'tools/call', 'gen_ai.tool.name': 't', 'error.type': errorType })
    expect(outcome('tool_error')['mcp.tool.calls/counter']?.tags.outcome).toBe('tool_error')
    expect(outcome('-32602')['mcp.tool.calls/counter']?.tags).not.toHaveProperty('error_type')
    expect(outcome('-32602')['mcp.requests/counter']?.tags).toMatchObject({ outcome: 'client_error', error_type: '-32602' })
    expect(outcome('-32603')['mcp.requests/counter']?.tags).toMatchObject({ outcome: 'error', error_type: '-32603' })
    expect(outcome('_OTHER')['mcp.requests/counter']?.tags.outcome).toBe('error')
  })

  it('maps prompts, resources and initialize to their series; other methods to the request series only', () => {
    expect(byName({ 'mcp.method.name': 'prompts/get', 'gen_ai.prompt.name': 'p' })['mcp.prompt.calls/counter']?.tags.prompt).toBe('p')
    expect(byName({ 'mcp.method.name': 'resources/read', 'mcp.resource.uri': 'file:///x' })['mcp.resource.duration/timer']?.tags.resource).toBe('file:///x')
    expect(Object.keys(byName({ 'mcp.method.name': 'initialize' }))).toContain('mcp.initialize.calls/counter')
    expect(Object.keys(byName({ 'mcp.method.name': 'tools/list' })).sort()).toEqual(['mcp.request.duration/timer', 'mcp.requests/counter'])
    // a tools/call without a tool name has no tool to count against
    expect(Object.keys(byName({ 'mcp.method.name': 'tools/call' })).sort()).toEqual(['mcp.request.duration/timer', 'mcp.requests/counter'])
    expect(byName({})['mcp.requests/counter']?.tags.method).toBe('unknown')
  })

  it('takes the client from mcp.client.name / version when a server adds them, and maps transports', () => {
    const tags = byName({ 'mcp.method.name': 'tools/list', 'mcp.client.name': 'cursor', 'mcp.client.version': '1.2', 'network.transport': 'tcp' })['mcp.requests/counter']?.tags
    expect(tags).toMatchObject({ client: 'cursor', client_version: '1.2', transport: 'http' })
    expect(byName({ 'network.transport': 'udp' })['mcp.requests/counter']?.tags).not.toHaveProperty('transport')
    expect(byName({ 'mcp.method.name': 'tools/call', 'gen_ai.tool.name': 'x'.repeat(500) })['mcp.tool.calls/counter']?.tags.tool).toHaveLength(200)
  })
})
