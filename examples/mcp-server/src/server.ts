// An example MCP server on the MCP TypeScript SDK v2, instrumented with @mcpdir/metrics. Run it over stdio
// (what MCP clients such as Claude Desktop start) or over stateless Streamable HTTP, where createMcpHandler
// builds a fresh server per request from the same factory (and instrumentHandler counts what the handler
// answers without any instance: refused requests and subscriptions/listen):
//
//   MCPDIR_SERVER_ID=… MCPDIR_API_KEY=… MCPDIR_SIGNING_SECRET=… MCPDIR_METRICS_ENDPOINT=http://127.0.0.1:8787 \
//     node dist/server.js              # stdio
//     node dist/server.js --http 3333  # HTTP on http://127.0.0.1:3333/mcp
import { createServer } from 'node:http'
import { createMetrics } from '@mcpdir/metrics'
import { instrument, instrumentHandler } from '@mcpdir/metrics/mcp'
import { toNodeHandler } from '@modelcontextprotocol/node'
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server'
import { serveStdio } from '@modelcontextprotocol/server/stdio'
import { z } from 'zod'

// The three lines: without the MCPDIR_* environment this is a no-op and the server runs as before.
const metrics = createMetrics({ serverVersion: '1.0.0', flushIntervalMs: Number(process.env.DEMO_FLUSH_MS ?? 10_000) })

const DOCS = ['getting started', 'configuration', 'deployment', 'metrics', 'privacy', 'troubleshooting']
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** The factory both entries call: once per stdio connection, once per HTTP request. */
function buildServer(): McpServer {
  const server = new McpServer({ name: 'example-docs', version: '1.0.0' })
  instrument(server, metrics) // right after construction: O(1), nothing kept once the instance is gone

  server.registerTool('search_docs', { description: 'Search the documentation', inputSchema: { query: z.string() } }, async ({ query }) => {
    const hits = DOCS.filter((d) => d.includes(query.toLowerCase()))
    metrics.counter('docs.search_results').inc(hits.length) // a custom counter
    return { content: [{ type: 'text', text: hits.join('\n') || 'no match' }] }
  })

  server.registerTool('build_report', { description: 'A slow tool: builds a report' }, async () => {
    await sleep(200 + Math.random() * 600)
    return { content: [{ type: 'text', text: 'report ready' }] }
  })

  server.registerTool('fetch_page', { description: 'Fetches a page; fails now and then', inputSchema: { url: z.string() } }, async ({ url }) => {
    await sleep(20 + Math.random() * 80)
    if (Math.random() < 0.2) throw new Error(`upstream timeout fetching ${url}`)
    return { content: [{ type: 'text', text: `<html>${url}</html>` }] }
  })

  server.registerTool('validate_config', { description: 'Validates a config; refuses bad ones', inputSchema: { config: z.string() } }, async ({ config }) => {
    const ok = config.trim().startsWith('{')
    return { content: [{ type: 'text', text: ok ? 'valid' : 'config must be a JSON object' }], isError: !ok }
  })
  return server
}

// a custom gauge, sampled every few seconds
setInterval(() => metrics.gauge('process.heap_mb').set(process.memoryUsage().heapUsed / 1_048_576), 2_000).unref()

const httpPort = process.argv.indexOf('--http')
if (httpPort === -1) {
  serveStdio(buildServer)
} else {
  const port = Number(process.argv[httpPort + 1] ?? 3333)
  const mcp = toNodeHandler(instrumentHandler(createMcpHandler(buildServer), metrics))
  createServer((req, res) => {
    if (!req.url?.startsWith('/mcp')) res.writeHead(404).end()
    else void mcp(req, res)
  }).listen(port, '127.0.0.1', () => process.stderr.write(`example MCP server on http://127.0.0.1:${port}/mcp\n`))
}
