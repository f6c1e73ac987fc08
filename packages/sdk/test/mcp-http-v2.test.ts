// SDK v2's stateless HTTP entry, createMcpHandler(factory), mounted with @modelcontextprotocol/node's
// toNodeHandler: a fresh instrumented instance per request, under real v2 (2026-07-28 and legacy) and v1
// clients on 127.0.0.1. Exact counts, and the client as a dimension in every case.
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client'
import { toNodeHandler } from '@modelcontextprotocol/node'
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport as StreamableHTTPClientTransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { describe, expect, it, onTestFinished } from 'vitest'
import { exercise, expectedCounts } from './fixtures/mcp-catalog.mjs'
import { expectCatalog } from './mcp/expect'
import { agent, listen } from './mcp/http'
import { catalogHandler } from './mcp/catalog-handler'
import { recordThisTest, sum } from './mcp/recording'

async function serve() {
  const rec = await recordThisTest()
  const { handler, instances, slowStarted } = catalogHandler(rec.metrics, { name: 'http-demo', version: '5.0.0' })
  const http = await listen(toNodeHandler(handler))
  onTestFinished(async () => {
    await handler.close()
    await http.close()
  })
  return { url: http.url, rec, slowStarted, instances }
}

describe('instrument() with createMcpHandler (SDK v2, stateless HTTP)', () => {
  it('counts 2026-07-28 requests exactly, one instance each, client from _meta, cancellation as cancelled', async () => {
    const { url, rec, slowStarted, instances } = await serve()
    const client = new Client({ name: 'modern-http', version: '7.0.0' }, { versionNegotiation: { mode: 'auto' } })
    await client.connect(new StreamableHTTPClientTransport(url, agent('not-this-one', '0.0.0')))
    const waiting = slowStarted()
    await exercise(client, { major: 2, cancel: true, started: () => waiting })
    const want = { cancel: true, opening: 'server/discover' } as const
    const requests = sum(expectedCounts(want).methods)
    const points = await rec.settle(requests)
    expectCatalog(points, { ...want, client: 'modern-http', clientVersion: '7.0.0', protocol: '2026-07-28', transport: 'http' })
    expect(instances()).toBe(requests)
    await client.close()
  })

  it('counts the legacy stateless fallback exactly under a v2 client: client from initialize, then User-Agent', async () => {
    const { url, rec } = await serve()
    const client = new Client({ name: 'legacy-http', version: '8.1.0' })
    await client.connect(new StreamableHTTPClientTransport(url, agent('legacy-http', '8.1.0')))
    await exercise(client, { major: 2 })
    const want = { opening: 'initialize' } as const
    const points = await rec.settle(sum(expectedCounts(want).methods))
    expectCatalog(points, { ...want, client: 'legacy-http', clientVersion: '8.1.0', protocol: '2025-11-25', transport: 'http' })
    await client.close()
  })

  it('counts the legacy stateless fallback exactly under a v1 client: initialize names it, its User-Agent the rest', async () => {
    const { url, rec } = await serve()
    const client = new ClientV1({ name: 'v1-http', version: '1.32.2' })
    await client.connect(new StreamableHTTPClientTransportV1(url, agent('v1-agent', '2.0.0')))
    await exercise(client, { major: 1 })
    const want = { opening: 'initialize', initializeClient: { client: 'v1-http', clientVersion: '1.32.2' } } as const
    const points = await rec.settle(sum(expectedCounts(want).methods))
    expectCatalog(points, { ...want, client: 'v1-agent', clientVersion: '2.0.0', protocol: '2025-11-25', transport: 'http' })
    await client.close()
  })
})
