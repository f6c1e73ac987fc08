// instrument() on SDK v1 in process: a low-level Server, an McpServer instrumented after its tools were
// registered, and a transport with more unanswered requests than it keeps.
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { Server } from '@modelcontextprotocol/sdk/server/index.js'
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError } from '@modelcontextprotocol/sdk/types.js'
import { afterEach, describe, expect, it } from 'vitest'
import { exercise, registerCatalog } from '../test/fixtures/mcp-catalog.mjs'
import { countsBy } from '../test/mcp/expect'
import { type Recording, startRecording } from '../test/mcp/recording'
import { instrument } from './mcp'
import { MAX_PENDING, observe } from './mcp/observe'

let recording: Recording | undefined
afterEach(async () => {
  await recording?.close()
  recording = undefined
})

describe('instrument() with SDK v1', () => {
  it('counts a low-level Server by JSON-RPC outcome', async () => {
    recording = await startRecording()
    const server = new Server({ name: 'low', version: '0.1.0' }, { capabilities: { tools: {} } })
    instrument(server, recording.metrics)
    server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: [] }))
    server.setRequestHandler(CallToolRequestSchema, async (request) => {
      if (request.params.name === 'explode') throw new Error('kaboom')
      if (request.params.name === 'unknown') throw new McpError(ErrorCode.InvalidParams, 'no such tool')
      if (request.params.name === 'refuse') return { content: [], isError: true }
      return { content: [{ type: 'text', text: 'ok' }] }
    })
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair()
    await server.connect(serverSide)
    const client = new Client({ name: 'v1-low', version: '1.9.0' })
    await client.connect(clientSide)
    await client.callTool({ name: 'search', arguments: {} })
    await expect(client.callTool({ name: 'explode', arguments: {} })).rejects.toThrow('kaboom')
    await expect(client.callTool({ name: 'unknown', arguments: {} })).rejects.toThrow('no such tool')
    await client.callTool({ name: 'refuse', arguments: {} })
    await client.listTools()
    const points = await recording.settle(6)
    expect(countsBy(points, 'mcp.requests', ['method', 'outcome', 'error_type'])).toEqual({
      'initialize|ok|': 1,
      'tools/call|ok|': 1,
      'tools/call|error|-32603': 1,
      'tools/call|client_error|-32602': 1,
      'tools/call|tool_error|tool_error': 1,
      'tools/list|ok|': 1,
    })
    for (const p of points) expect(p.tags).toMatchObject({ client: 'v1-low', client_version: '1.9.0', protocol: '2025-11-25', transport: 'stdio' })
    await client.close()
  })

  it('instrumented after registration: refusals still client_error, a throw indistinguishable from isError', async () => {
    recording = await startRecording()
    const server = new McpServer({ name: 'late', version: '1.0.0' })
    registerCatalog(server)
    instrument(server, recording.metrics)
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair()
    await server.connect(serverSide)
    const client = new Client({ name: 'v1-late', version: '1.0.0' })
    await client.connect(clientSide)
    await exercise(client, { major: 1 })
    const points = await recording.settle(13) // the catalog's 12, and initialize
    expect(countsBy(points, 'mcp.tool.calls', ['tool', 'outcome'])).toEqual({
      'search|ok': 3,
      'search|client_error': 1,
      'refuse|tool_error': 1,
      'explode|tool_error': 2,
      'missing|client_error': 1,
    })
    await client.close()
  })
})

describe('a transport with requests never answered', () => {
  it(`forgets the oldest beyond ${MAX_PENDING} and keeps recording`, async () => {
    recording = await startRecording()
    const sent: unknown[] = []
    const transport = { onmessage: (_m: unknown) => {}, send: async (m: unknown) => void sent.push(m) }
    observe(transport, { metrics: recording.metrics, current: undefined, tools: undefined })
    for (let id = 0; id <= MAX_PENDING + 5; id++) transport.onmessage({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'hang' } })
    await transport.send({ jsonrpc: '2.0', id: 0, result: {} }) // forgotten: not recorded
    await transport.send({ jsonrpc: '2.0', id: MAX_PENDING + 5, result: {} })
    transport.onmessage({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: MAX_PENDING } })
    const points = await recording.settle(2)
    expect(countsBy(points, 'mcp.tool.calls', ['tool', 'outcome', 'client'])).toEqual({ 'hang|ok|unknown': 1, 'hang|cancelled|unknown': 1 })
    expect(sent).toHaveLength(2)
  })
})
