// `subscriptions/listen`, which SDK v2's entries answer themselves before any instance sees it: counted through
// instrumentHandler() on createMcpHandler (stateless HTTP, via toNodeHandler) and instrumentTransport() on
// serveStdio's wire (a real StdioServerTransport over in-process pipes), under a real v2 client on 2026-07-28.
import { PassThrough } from 'node:stream'
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client'
import { toNodeHandler } from '@modelcontextprotocol/node'
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server'
import { serveStdio, StdioServerTransport } from '@modelcontextprotocol/server/stdio'
import { describe, expect, it, onTestFinished } from 'vitest'
import { instrument, instrumentHandler, instrumentTransport } from '../src/mcp'
import { countsBy } from './mcp/expect'
import { agent, listen } from './mcp/http'
import { type Recording, recordThisTest } from './mcp/recording'

function factory(metrics: Recording['metrics']) {
  return () => {
    const server = new McpServer({ name: 'listen-demo', version: '2.0.0' }, { capabilities: { tools: { listChanged: true } } })
    instrument(server, metrics)
    server.registerTool('ping', { description: 'ping' }, async () => ({ content: [{ type: 'text' as const, text: 'pong' }] }))
    return server
  }
}

const FILTER = { toolsListChanged: true }

function expectTags(points: Awaited<ReturnType<Recording['settle']>>, transport: 'http' | 'stdio') {
  const mcp = points.filter((p) => p.name.startsWith('mcp.'))
  for (const p of mcp) {
    expect(p.tags, p.name).toMatchObject({ client: 'listener', client_version: '9.1.0', protocol: '2026-07-28', transport })
    if (p.name === 'mcp.requests') expect(p.tags.error_type !== undefined).toBe(p.tags.outcome === 'error' || p.tags.outcome === 'client_error')
  }
  return mcp
}

describe('subscriptions/listen (SDK v2 entries)', () => {
  it('createMcpHandler: counts each listen once, cancelled, refused and gracefully closed, with its duration', async () => {
    const recording = await recordThisTest()
    const { metrics } = recording
    const handler = instrumentHandler(createMcpHandler(factory(metrics), { maxSubscriptions: 1 }), metrics)
    expect(instrumentHandler(handler, metrics)).toBe(handler) // idempotent
    const http = await listen(toNodeHandler(handler))
    let closed = false
    onTestFinished(async () => {
      if (!closed) await handler.close()
      await http.close()
    })
    const client = new Client({ name: 'listener', version: '9.1.0' }, { versionNegotiation: { mode: 'auto' } })
    await client.connect(new StreamableHTTPClientTransport(http.url, agent('not-this-one', '0.0.0')))

    const first = await client.listen(FILTER)
    expect(first.honoredFilter).toEqual(FILTER)
    await new Promise((ok) => setTimeout(ok, 60))
    await first.close()
    expect(await first.closed).toBe('local')
    await recording.settle(2) // server/discover, by the instance; the listen, by the handler

    const second = await client.listen(FILTER)
    await expect(client.listen(FILTER)).rejects.toThrow(/Subscription limit/) // the limit: 1 open
    closed = true
    await handler.close() // graceful close of the open one
    expect(await second.closed).toBe('graceful')

    const points = await recording.settle(4)
    expect(countsBy(points, 'mcp.requests', ['method', 'outcome', 'error_type'])).toEqual({
      'server/discover|ok|': 1,
      'subscriptions/listen|cancelled|': 1,
      'subscriptions/listen|error|-32603': 1,
      'subscriptions/listen|ok|': 1,
    })
    expect(countsBy(points, 'mcp.request.duration', ['method', 'outcome'])).toEqual({
      'server/discover|ok': 1,
      'subscriptions/listen|cancelled': 1,
      'subscriptions/listen|error': 1,
      'subscriptions/listen|ok': 1,
    })
    const cancelled = points.find((p) => p.name === 'mcp.request.duration' && p.tags.method === 'subscriptions/listen' && p.tags.outcome === 'cancelled')
    expect(cancelled?.type === 'timer' && cancelled.max).toBeGreaterThanOrEqual(50) // timed while open
    expectTags(points, 'http')
    await client.close()
  })

  it('createMcpHandler: other requests pass through unread and uncounted by the wrapper', async () => {
    const recording = await recordThisTest()
    const { metrics } = recording
    const handler = instrumentHandler(createMcpHandler(factory(metrics)), metrics)
    const http = await listen(toNodeHandler(handler))
    onTestFinished(async () => {
      await handler.close()
      await http.close()
    })
    const client = new Client({ name: 'listener', version: '9.1.0' }, { versionNegotiation: { mode: 'auto' } })
    await client.connect(new StreamableHTTPClientTransport(http.url))
    await client.listTools()
    await client.callTool({ name: 'ping', arguments: {} })
    const points = await recording.settle(3)
    expect(countsBy(points, 'mcp.requests', ['method', 'outcome'])).toEqual({ 'server/discover|ok': 1, 'tools/list|ok': 1, 'tools/call|ok': 1 })
    expectTags(points, 'http')
    await client.close()
  })

  it('serveStdio: counts each listen once through the instrumented wire transport', async () => {
    const recording = await recordThisTest()
    const { metrics } = recording
    const stdin = new PassThrough()
    const stdout = new PassThrough()
    const wire = instrumentTransport(new StdioServerTransport(stdin, stdout), metrics)
    expect(instrumentTransport(wire, metrics)).toBe(wire) // idempotent
    const handle = serveStdio(factory(metrics), { transport: wire, maxSubscriptions: 1 })
    let closed = false
    onTestFinished(async () => {
      if (!closed) await handle.close()
    })
    const client = new Client({ name: 'listener', version: '9.1.0' }, { versionNegotiation: { mode: 'auto' } })
    await client.connect(new PipeClient(stdout, stdin) as never)

    const first = await client.listen(FILTER)
    expect(first.honoredFilter).toEqual(FILTER)
    await first.close()
    await recording.settle(2)

    const second = await client.listen(FILTER)
    await expect(client.listen(FILTER)).rejects.toThrow(/Subscription limit/)
    await handle.close()
    expect(await second.closed).toBe('graceful')
    closed = true

    const points = await recording.settle(4)
    expect(countsBy(points, 'mcp.requests', ['method', 'outcome', 'error_type'])).toEqual({
      'server/discover|ok|': 1,
      'subscriptions/listen|cancelled|': 1,
      'subscriptions/listen|error|-32603': 1,
      'subscriptions/listen|ok|': 1,
    })
    expect(countsBy(points, 'mcp.request.duration', ['method', 'outcome'])).toEqual({
      'server/discover|ok': 1,
      'subscriptions/listen|cancelled': 1,
      'subscriptions/listen|error': 1,
      'subscriptions/listen|ok': 1,
    })
    expectTags(points, 'stdio')
    await client.close()
  })
})

/** A client transport over the server's stdin/stdout pipes, newline-delimited JSON as on stdio. */
class PipeClient {
  onmessage?: (message: unknown) => void
  onclose?: () => void
  onerror?: (error: Error) => void
  private buffer = ''

  constructor(
    private readonly from: PassThrough,
    private readonly to: PassThrough,
  ) {}

  async start(): Promise<void> {
    this.from.on('data', (chunk: Buffer) => {
      this.buffer += chunk.toString('utf8')
      let newline = this.buffer.indexOf('\n')
      while (newline !== -1) {
        const line = this.buffer.slice(0, newline)
        this.buffer = this.buffer.slice(newline + 1)
        if (line.trim()) this.onmessage?.(JSON.parse(line))
        newline = this.buffer.indexOf('\n')
      }
    })
    this.from.on('end', () => this.onclose?.())
  }

  async send(message: unknown): Promise<void> {
    if (!this.to.writableEnded) this.to.write(`${JSON.stringify(message)}\n`)
  }

  async close(): Promise<void> {
    if (!this.to.writableEnded) this.to.end()
  }
}
