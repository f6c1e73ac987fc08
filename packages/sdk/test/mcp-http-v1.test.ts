// SDK v1 servers over HTTP, instrumented once per McpServer: Streamable HTTP stateful (a server per session),
// stateless (a server per request) and SSE, under real v1 and v2 clients on 127.0.0.1.
import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client'
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js'
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js'
import { StreamableHTTPClientTransport as StreamableHTTPClientTransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js'
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import { afterEach, describe, it } from 'vitest'
import { instrument } from '../src/mcp'
import { exercise, expectedCounts, registerCatalog } from './fixtures/mcp-catalog.mjs'
import { expectCatalog } from './mcp/expect'
import { agent, listen } from './mcp/http'
import { type Recording, startRecording, sum } from './mcp/recording'

let recording: Recording
let stop: (() => Promise<void>) | undefined
afterEach(async () => {
  await stop?.()
  await recording?.close()
  stop = undefined
})

type Handle = (req: IncomingMessage, res: ServerResponse) => Promise<void>

async function start(routes: (server: () => McpServer) => Handle) {
  recording = await startRecording()
  let started: () => void = () => {}
  const server = () => {
    const mcp = new McpServer({ name: 'v1-http', version: '1.5.0' })
    instrument(mcp, recording.metrics)
    registerCatalog(mcp, { onSlowStart: () => started() })
    return mcp
  }
  const http = await listen(routes(server))
  stop = () => http.close()
  return { url: http.url, started: () => new Promise<void>((ok) => (started = ok)) }
}

function stateful(server: () => McpServer): Handle {
  const sessions = new Map<string, StreamableHTTPServerTransport>()
  return async (req, res) => {
    const id = req.headers['mcp-session-id'] as string | undefined
    let transport = id ? sessions.get(id) : undefined
    if (!transport) {
      const created = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (sessionId) => void sessions.set(sessionId, created),
      })
      transport = created
      await server().connect(transport)
    }
    await transport.handleRequest(req, res)
  }
}

function stateless(server: () => McpServer): Handle {
  return async (req, res) => {
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined })
    const mcp = server()
    res.on('close', () => void mcp.close())
    await mcp.connect(transport)
    await transport.handleRequest(req, res)
  }
}

function sse(server: () => McpServer): Handle {
  const streams = new Map<string, SSEServerTransport>()
  return async (req, res) => {
    if (req.method === 'GET') {
      const transport = new SSEServerTransport('/messages', res)
      streams.set(transport.sessionId, transport)
      await server().connect(transport)
      return
    }
    const id = new URL(req.url ?? '/', 'http://x').searchParams.get('sessionId') ?? ''
    await streams.get(id)?.handlePostMessage(req, res)
  }
}

async function expectRecorded(client: { close(): Promise<void> }, want: Parameters<typeof expectCatalog>[1]) {
  const points = await recording.settle(sum(expectedCounts(want).methods))
  expectCatalog(points, want)
  await client.close()
}

describe('instrument() with SDK v1 over HTTP', () => {
  it('Streamable HTTP, stateful, v1 client: client from initialize, cancellation as cancelled', async () => {
    const { url, started } = await start(stateful)
    const client = new ClientV1({ name: 'v1-stateful', version: '1.0.1' })
    await client.connect(new StreamableHTTPClientTransportV1(url))
    const waiting = started()
    await exercise(client, { major: 1, cancel: true, started: () => waiting })
    await expectRecorded(client, { cancel: true, opening: 'initialize', client: 'v1-stateful', clientVersion: '1.0.1', protocol: '2025-11-25', transport: 'http' })
  })

  it('Streamable HTTP, stateful, v2 client', async () => {
    const { url, started } = await start(stateful)
    const client = new Client({ name: 'v2-stateful', version: '2.4.0' })
    await client.connect(new StreamableHTTPClientTransport(url))
    const waiting = started()
    await exercise(client, { major: 2, cancel: true, started: () => waiting })
    await expectRecorded(client, { cancel: true, opening: 'initialize', client: 'v2-stateful', clientVersion: '2.4.0', protocol: '2025-11-25', transport: 'http' })
  })

  it('Streamable HTTP, stateless (a server per request), v1 client: the User-Agent names it after initialize', async () => {
    const { url } = await start(stateless)
    const client = new ClientV1({ name: 'v1-stateless', version: '1.0.2' })
    await client.connect(new StreamableHTTPClientTransportV1(url, agent('v1-stateless-agent', '3.1.4')))
    await exercise(client, { major: 1 })
    await expectRecorded(client, {
      opening: 'initialize',
      initializeClient: { client: 'v1-stateless', clientVersion: '1.0.2' },
      client: 'v1-stateless-agent',
      clientVersion: '3.1.4',
      protocol: '2025-11-25',
      transport: 'http',
    })
  })

  it('SSE, v1 client', async () => {
    const { url, started } = await start(sse)
    const client = new ClientV1({ name: 'v1-sse', version: '1.0.3' })
    await client.connect(new SSEClientTransport(url))
    const waiting = started()
    await exercise(client, { major: 1, cancel: true, started: () => waiting })
    await expectRecorded(client, { cancel: true, opening: 'initialize', client: 'v1-sse', clientVersion: '1.0.3', protocol: '2025-11-25', transport: 'http' })
  })
})
