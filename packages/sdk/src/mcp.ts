/**
 * `@mcpdir/metrics/mcp`: one-line instrumentation of an MCP server from `@modelcontextprotocol/sdk`.
 *
 * It watches JSON-RPC messages on the server's transport, so it sees every request whenever its handler was
 * registered, and adds nothing to any tool schema. Recorded per request, in milliseconds from request
 * receipt to response:
 *
 * | method | counter | timer | tag naming the target |
 * |---|---|---|---|
 * | `tools/call` | `mcp.tool.calls` | `mcp.tool.duration` | `tool` |
 * | `resources/read` | `mcp.resource.calls` | `mcp.resource.duration` | `resource` (the URI) |
 * | `prompts/get` | `mcp.prompt.calls` | `mcp.prompt.duration` | `prompt` |
 * | `initialize` | `mcp.initialize.calls` | `mcp.initialize.duration` | |
 *
 * Every series is also tagged `client` and `client_version` (from `initialize`) and `outcome`: `ok`, `error`
 * (the handler threw, or the response is a JSON-RPC error) or `tool_error` (a result with `isError: true`).
 * No arguments or results are recorded.
 *
 * @packageDocumentation
 */
import type { Metrics } from './create-metrics'
import { MAX_TAG_VALUE_LENGTH } from './protocol/index'

type Message = {
  id?: string | number
  method?: string
  params?: Record<string, unknown>
  result?: Record<string | symbol, unknown>
  error?: unknown
}

/** The transport side of an MCP server, structurally (no runtime dependency on the MCP SDK). */
export interface TransportLike {
  onmessage?: ((message: never, extra?: never) => void) | undefined
  send(message: never, options?: never): Promise<void>
}

/** A low-level `Server` (or any `Protocol`) from `@modelcontextprotocol/sdk`. */
export interface ServerLike {
  connect(transport: never): Promise<void>
  readonly transport?: TransportLike | undefined
}

/** An `McpServer` from `@modelcontextprotocol/sdk`. */
export interface McpServerLike {
  readonly server: ServerLike
}

const KINDS: Record<string, { kind: string; target?: (params: Record<string, unknown>) => unknown }> = {
  'tools/call': { kind: 'tool', target: (p) => p.name },
  'resources/read': { kind: 'resource', target: (p) => p.uri },
  'prompts/get': { kind: 'prompt', target: (p) => p.name },
  initialize: { kind: 'initialize' },
}

const INSTRUMENTED = Symbol.for('mcpdir.metrics.instrumented')
/** Marks a tool result McpServer built from a thrown error, so it counts as `error`, not `tool_error`. */
const THROWN = Symbol.for('mcpdir.metrics.thrown')
const MAX_PENDING = 10_000

interface Pending {
  kind: string
  target: string | undefined
  start: number
}

function tagValue(value: unknown): string {
  const text = typeof value === 'string' ? value : String(value ?? 'unknown')
  return text.replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, MAX_TAG_VALUE_LENGTH) || 'unknown'
}

/**
 * Instruments an `McpServer` or a low-level `Server`: call it once, before or after `connect()` and before
 * or after registering tools. Never throws; a server it cannot instrument is left as it was.
 */
export function instrument(server: McpServerLike | ServerLike, metrics: Metrics): void {
  try {
    const protocol = ('server' in server ? server.server : server) as ServerLike & Record<PropertyKey, unknown>
    if (!protocol || typeof protocol.connect !== 'function' || protocol[INSTRUMENTED]) return
    protocol[INSTRUMENTED] = true
    if ('server' in server) markThrownToolErrors(server as McpServerLike & Record<string, unknown>)

    const info = protocol._serverInfo as { version?: unknown } | undefined
    const client = metrics as Metrics & { setServerVersion?: (v: string) => void }
    if (typeof info?.version === 'string') client.setServerVersion?.(info.version)

    const connect = protocol.connect.bind(protocol) as (transport: TransportLike) => Promise<void>
    ;(protocol as { connect: (t: TransportLike) => Promise<void> }).connect = (transport) => {
      observe(transport, metrics)
      return connect(transport)
    }
    if (protocol.transport) observe(protocol.transport, metrics)
  } catch {
    // never break the host
  }
}

/** McpServer turns a thrown tool error into an `isError` result; tag those results so they count as errors. */
function markThrownToolErrors(mcp: Record<string, unknown>): void {
  const original = mcp.createToolError
  if (typeof original !== 'function') return
  mcp.createToolError = function (this: unknown, ...args: unknown[]) {
    const result = original.apply(this, args) as object
    if (result && typeof result === 'object') Object.defineProperty(result, THROWN, { value: true })
    return result
  }
}

function observe(transport: TransportLike, metrics: Metrics): void {
  const t = transport as unknown as {
    onmessage?: (message: Message, extra?: unknown) => void
    send: (message: Message, options?: unknown) => Promise<void>
  }
  const pending = new Map<string | number, Pending>()
  let clientName = 'unknown'
  let clientVersion = 'unknown'
  const now = typeof performance !== 'undefined' ? () => performance.now() : () => Date.now()

  const incoming = (message: Message) => {
    try {
      if (message.method === 'notifications/cancelled') {
        pending.delete(message.params?.requestId as string | number)
        return
      }
      if (message.id === undefined || message.method === undefined) return
      const spec = KINDS[message.method]
      if (!spec || pending.size >= MAX_PENDING) return
      const params = message.params ?? {}
      if (spec.kind === 'initialize') {
        const info = params.clientInfo as { name?: unknown; version?: unknown } | undefined
        clientName = tagValue(info?.name)
        clientVersion = tagValue(info?.version)
      }
      pending.set(message.id, { kind: spec.kind, target: spec.target ? tagValue(spec.target(params)) : undefined, start: now() })
    } catch {
      // never break the host
    }
  }

  const outgoing = (message: Message) => {
    try {
      if (message.id === undefined || message.method !== undefined) return
      const request = pending.get(message.id)
      if (!request) return
      pending.delete(message.id)
      const outcome =
        message.error !== undefined || message.result?.[THROWN] === true
          ? 'error'
          : message.result?.isError === true
            ? 'tool_error'
            : 'ok'
      const tags: Record<string, string> = { client: clientName, client_version: clientVersion, outcome }
      if (request.target !== undefined) tags[request.kind] = request.target
      metrics.counter(`mcp.${request.kind}.calls`, tags).inc()
      metrics.timer(`mcp.${request.kind}.duration`, tags).record(now() - request.start)
    } catch {
      // never break the host
    }
  }

  // Before connect, Protocol.connect keeps this handler and calls it first for every message; after
  // connect, this wraps Protocol's own handler.
  const previous = t.onmessage
  t.onmessage = (message, extra) => {
    incoming(message)
    previous?.(message, extra)
  }
  const send = t.send.bind(transport)
  t.send = (message, options) => {
    outgoing(message)
    return send(message, options)
  }
}
