// createMcpHandler behind SDK v2's thin Hono adapter (@modelcontextprotocol/hono: createMcpHonoApp, whose
// middleware hands the handler a parsed body), served by @hono/node-server on 127.0.0.1, instances
// instrumented and the handler wrapped by instrumentHandler. Real v2 clients in both protocol eras: exact
// counts per tool, method and outcome, the client's name and version on every point, and a refusal counted
// from the adapter's parsed body.
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client'
import { createMcpHonoApp } from '@modelcontextprotocol/hono'
import { describe, expect, it, onTestFinished } from 'vitest'
import { exercise, expectedCounts } from '../../test/fixtures/mcp-catalog.mjs'
import { countsBy, expectCatalog } from '../../test/mcp/expect'
import { agent } from '../../test/mcp/http'
import { catalogHandler } from '../../test/mcp/catalog-handler'
import { recordThisTest, sum } from '../../test/mcp/recording'
import { instrumentHandler } from '../mcp'

async function serveHono() {
  const rec = await recordThisTest()
  const { handler: v2, instances, slowStarted } = catalogHandler(rec.metrics, { name: 'hono-demo', version: '6.0.0' })
  const handler = instrumentHandler(v2, rec.metrics)
  const app = createMcpHonoApp()
  app.all('/mcp', (c) => handler.fetch(c.req.raw, { parsedBody: c.get('parsedBody' as never) }))
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' })
  await new Promise<void>((ok) => (server.listening ? ok() : server.once('listening', () => ok())))
  const { port } = server.address() as AddressInfo
  onTestFinished(async () => {
    await handler.close()
    if ('closeAllConnections' in server) server.closeAllConnections()
    await new Promise<void>((ok) => server.close(() => ok()))
  })
  return { url: new URL(`http://127.0.0.1:${port}/mcp`), rec, slowStarted, instances }
}

describe('instrumentHandler with createMcpHandler behind @modelcontextprotocol/hono', () => {
  it('counts a 2026-07-28 session exactly: one instance per request, client from _meta, cancellation as cancelled', async () => {
    const { url, rec, slowStarted, instances } = await serveHono()
    const client = new Client({ name: 'modern-hono', version: '3.1.0' }, { versionNegotiation: { mode: 'auto' } })
    await client.connect(new StreamableHTTPClientTransport(url, agent('not-this-one', '0.0.0')))
    const waiting = slowStarted()
    await exercise(client, { major: 2, cancel: true, started: () => waiting })
    await client.close()
    const want = { cancel: true, opening: 'server/discover' } as const
    const requests = sum(expectedCounts(want).methods)
    const points = await rec.settle(requests)
    expectCatalog(points, { ...want, client: 'modern-hono', clientVersion: '3.1.0', protocol: '2026-07-28', transport: 'http' })
    expect(instances()).toBe(requests)
  })

  it('counts the legacy stateless fallback exactly: client from initialize, then its User-Agent', async () => {
    const { url, rec } = await serveHono()
    const client = new Client({ name: 'legacy-hono', version: '8.2.0' })
    await client.connect(new StreamableHTTPClientTransport(url, agent('legacy-hono', '8.2.0')))
    await exercise(client, { major: 2 })
    await client.close()
    const want = { opening: 'initialize' } as const
    const points = await rec.settle(sum(expectedCounts(want).methods))
    expectCatalog(points, { ...want, client: 'legacy-hono', clientVersion: '8.2.0', protocol: '2025-11-25', transport: 'http' })
  })

  it('counts a request the entry refuses from the parsed body the adapter passes; the adapter’s own refusals are out of sight', async () => {
    const { url, rec } = await serveHono()
    const dropName = async (input: string | URL | Request, init?: RequestInit) => {
      const headers = new Headers(init?.headers)
      headers.delete('mcp-name') // a proxy that drops headers it does not know
      return fetch(input, { ...init, headers })
    }
    const client = new Client({ name: 'modern-hono', version: '3.1.0' }, { versionNegotiation: { mode: 'auto' } })
    await client.connect(new StreamableHTTPClientTransport(url, { fetch: dropName }))
    await expect(client.getPrompt({ name: 'greet' })).rejects.toThrow()
    await client.close()
    // Hono's body middleware answers a body that is not JSON itself (400 "Invalid JSON"): the handler never sees it
    const invalid = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' })
    expect(invalid.status).toBe(400)
    expect(await invalid.text()).toBe('Invalid JSON')
    const points = await rec.settle(2)
    expect(countsBy(points, 'mcp.requests', ['method', 'outcome', 'error_type', 'client', 'client_version', 'protocol'])).toEqual({
      'server/discover|ok||modern-hono|3.1.0|2026-07-28': 1,
      'prompts/get|client_error|-32020|modern-hono|3.1.0|2026-07-28': 1,
    })
  })
})
