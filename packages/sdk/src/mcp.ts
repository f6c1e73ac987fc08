/**
 * `@mcpdir/metrics/mcp`: one-line instrumentation of an MCP server, from the MCP TypeScript SDK v2
 * (`@modelcontextprotocol/server`) or v1 (`@modelcontextprotocol/sdk`), over stdio or HTTP.
 *
 * It watches the JSON-RPC messages on the server's transport, so it sees every request whenever its handler
 * was registered, and adds nothing to any tool schema. Recorded per request, in milliseconds from request
 * receipt to response:
 *
 * | method | counter | timer | tag naming the target |
 * |---|---|---|---|
 * | every method | `mcp.requests` | `mcp.request.duration` | `method`, and the target's tag below |
 * | `tools/call` | `mcp.tool.calls` | `mcp.tool.duration` | `tool` |
 * | `resources/read` | `mcp.resource.calls` | `mcp.resource.duration` | `resource` (the URI) |
 * | `prompts/get` | `mcp.prompt.calls` | `mcp.prompt.duration` | `prompt` |
 * | `initialize` | `mcp.initialize.calls` | `mcp.initialize.duration` | |
 *
 * Every series is also tagged `client` and `client_version` (from the request's `_meta` in 2026-07-28
 * sessions, from `initialize` in legacy ones, else from the HTTP request's User-Agent), `protocol` (the
 * negotiated revision), `transport` (`stdio` or `http`) and `outcome`: `ok`, `tool_error` (the tool answered
 * `isError: true`), `error` (the server failed: the handler threw, an internal error), `client_error` (the
 * request was wrong: unknown method or tool, invalid params, resource not found, …) or `cancelled`.
 * `mcp.requests` also carries `error_type`, OpenTelemetry's `error.type`. No arguments or results are
 * recorded.
 *
 * SDK v2's entries answer some requests themselves, before any instance sees them: `subscriptions/listen`, and
 * (`createMcpHandler`) the requests they refuse. Count those with {@link instrumentHandler} (`createMcpHandler`)
 * and {@link instrumentTransport} (`serveStdio`'s `transport`).
 *
 * @packageDocumentation
 */
import type { Metrics } from './create-metrics'
import { type FetchHandler, watchFetch } from './mcp/handler'
import { watchWire } from './mcp/listen'
import { type Instance, observe } from './mcp/observe'
import { wrapToolRegistration } from './mcp/tools'

/** The transport side of an MCP server, structurally (no runtime dependency on the MCP SDK). */
export interface TransportLike {
  onmessage?: ((message: never, extra?: never) => void) | undefined
  send(message: never, options?: never): Promise<void>
}

/** A low-level `Server` (or any `Protocol`) from `@modelcontextprotocol/server` (v2) or `@modelcontextprotocol/sdk` (v1). */
export interface ServerLike {
  connect(transport: never): Promise<void>
  readonly transport?: TransportLike | undefined
}

/** An `McpServer` from `@modelcontextprotocol/server` (v2) or `@modelcontextprotocol/sdk` (v1). */
export interface McpServerLike {
  readonly server: ServerLike
}

export type { FetchHandler }

const INSTANCE = Symbol.for('mcpdir.metrics.instrumented')

type Connectable = {
  connect: (transport: object) => Promise<void>
  readonly transport?: object | undefined
  [INSTANCE]?: Instance
}

/**
 * Instruments an `McpServer` or a low-level `Server` of either SDK major. Call it once per instance, right
 * after constructing it: in a factory (`serveStdio(factory)`, `createMcpHandler(factory)`) that is once per
 * instance the factory builds; it costs O(1) and keeps nothing once the instance is gone. Tools registered
 * after it are told apart precisely (a tool that threw is `error`, one that answered `isError` is
 * `tool_error`, one refused before it ran is `client_error`); tools registered before it are still counted,
 * their `isError` results as `tool_error`. Never throws; a server it cannot instrument is left as it was.
 *
 * @param server - The `McpServer` or `Server` to watch, connected or not.
 * @param metrics - Where to record, from `createMetrics()`.
 */
export function instrument(server: McpServerLike | ServerLike, metrics: Metrics): void {
  try {
    const mcp = typeof server === 'object' && server !== null && 'server' in server ? (server as McpServerLike & Record<string, unknown>) : undefined
    const protocol = (mcp ? mcp.server : server) as unknown as Connectable | undefined
    if (!protocol || typeof protocol.connect !== 'function' || protocol[INSTANCE]) return
    const instance: Instance = { metrics, current: undefined, tools: undefined }
    Object.defineProperty(protocol, INSTANCE, { value: instance, configurable: true })
    if (mcp) wrapToolRegistration(mcp, instance)
    const connect = protocol.connect
    protocol.connect = function (this: unknown, transport: object) {
      const started = watchStart(transport, instance)
      const connecting = connect.call(this, transport)
      return started ? connecting : connecting.then(() => watchConnected(transport, instance))
    }
    if (protocol.transport) observe(protocol.transport, instance)
  } catch {
    // never break the host
  }
}

/** `connect()` sets the transport's callbacks, then calls `start()`: observe there, before any message. */
function watchStart(transport: object, instance: Instance): boolean {
  try {
    const t = transport as { start?: () => Promise<void> }
    const start = t.start
    if (typeof start !== 'function') return false
    const own = Object.prototype.hasOwnProperty.call(t, 'start')
    t.start = function (this: unknown) {
      if (own) t.start = start
      else delete t.start
      watchConnected(transport, instance)
      return start.call(this)
    }
    return true
  } catch {
    return false // never break the host
  }
}

function watchConnected(transport: object, instance: Instance): void {
  try {
    observe(transport, instance)
  } catch {
    // never break the host
  }
}

/**
 * Counts what `createMcpHandler(factory)` (SDK v2, stateless HTTP) answers itself, before any instance exists to
 * see it. Wraps the handler's `fetch` in place and returns the handler, so `toNodeHandler(handler)`, a Hono
 * route calling `handler.fetch(c.req.raw, …)` and other adapters calling `handler.fetch` are covered.
 *
 * - `subscriptions/listen` (known by its `Mcp-Method` header; its small body is read from a clone or
 *   `parsedBody`), served by the entry's listen router: recorded once, timed from the request to the end of the
 *   subscription: `ok` when the server closed it gracefully (`handler.close()`, or a filter it honored none
 *   of), `cancelled` when the client closed it or went away, `client_error` / `error` when it was refused.
 * - Requests the entry (or its legacy leg's transport) refuses before any instance handles them: a missing or
 *   mismatched `Mcp-*` header, an unsupported protocol version, an invalid `_meta` envelope, a body that is not
 *   JSON or not JSON-RPC, a Content-Type or Accept it does not take. A POST answered with an HTTP error status
 *   that no instrumented instance received is recorded once: `client_error` for a 4xx, `error` for a 5xx (or
 *   a handler that threw, `error_type` `_OTHER`), `cancelled` for 499 (the client left before it was
 *   handled), `error_type` the JSON-RPC code of the answer (else the
 *   status); `method` the request's (`other` for a name that is no MCP method, `unknown` when the body is not
 *   one JSON-RPC request); client and protocol from its `_meta` (or `initialize`), else the User-Agent and
 *   `MCP-Protocol-Version` header. The body is read only then, from `parsedBody` or a copy taken up front.
 *   Refused notifications and posted responses are not requests and are not counted, nor are GET / DELETE.
 *
 * Only `mcp.requests` / `mcp.request.duration` are recorded (`transport` `http`), never a tool's series.
 * Still instrument each instance the factory builds with {@link instrument}: what an instance receives it
 * records, and the wrapper leaves it alone, so no request is counted twice. Never throws.
 *
 * @param handler - What `createMcpHandler()` returned (anything with a web-standard `fetch`).
 * @param metrics - Where to record, from `createMetrics()`.
 * @returns The same handler.
 */
export function instrumentHandler<H extends { fetch: FetchHandler }>(handler: H, metrics: Metrics): H {
  try {
    watchFetch(handler, metrics)
  } catch {
    // never break the host
  }
  return handler
}

/**
 * Counts the `subscriptions/listen` requests `serveStdio(factory)` (SDK v2) answers itself, through its public
 * `transport` option: `serveStdio(factory, { transport: instrumentTransport(new StdioServerTransport(), metrics) })`.
 * Only that method is recorded from the wire (the instances record the rest), once per subscription, timed from
 * the request to its end: `ok` when the server closed it (`handle.close()`), `cancelled` when the client
 * cancelled it or closed the connection, `client_error` / `error` when it was refused. Returns the same
 * transport. Never throws.
 *
 * @param transport - The transport `serveStdio` is to own, before passing it.
 * @param metrics - Where to record, from `createMetrics()`.
 */
export function instrumentTransport<T extends object>(transport: T, metrics: Metrics): T {
  try {
    watchWire(transport, metrics)
  } catch {
    // never break the host
  }
  return transport
}
