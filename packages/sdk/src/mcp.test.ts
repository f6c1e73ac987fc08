import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { Server } from '@modelcontextprotocol/sdk/server/index.js'
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js'
import { afterEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { type Collector, startCollector, total } from '../test/collector'
import { createMetrics, type Metrics } from './create-metrics'
import { instrument } from './mcp'

let collector: Collector
let metrics: Metrics
afterEach(async () => {
  await metrics?.shutdown()
  await collector?.close()
})

async function setup() {
  collector = await startCollector()
  metrics = createMetrics({
    serverId: 'mcp-srv',
    apiKey: 'k',
    endpoint: collector.url,
    handleProcessEvents: false,
    spool: false,
    flushIntervalMs: 60_000,
    env: {},
  })
}

function registerTools(server: McpServer, which: 'early' | 'late') {
  if (which === 'early') {
    server.registerTool('search', { description: 'ok', inputSchema: { q: z.string() } }, async ({ q }) => ({
      content: [{ type: 'text', text: `found ${q}` }],
    }))
    server.registerPrompt('greet', { description: 'a prompt' }, () => ({
      messages: [{ role: 'user', content: { type: 'text', text: 'hi' } }],
    }))
  } else {
    server.registerTool('explode', { description: 'throws' }, async () => {
      throw new Error('kaboom')
    })
    server.registerTool('refuse', { description: 'isError' }, async () => ({
      content: [{ type: 'text', text: 'no' }],
      isError: true,
    }))
    server.registerResource('readme', 'docs://readme', { description: 'a resource' }, async (uri) => ({
      contents: [{ uri: uri.href, text: 'hello' }],
    }))
  }
}

async function exercise(client: Client) {
  for (let i = 0; i < 3; i++) await client.callTool({ name: 'search', arguments: { q: `x${i}` } })
  for (let i = 0; i < 2; i++) await client.callTool({ name: 'explode', arguments: {} })
  await client.callTool({ name: 'refuse', arguments: {} })
  await client.callTool({ name: 'missing', arguments: {} })
  await client.readResource({ uri: 'docs://readme' })
  await client.getPrompt({ name: 'greet' })
}

function expectCounts() {
  const points = collector.points()
  const calls = (tool: string, outcome: string) => total(points, 'mcp.tool.calls', { tool, outcome })
  expect(calls('search', 'ok')).toBe(3)
  expect(calls('explode', 'error')).toBe(2)
  expect(calls('refuse', 'tool_error')).toBe(1)
  expect(calls('missing', 'error')).toBe(1)
  expect(total(points, 'mcp.tool.calls')).toBe(7)
  expect(total(points, 'mcp.resource.calls', { resource: 'docs://readme', outcome: 'ok' })).toBe(1)
  expect(total(points, 'mcp.prompt.calls', { prompt: 'greet', outcome: 'ok' })).toBe(1)
  expect(total(points, 'mcp.initialize.calls', { outcome: 'ok' })).toBe(1)
  const duration = points.filter((p) => p.name === 'mcp.tool.duration' && p.tags.tool === 'search')
  expect(duration.reduce((n, p) => n + p.count, 0)).toBe(3)
  for (const p of points.filter((p) => p.name.startsWith('mcp.'))) {
    expect(p.tags).toMatchObject({ client: 'test-client', client_version: '9.9.9' })
  }
}

describe('instrument()', () => {
  it('counts and times every call on an McpServer, tools registered before or after, by outcome', async () => {
    await setup()
    const server = new McpServer({ name: 'demo', version: '2.0.0' })
    registerTools(server, 'early')
    instrument(server, metrics)
    registerTools(server, 'late')
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair()
    await server.connect(serverSide)
    const client = new Client({ name: 'test-client', version: '9.9.9' })
    await client.connect(clientSide)
    await exercise(client)
    await metrics.flush()
    expectCounts()
    expect(collector.events().find((e) => e.type === 'restart')?.details.server_version).toBe('2.0.0')
    await client.close()
  })

  it('works when called after connect, and adds nothing to tool schemas', async () => {
    await setup()
    const plain = new McpServer({ name: 'demo', version: '1.0.0' })
    registerTools(plain, 'early')
    registerTools(plain, 'late')
    const server = new McpServer({ name: 'demo', version: '1.0.0' })
    registerTools(server, 'early')
    registerTools(server, 'late')
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair()
    await server.connect(serverSide)
    instrument(server, metrics)
    instrument(server, metrics) // twice is harmless
    const client = new Client({ name: 'test-client', version: '9.9.9' })
    await client.connect(clientSide)
    await exercise(client)
    await metrics.flush()
    const points = collector.points()
    expect(total(points, 'mcp.tool.calls')).toBe(7)
    expect(total(points, 'mcp.tool.calls', { tool: 'explode', outcome: 'error' })).toBe(2)

    const [c2, s2] = InMemoryTransport.createLinkedPair()
    await plain.connect(s2)
    const other = new Client({ name: 'x', version: '1' })
    await other.connect(c2)
    expect((await client.listTools()).tools).toEqual((await other.listTools()).tools)
    await client.close()
    await other.close()
  })

  it('counts a low-level Server: thrown handler errors are JSON-RPC errors', async () => {
    await setup()
    const server = new Server({ name: 'low', version: '0.1.0' }, { capabilities: { tools: {} } })
    instrument(server, metrics)
    server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: [] }))
    server.setRequestHandler(CallToolRequestSchema, async (request) => {
      if (request.params.name === 'explode') throw new Error('kaboom')
      if (request.params.name === 'refuse') return { content: [], isError: true }
      return { content: [{ type: 'text', text: 'ok' }] }
    })
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair()
    await server.connect(serverSide)
    const client = new Client({ name: 'test-client', version: '9.9.9' })
    await client.connect(clientSide)
    await client.callTool({ name: 'search', arguments: {} })
    await client.callTool({ name: 'search', arguments: {} })
    await expect(client.callTool({ name: 'explode', arguments: {} })).rejects.toThrow('kaboom')
    await client.callTool({ name: 'refuse', arguments: {} })
    await metrics.flush()
    const points = collector.points()
    expect(total(points, 'mcp.tool.calls', { tool: 'search', outcome: 'ok' })).toBe(2)
    expect(total(points, 'mcp.tool.calls', { tool: 'explode', outcome: 'error' })).toBe(1)
    expect(total(points, 'mcp.tool.calls', { tool: 'refuse', outcome: 'tool_error' })).toBe(1)
    await client.close()
  })

  it('never throws on something that is not an MCP server', () => {
    expect(() => instrument({} as never, metrics)).not.toThrow()
    expect(() => instrument({ server: null } as never, metrics)).not.toThrow()
  })
})
