// Property tests of `@mcpdir/metrics/mcp`'s instrument* functions: given anything, none throws, nothing is
// written to stdout, and the requests a server really answers are counted exactly however much garbage
// crosses its transport beside them (recorded through the SDK's real send path into a local collector).
import fc from 'fast-check'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { type Collector, startCollector, total } from '../test/collector'
import { createMetrics } from './create-metrics'
import { HOST_ERROR, junk } from './hostile-values.test-helpers'
import { instrument, instrumentHandler, instrumentTransport } from './mcp'

let collector: Collector
let stdout: ReturnType<typeof vi.spyOn>
beforeAll(async () => {
  collector = await startCollector()
})
afterAll(() => collector.close())
beforeEach(() => {
  stdout = vi.spyOn(process.stdout, 'write')
})
afterEach(() => {
  expect(stdout).not.toHaveBeenCalled()
  stdout.mockRestore()
})

let runs = 0
function connect() {
  const serverId = `mcp-prop-${++runs}`
  const metrics = createMetrics({ serverId, apiKey: 'k', endpoint: collector.url, flushIntervalMs: 3_600_000, handleProcessEvents: false, spool: false, env: {} })
  const points = () => [...collector.accepted.values()].filter((b) => b.serverId === serverId).flatMap((b) => b.points)
  return { metrics, points }
}

/** A transport as MCP SDKs shape one: `send`, and `onmessage` / `onclose` set by the server at connect. */
function fakeTransport() {
  return {
    onmessage: undefined as ((message: unknown, extra?: unknown) => void) | undefined,
    onclose: undefined as (() => void) | undefined,
    async start() {},
    async send(_message: unknown, _options?: unknown) {},
  }
}

const op = fc.oneof(
  { weight: 2, arbitrary: fc.record({ t: fc.constant('call' as const), tool: fc.constantFrom('alpha', 'beta'), isError: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('in' as const), message: junk, extra: junk }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('out' as const), message: junk }) },
)

describe('@mcpdir/metrics/mcp with arbitrary values (property)', () => {
  it('instrument, instrumentHandler and instrumentTransport never throw, and hand back what they were given', () => {
    fc.assert(
      fc.property(junk, junk, (target, metrics) => {
        expect(() => instrument(target as never, metrics as never)).not.toThrow()
        expect(instrumentHandler(target as never, metrics as never)).toBe(target)
        expect(instrumentTransport(target as never, metrics as never)).toBe(target)
      }),
      { numRuns: 300 },
    )
  })

  it('counts every answered tools/call exactly, whatever else crosses the transport', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 40 }), async (ops) => {
        const { metrics, points } = connect()
        const transport = fakeTransport()
        const server = {
          transport: undefined as unknown,
          async connect(t: ReturnType<typeof fakeTransport>) {
            this.transport = t
            t.onmessage = () => {} // the host's dispatcher
            await t.start()
          },
        }
        instrument({ server } as never, metrics)
        await server.connect(transport)
        const want = new Map<string, number>()
        for (const [i, o] of ops.entries()) {
          if (o.t === 'call') {
            const id = `call-${i}`
            transport.onmessage?.({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: o.tool, arguments: {} } })
            await transport.send({ jsonrpc: '2.0', id, result: { content: [], ...(o.isError && { isError: true }) } })
            const key = `${o.tool}|${o.isError ? 'tool_error' : 'ok'}`
            want.set(key, (want.get(key) ?? 0) + 1)
          } else if (o.t === 'in') {
            expect(() => transport.onmessage?.(o.message, o.extra)).not.toThrow()
          } else {
            await expect(transport.send(o.message)).resolves.toBeUndefined()
          }
        }
        await metrics.shutdown()
        for (const tool of ['alpha', 'beta']) {
          for (const outcome of ['ok', 'tool_error']) {
            expect(total(points(), 'mcp.tool.calls', { tool, outcome }), `${tool} ${outcome}`).toBe(want.get(`${tool}|${outcome}`) ?? 0)
          }
        }
        const calls = [...want.values()].reduce((a, b) => a + b, 0)
        expect(total(points(), 'mcp.requests', { method: 'tools/call' })).toBe(calls)
      }),
      { numRuns: 40 },
    )
  })

  it('passes anything through an instrumented handler and transport untouched, never throwing', async () => {
    await fc.assert(
      fc.asyncProperty(junk, junk, junk, async (request, extra, message) => {
        const { metrics } = connect()
        const answer = new Response('{}')
        const handler = instrumentHandler({ fetch: async (..._args: unknown[]) => answer }, metrics)
        await expect(handler.fetch(request as Request, extra as never)).resolves.toBe(answer)
        const failing = instrumentHandler({ fetch: async (..._args: unknown[]): Promise<Response> => { throw HOST_ERROR } }, metrics)
        await expect(failing.fetch(request as Request, extra as never)).rejects.toBe(HOST_ERROR)
        const transport = instrumentTransport(fakeTransport(), metrics)
        transport.onmessage = () => {}
        await transport.start()
        expect(() => transport.onmessage?.(message, extra)).not.toThrow()
        await expect(transport.send(message, extra)).resolves.toBeUndefined()
        expect(() => transport.onclose?.()).not.toThrow()
        await metrics.shutdown()
      }),
      { numRuns: 100 },
    )
  })
})
