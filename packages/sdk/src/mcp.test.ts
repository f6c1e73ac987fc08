// instrument() on the MCP TypeScript SDK v2 in process: McpServer served by serveStdio(factory) over an
// in-memory pipe in both protocol eras, a low-level Server, instrumenting after connect, and bad input.
import { Client } from '@modelcontextprotocol/client'
import { InMemoryTransport, McpServer, ProtocolError, ProtocolErrorCode, Server } from '@modelcontextprotocol/server'
import { serveStdio } from '@modelcontextprotocol/server/stdio'
import { afterEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { total } from '../test/collector'
import { exercise, expectedCounts, registerCatalog } from '../test/fixtures/mcp-catalog.mjs'
import { countsBy, expectCatalog } from '../test/mcp/expect'
import { type Recording, startRecording, sum } from '../test/mcp/recording'
import { instrument } from './mcp'

let recording: Recording | undefined
afterEach(async () => {
  await recording?.close()
  recording = undefined
})

async function servePipe(mode: 'legacy' | 'auto') {
  recording = await startRecording()
  const { metrics } = recording
  let started!: () => void
  let instances = 0
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair()
  const handle = serveStdio(
    () => {
      instances++
      const server = new McpServer({ name: 'demo', version: '2.0.0' })
      instrument(server, metrics)
      registerCatalog(server, { onSlowStart: () => started() })
      return server
    },
    { transport: serverSide },
  )
  const client = new Client({ name: 'test-client', version: '9.9.9' }, { versionNegotiation: { mode } })
  await client.connect(clientSide)
  const slowStarted = () => new Promise<void>((ok) => (started = ok))
  return { client, handle, slowStarted, instances: () => instances }
}

describe('instrument() with SDK v2 over a pipe (serveStdio)', () => {
  it('counts a 2026-07-28 session exactly: client and protocol from each request _meta', async () => {
    const { client, handle, slowStarted } = await servePipe('auto')
    const waiting = slowStarted()
    await exercise(client, { major: 2, cancel: true, started: () => waiting })
    const want = { cancel: true, opening: 'server/discover' } as const
    const points = await (recording as Recording).settle(sum(expectedCounts(want).methods))
    expectCatalog(points, { ...want, client: 'test-client', clientVersion: '9.9.9', protocol: '2026-07-28', transport: 'stdio' })
    expect(recording?.collector.events().find((e) => e.type === 'restart')?.details.server_version).toBe('2.0.0')
    await client.close()
    await handle.close()
  })

  it('counts a legacy session exactly: client and protocol from initialize', async () => {
    const { client, handle, slowStarted } = await servePipe('legacy')
    const waiting = slowStarted()
    await exercise(client, { major: 2, cancel: true, started: () => waiting })
    const want = { cancel: true, opening: 'initialize' } as const
    const points = await (recording as Recording).settle(sum(expectedCounts(want).methods))
    expectCatalog(points, { ...want, client: 'test-client', clientVersion: '9.9.9', protocol: '2025-11-25', transport: 'stdio' })
    await client.close()
    await handle.close()
  })
})

describe('instrument() with SDK v2', () => {
  it('counts a low-level Server by JSON-RPC outcome, every method, unknown methods as other', async () => {
    recording = await startRecording()
    const server = new Server({ name: 'low', version: '0.1.0' }, { capabilities: { tools: {} } })
    instrument(server, recording.metrics)
    server.setRequestHandler('tools/list', async () => ({ tools: [] }))
    server.setRequestHandler('tools/call', async (request) => {
      if (request.params.name === 'explode') throw new Error('kaboom')
      if (request.params.name === 'unknown') throw new ProtocolError(ProtocolErrorCode.InvalidParams, 'no such tool')
      if (request.params.name === 'refuse') return { content: [], isError: true }
      return { content: [{ type: 'text', text: 'ok' }] }
    })
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair()
    await server.connect(serverSide)
    const client = new Client({ name: 'low-client', version: '1.2.3' })
    await client.connect(clientSide)
    await client.callTool({ name: 'search', arguments: {} })
    await client.callTool({ name: 'search', arguments: {} })
    await expect(client.callTool({ name: 'explode', arguments: {} })).rejects.toThrow('kaboom')
    await expect(client.callTool({ name: 'unknown', arguments: {} })).rejects.toThrow('no such tool')
    await client.callTool({ name: 'refuse', arguments: {} })
    await client.listTools()
    await client.ping()
    await expect(client.request({ method: 'custom/nothing', params: {} }, z.object({}))).rejects.toThrow()
    const points = await recording.settle(9)
    expect(countsBy(points, 'mcp.tool.calls', ['tool', 'outcome'])).toEqual({
      'search|ok': 2,
      'explode|error': 1,
      'unknown|client_error': 1,
      'refuse|tool_error': 1,
    })
    expect(countsBy(points, 'mcp.requests', ['method', 'outcome', 'error_type'])).toEqual({
      'initialize|ok|': 1,
      'tools/call|ok|': 2,
      'tools/call|error|-32603': 1,
      'tools/call|client_error|-32602': 1,
      'tools/call|tool_error|tool_error': 1,
      'tools/list|ok|': 1,
      'ping|ok|': 1,
      'other|client_error|-32601': 1,
    })
    for (const p of points) expect(p.tags).toMatchObject({ client: 'low-client', client_version: '1.2.3', protocol: '2025-11-25' })
    await client.close()
  })

  it('works when called after connect, twice, and adds nothing to tool schemas', async () => {
    recording = await startRecording()
    const plain = new McpServer({ name: 'demo', version: '1.0.0' })
    registerCatalog(plain)
    const server = new McpServer({ name: 'demo', version: '1.0.0' })
    registerCatalog(server)
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair()
    await server.connect(serverSide)
    instrument(server, recording.metrics)
    instrument(server, recording.metrics) // twice is harmless
    const client = new Client({ name: 'late-client', version: '2.0.0' })
    await client.connect(clientSide)
    await exercise(client, { major: 2 })
    const points = await recording.settle(13) // the catalog's 12, and initialize
    // registered before instrument(): a tool that threw cannot be told from one that answered isError
    expect(countsBy(points, 'mcp.tool.calls', ['tool', 'outcome'])).toEqual({
      'search|ok': 3,
      'search|tool_error': 1,
      'refuse|tool_error': 1,
      'explode|tool_error': 2,
      'missing|client_error': 1,
    })
    expect(total(points, 'mcp.requests', { client: 'late-client', client_version: '2.0.0', method: 'initialize' })).toBe(1)
    expect(total(points, 'mcp.requests', { client: 'late-client', client_version: '2.0.0' })).toBe(13)

    const [c2, s2] = InMemoryTransport.createLinkedPair()
    await plain.connect(s2)
    const other = new Client({ name: 'x', version: '1' })
    await other.connect(c2)
    expect((await client.listTools()).tools).toEqual((await other.listTools()).tools)
    await client.close()
    await other.close()
  })

  it('never throws on something that is not an MCP server', async () => {
    recording = await startRecording()
    const { metrics } = recording
    for (const junk of [{}, { server: null }, { server: {} }, { connect: 1 }, null, undefined, 42, Object.freeze({ connect: async () => {} })]) {
      expect(() => instrument(junk as never, metrics)).not.toThrow()
    }
  })
})
