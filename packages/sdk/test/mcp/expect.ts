// Assertions shared by the MCP instrumentation tests: exact counts by tool, method and outcome, and the
// dimensions every recorded point must carry.
import { expect } from 'vitest'
import type { CollectBatch } from '../../src/protocol/index'
import { expectedCounts } from '../fixtures/mcp-catalog.mjs'

type Points = CollectBatch['points']

/** Sums of a counter (or counts of a timer) keyed by the values of `keys`, joined with `|`. */
export function countsBy(points: Points, name: string, keys: string[]): Record<string, number> {
  const out: Record<string, number> = {}
  for (const p of points) {
    if (p.name !== name) continue
    const key = keys.map((k) => p.tags[k]).join('|')
    out[key] = (out[key] ?? 0) + (p.type === 'timer' ? p.count : p.sum)
  }
  return out
}

export interface Expected {
  client: string
  clientVersion: string
  protocol: string
  transport: 'stdio' | 'http'
  cancel?: boolean
  opening?: 'initialize' | 'server/discover'
  /** The client `initialize` names, when other requests name another (stateless HTTP: the User-Agent). */
  initializeClient?: { client: string; clientVersion: string }
}

/** Everything the catalog's `exercise` must have recorded, exactly, with these dimensions on every point. */
export function expectCatalog(points: Points, want: Expected): void {
  const { tools, methods } = expectedCounts(want)
  expect(countsBy(points, 'mcp.tool.calls', ['tool', 'outcome'])).toEqual(tools)
  expect(countsBy(points, 'mcp.tool.duration', ['tool', 'outcome'])).toEqual(tools)
  expect(countsBy(points, 'mcp.requests', ['method', 'outcome'])).toEqual(methods)
  expect(countsBy(points, 'mcp.request.duration', ['method', 'outcome'])).toEqual(methods)
  expect(countsBy(points, 'mcp.resource.calls', ['resource', 'outcome'])).toEqual({ 'docs://readme|ok': 1, 'docs://nope|client_error': 1 })
  expect(countsBy(points, 'mcp.prompt.calls', ['prompt', 'outcome'])).toEqual({ 'greet|ok': 1 })
  expect(countsBy(points, 'mcp.initialize.calls', ['outcome'])).toEqual(want.opening === 'initialize' ? { ok: 1 } : {})
  const mcp = points.filter((p) => p.name.startsWith('mcp.'))
  expect(mcp.length).toBeGreaterThan(0)
  for (const p of mcp) {
    const opening = p.tags.method === 'initialize' || p.name.startsWith('mcp.initialize.')
    const who = (opening && want.initializeClient) || want
    expect(p.tags, p.name).toMatchObject({ client: who.client, client_version: who.clientVersion, protocol: want.protocol, transport: want.transport })
  }
  for (const p of mcp.filter((p) => p.name === 'mcp.requests')) {
    const failed = p.tags.outcome !== 'ok' && p.tags.outcome !== 'cancelled'
    expect(p.tags.error_type !== undefined, `${p.tags.method} ${p.tags.outcome}`).toBe(failed)
  }
}
