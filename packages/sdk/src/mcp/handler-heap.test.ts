// Stateless HTTP builds a server instance per request: instrumenting one must cost O(1) and keep nothing once
// the instance is gone, and neither may the wrapped handler. 100 000 requests through SDK v2's
// createMcpHandler(factory), wrapped by instrumentHandler, called on its fetch face with in-process web
// `Request`s (no sockets): each builds an instrumented instance with a tool and is served one tools/call,
// every tenth refused before any instance for a missing Mcp-Name header. The heap after GC is where it was,
// and every request was counted, served and refused apart.
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server'
import { expect, it } from 'vitest'
import { total } from '../../test/collector'
import { startRecording } from '../../test/mcp/recording'
import { instrument, instrumentHandler } from '../mcp'

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

const META = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientInfo': { name: 'heap-client', version: '1.0.0' },
  'io.modelcontextprotocol/clientCapabilities': {},
}
const HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
  'user-agent': 'heap-agent/0',
  'mcp-protocol-version': '2026-07-28',
  'mcp-method': 'tools/call',
}

it('100 000 requests through an instrumented createMcpHandler leave the heap flat', async () => {
  const recording = await startRecording('heap')
  const handler = instrumentHandler(
    createMcpHandler(() => {
      const server = new McpServer({ name: 'heap', version: '1.0.0' })
      instrument(server, recording.metrics)
      server.registerTool('echo', { description: 'echoes' }, async () => ({ content: [{ type: 'text', text: 'ok' }] }))
      return server
    }),
    recording.metrics,
  )
  const serveOne = async (id: number) => {
    const refused = id % 10 === 0 // no Mcp-Name: the entry refuses it, no instance is built
    const headers = refused ? HEADERS : { ...HEADERS, 'mcp-name': 'echo' }
    const body = JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'echo', _meta: META } })
    const response = await handler.fetch(new Request('http://127.0.0.1/mcp', { method: 'POST', headers, body }))
    return `${response.status} ${await response.text()}`
  }
  expect(await serveOne(1)).toContain('"text":"ok"')
  expect(await serveOne(10)).toMatch(/^400 .*-32020/)
  for (let i = 2; i < 5_000; i++) await serveOne(i) // warm up: compiled code, pools, the series
  // Flat: the second 50 000 add next to nothing. A leak of an instance, a request or a closure per request (a
  // kilobyte or more) would show as 50 MB there; the 6 MiB allowed is for what a busy machine moves around (the
  // JIT's code and feedback, the SDK's own caches: a quiet run measured 61–73 KiB, a loaded one 3.4 MB). The first
  // half may still settle caches that grow with traffic once (the timers' sketches), hence a looser bound overall.
  const before = await settledHeap()
  for (let i = 0; i < 50_000; i++) await serveOne(i)
  const middle = await settledHeap()
  for (let i = 50_000; i < 100_000; i++) await serveOne(i)
  const after = await settledHeap()
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`
  process.stderr.write(`heap growth through createMcpHandler: ${kib(middle - before)} over the first 50 000 requests, ${kib(after - middle)} over the next\n`)
  expect(after - middle).toBeLessThan(6 * 1024 * 1024)
  expect(after - before).toBeLessThan(12 * 1024 * 1024)
  await recording.metrics.flush()
  const points = recording.collector.points()
  const tags = { client: 'heap-client', client_version: '1.0.0', protocol: '2026-07-28', transport: 'http' }
  expect(total(points, 'mcp.tool.calls', { tool: 'echo', outcome: 'ok', ...tags })).toBe(94_500)
  expect(total(points, 'mcp.requests', { method: 'tools/call', outcome: 'ok', ...tags })).toBe(94_500)
  expect(total(points, 'mcp.requests', { method: 'tools/call', outcome: 'client_error', error_type: '-32020', ...tags })).toBe(10_500)
  expect(total(points, 'mcp.requests')).toBe(105_000)
  await handler.close()
  await recording.close()
}, 600_000)
