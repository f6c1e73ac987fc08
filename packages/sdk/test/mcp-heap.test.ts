// Stateless HTTP builds a server instance per request: instrumenting one must cost O(1) and keep nothing once
// the instance is gone. 100 000 instances, each instrumented, given a tool, connected to SDK v2's per-request
// HTTP transport (what createMcpHandler builds per request) and served one tools/call: the heap after GC is
// where it was, and every call was counted.
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { McpServer, PerRequestHTTPServerTransport } from '@modelcontextprotocol/server'
import { expect, it } from 'vitest'
import { instrument } from '../src/mcp'
import { total } from './collector'
import { startRecording } from './mcp/recording'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

/** Heap used once garbage is collected and deferred cleanup (timers, finalizers) has run. */
async function settledHeap(): Promise<number> {
  for (let i = 0; i < 10; i++) {
    gc()
    await new Promise((resolve) => setTimeout(resolve, 30))
  }
  return process.memoryUsage().heapUsed
}

it('instrumenting 100 000 per-request instances leaves the heap flat', async () => {
  const recording = await startRecording('heap')
  const meta = {
    'io.modelcontextprotocol/protocolVersion': '2026-07-28',
    'io.modelcontextprotocol/clientInfo': { name: 'heap-client', version: '1.0.0' },
    'io.modelcontextprotocol/clientCapabilities': {},
  }
  const request = new Request('http://127.0.0.1/mcp', { method: 'POST', headers: { 'user-agent': 'heap-agent/0' } })
  const serveOne = async (id: number) => {
    const server = new McpServer({ name: 'heap', version: '1.0.0' }, { supportedProtocolVersions: ['2026-07-28'] })
    instrument(server, recording.metrics)
    server.registerTool('echo', { description: 'echoes' }, async () => ({ content: [{ type: 'text', text: 'ok' }] }))
    const transport = new PerRequestHTTPServerTransport({ classification: { era: 'modern', revision: '2026-07-28' } })
    await server.connect(transport)
    const message = { jsonrpc: '2.0' as const, id, method: 'tools/call', params: { name: 'echo', _meta: meta } }
    const response = await transport.handleMessage(message, { request })
    return response.text()
  }
  expect(await serveOne(0)).toContain('"text":"ok"')
  for (let i = 1; i < 5_000; i++) await serveOne(i) // warm up: compiled code, pools, the one series
  const before = await settledHeap()
  for (let i = 0; i < 100_000; i++) await serveOne(i)
  const growth = (await settledHeap()) - before
  process.stderr.write(`heap growth over 100 000 instrumented instances: ${(growth / 1024).toFixed(0)} KiB\n`)
  expect(growth).toBeLessThan(4 * 1024 * 1024)
  await recording.metrics.flush()
  expect(total(recording.collector.points(), 'mcp.tool.calls', { tool: 'echo', outcome: 'ok', client: 'heap-client', transport: 'http' })).toBe(105_000)
  await recording.close()
}, 180_000)
