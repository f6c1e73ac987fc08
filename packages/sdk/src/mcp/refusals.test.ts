// Requests SDK v2's createMcpHandler refuses before any instance handles them, counted by instrumentHandler:
// a real handler (instrumented instances, the shared catalog) mounted with toNodeHandler on 127.0.0.1, real
// v2 and v1 clients, some behind a proxy that drops or rewrites headers (their `fetch` option), and raw
// HTTP requests a broken client would send. Exact counts by method, outcome and error code, the client on
// every point, and nothing an instance already counted is counted twice.
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client'
import { toNodeHandler } from '@modelcontextprotocol/node'
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport as StreamableHTTPClientTransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { describe, expect, it, onTestFinished } from 'vitest'
import { z } from 'zod'
import { exercise, expectedCounts } from '../../test/fixtures/mcp-catalog.mjs'
import { countsBy, expectCatalog } from '../../test/mcp/expect'
import { agent, listen } from '../../test/mcp/http'
import { catalogHandler } from '../../test/mcp/catalog-handler'
import { recordThisTest, sum } from '../../test/mcp/recording'
import { instrumentHandler } from '../mcp'

async function serve() {
  const rec = await recordThisTest()
  const handler = instrumentHandler(catalogHandler(rec.metrics, { name: 'refusals', version: '3.0.0' }).handler, rec.metrics)
  const http = await listen(toNodeHandler(handler))
  onTestFinished(async () => {
    await handler.close()
    await http.close()
  })
  return { url: http.url, rec, handler }
}

/**
 * A client-side `fetch` standing in for a proxy that rewrites some requests' headers. It tallies, by JSON-RPC
 * method, the requests the server refused (HTTP 4xx), as the client saw them on the wire.
 */
function proxy(rewrite: (headers: Headers, method: string) => void) {
  const refused: Record<string, number> = {}
  const fetchVia = async (input: string | URL | Request, init?: RequestInit) => {
    const headers = new Headers(init?.headers)
    const method = typeof init?.body === 'string' ? (JSON.parse(init.body) as { method?: string }).method : undefined
    if (method) rewrite(headers, method)
    const response = await fetch(input, { ...init, headers })
    if (method && response.status >= 400) refused[method] = (refused[method] ?? 0) + 1
    return response
  }
  return { fetch: fetchVia, refused }
}

const quiet = (promise: Promise<unknown>) => promise.then(
  () => undefined,
  () => undefined,
)

const modern = (name = 'modern-http', version = '7.0.0') => new Client({ name, version }, { versionNegotiation: { mode: 'auto' } })
const KEYS = ['method', 'outcome', 'error_type', 'client', 'client_version', 'protocol']

describe('instrumentHandler counts what createMcpHandler refuses before any instance', () => {
  it('a clean 2026-07-28 session: the instances count it, the wrapper adds nothing (not even their 404)', async () => {
    const { url, rec } = await serve()
    const client = modern()
    await client.connect(new StreamableHTTPClientTransport(url))
    await exercise(client, { major: 2 })
    // an unknown method: the instance refuses it in its dispatch window, with HTTP 404 and -32601
    await expect(client.request({ method: 'acme/unknown', params: {} }, z.object({}))).rejects.toThrow()
    await client.close()
    const served = expectedCounts({ opening: 'server/discover' }).methods
    const points = await rec.settle(sum(served) + 1)
    expect(countsBy(points, 'mcp.requests', ['method', 'outcome'])).toEqual({ ...served, 'other|client_error': 1 })
    for (const p of points.filter((p) => p.name === 'mcp.requests')) {
      expect(p.tags).toMatchObject({ client: 'modern-http', client_version: '7.0.0', protocol: '2026-07-28', transport: 'http' })
    }
  })

  it('a 2026-07-28 client behind a proxy that drops or rewrites Mcp-* headers: each refused request once, client from _meta', async () => {
    const { url, rec } = await serve()
    const via = proxy((headers, method) => {
      if (method === 'tools/call') headers.delete('mcp-name') // a proxy that drops headers it does not know
      if (method === 'prompts/get') headers.set('mcp-method', 'prompts/list') // one that rewrites them
      if (method === 'tools/list') headers.delete('mcp-protocol-version')
    })
    const client = modern()
    await client.connect(new StreamableHTTPClientTransport(url, { fetch: via.fetch }))
    for (let i = 0; i < 3; i++) await quiet(client.callTool({ name: 'search', arguments: { q: 'x' } }))
    await quiet(client.getPrompt({ name: 'greet' }))
    await quiet(client.listTools())
    await client.close()
    // the client retries a tools/call refused for its headers once, after refreshing tools/list: the wire says how often
    expect(via.refused['tools/call']).toBeGreaterThanOrEqual(3)
    expect(via.refused['tools/list']).toBeGreaterThanOrEqual(1)
    expect(via.refused['prompts/get']).toBe(1)
    const refused = Object.fromEntries(Object.entries(via.refused).map(([method, n]) => [`${method}|client_error|-32020|modern-http|7.0.0|2026-07-28`, n]))
    const points = await rec.settle(1 + sum(via.refused))
    expect(countsBy(points, 'mcp.requests', KEYS)).toEqual({ 'server/discover|ok||modern-http|7.0.0|2026-07-28': 1, ...refused })
    expect(countsBy(points, 'mcp.request.duration', ['method', 'outcome'])).toEqual(countsBy(points, 'mcp.requests', ['method', 'outcome']))
    expect(points.filter((p) => p.name === 'mcp.tool.calls')).toEqual([]) // refused before any tool: no tool series
  })

  it('an unsupported protocol version, broken bodies and envelopes, a wrong Content-Type, a client gone, a closed handler', async () => {
    const { url, rec, handler } = await serve()
    const future = new Client({ name: 'future-client', version: '0.9.0' }, { versionNegotiation: { mode: { pin: '2099-01-01' } } })
    await expect(future.connect(new StreamableHTTPClientTransport(url))).rejects.toThrow()

    const meta = {
      'io.modelcontextprotocol/protocolVersion': '2026-07-28',
      'io.modelcontextprotocol/clientInfo': { name: 'raw-client', version: '4.5.6' },
      'io.modelcontextprotocol/clientCapabilities': {},
    }
    const modernHeaders = { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/list' }
    const post = async (body: unknown, headers: Record<string, string> = {}) => {
      const init = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'user-agent': 'broken-client/0.1 (test)' }
      const response = await fetch(url, { method: 'POST', headers: { ...init, ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) })
      await response.arrayBuffer()
      return response.status
    }
    const request = (id: number, method: string, params: Record<string, unknown>) => ({ jsonrpc: '2.0', id, method, params })
    expect(await post('{"jsonrpc":"2.0","id":1,"method":"tools/list"')).toBe(400) // not JSON: the legacy leg's -32700
    expect(await post({ hello: 'world' })).toBe(400) // not JSON-RPC: -32600
    expect(await post([])).toBe(400) // an empty batch: -32600
    expect(await post(request(2, 'tools/list', { _meta: { ...meta, 'io.modelcontextprotocol/clientInfo': 7 } }), modernHeaders)).toBe(400) // -32602
    expect(await post(request(3, 'tools/list', {}), modernHeaders)).toBe(400) // a modern header without the envelope: -32602
    expect(await post(request(4, 'tools/list', { _meta: meta }), { 'content-type': 'text/plain' })).toBe(415) // -32000
    expect(await post(request(5, 'acme/nope', { _meta: meta }), { 'mcp-protocol-version': '2026-07-28' })).toBe(400) // no Mcp-Method: -32020
    const badNotification = { jsonrpc: '2.0', method: 'notifications/initialized', params: { _meta: { ...meta, 'io.modelcontextprotocol/protocolVersion': 5 } } }
    expect(await post(badNotification)).toBe(400) // refused, but a notification is not a request: not counted
    expect((await fetch(url, { headers: { accept: 'text/event-stream' } })).status).toBe(405) // GET: a session operation, not counted
    expect(await post(request(6, 'tools/list', { _meta: meta }), modernHeaders)).toBe(200) // served: counted by its instance
    // a client gone before its request is handled (here its signal aborted up front, on the fetch face): 499
    const body = JSON.stringify(request(8, 'tools/list', { _meta: meta }))
    const gone = new Request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...modernHeaders }, body, signal: AbortSignal.abort() })
    expect((await handler.fetch(gone)).status).toBe(499)
    await handler.close()
    expect(await post(request(7, 'tools/list', { _meta: meta }), modernHeaders)).toBe(500) // the handler throws once closed

    const points = await rec.settle(11)
    expect(countsBy(points, 'mcp.requests', KEYS)).toEqual({
      'server/discover|client_error|-32022|future-client|0.9.0|2099-01-01': 1,
      'unknown|client_error|-32700|broken-client|0.1|unknown': 1,
      'unknown|client_error|-32600|broken-client|0.1|unknown': 2,
      'tools/list|client_error|-32602|broken-client|0.1|2026-07-28': 2, // an invalid clientInfo: the User-Agent names it
      'tools/list|client_error|-32000|raw-client|4.5.6|2026-07-28': 1,
      'other|client_error|-32020|raw-client|4.5.6|2026-07-28': 1,
      'tools/list|ok||raw-client|4.5.6|2026-07-28': 1,
      'tools/list|error|_OTHER|raw-client|4.5.6|2026-07-28': 1,
      'tools/list|cancelled||raw-client|4.5.6|2026-07-28': 1,
    })
    expect(points.filter((p) => p.name.startsWith('mcp.')).every((p) => p.tags.transport === 'http')).toBe(true)
  })

  it('the legacy leg: a v1 client whose proxy drops Accept is refused (406) once, named by initialize; a clean one counted once', async () => {
    const { url, rec } = await serve()
    const via = proxy((headers) => headers.delete('accept'))
    const dropped = new ClientV1({ name: 'v1-http', version: '1.32.2' })
    const requestInit = agent('v1-agent', '2.0.0').requestInit
    await expect(dropped.connect(new StreamableHTTPClientTransportV1(url, { requestInit, fetch: via.fetch }))).rejects.toThrow()
    expect(via.refused).toEqual({ initialize: 1 })
    let points = await rec.settle(1)
    expect(countsBy(points, 'mcp.requests', KEYS)).toEqual({ 'initialize|client_error|-32000|v1-http|1.32.2|unknown': 1 })

    const client = new ClientV1({ name: 'v1-http', version: '1.32.2' })
    await client.connect(new StreamableHTTPClientTransportV1(url, { requestInit }))
    await exercise(client, { major: 1 })
    await client.close()
    const want = { opening: 'initialize', initializeClient: { client: 'v1-http', clientVersion: '1.32.2' } } as const
    points = await rec.settle(1 + sum(expectedCounts(want).methods))
    const clean = points.filter((p) => !(p.tags.method === 'initialize' && p.tags.outcome === 'client_error'))
    expectCatalog(clean, { ...want, client: 'v1-agent', clientVersion: '2.0.0', protocol: '2025-11-25', transport: 'http' })
  })
})
