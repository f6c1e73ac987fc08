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
import { MAX_TAG_VALUE_LENGTH, MCP_METRICS, MCP_OUTCOME, MCP_TAG, type McpKind, type McpOutcome } from './protocol/index'

type Message = {
  id?: string | number
  method?: string
  params?: Record<string, unknown>
  result?: Record<string, unknown>
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

// The names (mcp.<kind>.calls / .duration), tags and outcomes are the protocol's (protocol/mcp-metrics.ts).
const KINDS: Record<string, { kind: McpKind; target?: (params: Record<string, unknown>) => unknown }> = {
  'tools/call': { kind: 'tool', target: (p) => p.name },
  'resources/read': { kind: 'resource', target: (p) => p.uri },
  'prompts/get': { kind: 'prompt', target: (p) => p.name },
  initialize: { kind: 'initialize' },
}

const INSTRUMENTED = Symbol.for('mcpdir.metrics.instrumented')
const MAX_PENDING = 10_000

/** Per-request context, visible to code the request's handler runs (through AsyncLocalStorage). */
interface RequestContext {
  /** McpServer turned a thrown error into an `isError` result: count it as `error`, not `tool_error`. */
  thrown: boolean
}

interface Pending {
  kind: McpKind
  target: string | undefined
  start: number
  context: RequestContext
}

interface ContextStorage {
  run<R>(store: RequestContext, fn: () => R): R
  getStore(): RequestContext | undefined
}

/** AsyncLocalStorage where the runtime has it (Node, Deno, Bun, Workers with node compat). */
function contextStorage(): ContextStorage | undefined {
  try {
    const get = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule
    const hooks = get?.('node:async_hooks') as { AsyncLocalStorage?: new () => ContextStorage } | undefined
    const Als = hooks?.AsyncLocalStorage ?? (globalThis as { AsyncLocalStorage?: new () => ContextStorage }).AsyncLocalStorage
    return Als ? new Als() : undefined
  } catch {
    return undefined
  }
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
    const storage = contextStorage()
    if ('server' in server && storage) markThrownToolErrors(server as McpServerLike & Record<string, unknown>, storage)

    const info = protocol._serverInfo as { version?: unknown } | undefined
    const client = metrics as Metrics & { setServerVersion?: (v: string) => void }
    if (typeof info?.version === 'string') client.setServerVersion?.(info.version)

    const connect = protocol.connect.bind(protocol) as (transport: TransportLike) => Promise<void>
    ;(protocol as { connect: (t: TransportLike) => Promise<void> }).connect = (transport) => {
      // Protocol.connect sets transport.onmessage, then calls start(): wrap its handler there.
      const t = transport as TransportLike & { start?: () => Promise<void> }
      const start = t.start?.bind(transport)
      if (start) {
        t.start = () => {
          observe(transport, metrics, storage)
          return start()
        }
      }
      return connect(transport)
    }
    if (protocol.transport) observe(protocol.transport, metrics, storage)
  } catch {
    // never break the host
  }
}

/**
 * McpServer catches what a tool throws and answers an `isError` result, indistinguishable on the wire from a
 * tool that returned one; it builds that result with `createToolError`, so note the call on the request.
 */
function markThrownToolErrors(mcp: Record<string, unknown>, storage: ContextStorage): void {
  const original = mcp.createToolError
  if (typeof original !== 'function') return
  mcp.createToolError = function (this: unknown, ...args: unknown[]) {
    const context = storage.getStore()
    if (context) context.thrown = true
    return original.apply(this, args)
  }
}

function observe(transport: TransportLike, metrics: Metrics, storage: ContextStorage | undefined): void {
  const t = transport as unknown as {
    onmessage?: (message: Message, extra?: unknown) => void
    send: (message: Message, options?: unknown) => Promise<void>
  }
  const pending = new Map<string | number, Pending>()
  let clientName = 'unknown'
  let clientVersion = 'unknown'
  const now = typeof performance !== 'undefined' ? () => performance.now() : () => Date.now()

  const incoming = (message: Message): RequestContext | undefined => {
    try {
      if (message.method === 'notifications/cancelled') {
        pending.delete(message.params?.requestId as string | number)
        return undefined
      }
      if (message.id === undefined || message.method === undefined) return undefined
      const spec = KINDS[message.method]
      if (!spec || pending.size >= MAX_PENDING) return undefined
      const params = message.params ?? {}
      if (spec.kind === 'initialize') {
        const info = params.clientInfo as { name?: unknown; version?: unknown } | undefined
        clientName = tagValue(info?.name)
        clientVersion = tagValue(info?.version)
      }
      const context: RequestContext = { thrown: false }
      pending.set(message.id, {
        kind: spec.kind,
        target: spec.target ? tagValue(spec.target(params)) : undefined,
        start: now(),
        context,
      })
      return context
    } catch {
      return undefined // never break the host
    }
  }

  const outgoing = (message: Message) => {
    try {
      if (message.id === undefined || message.method !== undefined) return
      const request = pending.get(message.id)
      if (!request) return
      pending.delete(message.id)
      const outcome: McpOutcome =
        message.error !== undefined || request.context.thrown
          ? MCP_OUTCOME.error
          : message.result?.isError === true
            ? MCP_OUTCOME.toolError
            : MCP_OUTCOME.ok
      const names = MCP_METRICS[request.kind]
      const tags: Record<string, string> = { [MCP_TAG.client]: clientName, [MCP_TAG.clientVersion]: clientVersion, [MCP_TAG.outcome]: outcome }
      if (request.target !== undefined && names.tag !== undefined) tags[names.tag] = request.target
      metrics.counter(names.calls, tags).inc()
      metrics.timer(names.duration, tags).record(now() - request.start)
    } catch {
      // never break the host
    }
  }

  // Protocol's handler runs inside the request's context, so the request's handler code sees it.
  const previous = t.onmessage
  t.onmessage = (message, extra) => {
    const context = incoming(message)
    if (context && storage) storage.run(context, () => previous?.(message, extra))
    else previous?.(message, extra)
  }
  const send = t.send.bind(transport)
  t.send = (message, options) => {
    outgoing(message)
    return send(message, options)
  }
}
