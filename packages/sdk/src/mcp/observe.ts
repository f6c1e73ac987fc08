// Watches one transport of an instrumented server: every request in, every response out, cancellations and
// the transport's close, and records each request once. Everything it keeps lives on the transport and goes
// with it: per-request server instances leave nothing behind.
import type { Metrics } from '../create-metrics'
import { MCP_METRICS, MCP_OUTCOME, MCP_REQUEST_METRICS, MCP_TAG, type McpKind, type McpTransport } from '../protocol/index'
import {
  type ClientInfo,
  type Ending,
  ending,
  httpIdentity,
  KINDS,
  type Message,
  requestClient,
  requestProtocol,
  resultServerVersion,
  tagValue,
  ToolRun,
  transportOf,
} from './classify'
import { markSeen } from './exchange'

/** What instrumenting one server instance keeps: O(1), plus the names of the tools registered after it. */
export interface Instance {
  readonly metrics: Metrics
  /** The tracker of the transport the instance is connected to now. */
  current: Tracker | undefined
  /** Tools whose callbacks are wrapped (registered after `instrument()`), by name. */
  tools: Set<string> | undefined
}

interface Pending {
  method: string
  kind: McpKind | undefined
  target: string | undefined
  start: number
  client: ClientInfo | undefined
  protocol: string | undefined
  transport: McpTransport
  run: ToolRun
}

/** Requests awaiting an answer on one transport; beyond it the oldest is forgotten (never answered). */
export const MAX_PENDING = 10_000
const TRACKER = Symbol.for('mcpdir.metrics.tracker')
export const now = typeof performance !== 'undefined' ? () => performance.now() : () => Date.now()
/** Metrics objects whose `restart` event already has the server's version. */
const versioned = new WeakSet<object>()

/** The requests of one transport, and what its `initialize` said (legacy sessions). */
export class Tracker {
  readonly pending = new Map<string | number, Pending>()
  private client: ClientInfo | undefined
  private protocol: string | undefined

  constructor(public instance: Instance) {}

  incoming(message: Message, extra: unknown): void {
    const method = message.method
    if (typeof method !== 'string') return
    if (message.id === undefined) {
      if (method === 'notifications/cancelled') this.end(message.params?.requestId as string | number, { outcome: MCP_OUTCOME.cancelled })
      return
    }
    const spec = KINDS[method]
    const transport = transportOf(extra)
    let client = requestClient(message)
    if (method === 'initialize' && client) this.client = client
    let protocol = requestProtocol(message, extra)
    if (transport === 'http' && ((!client && !this.client) || !protocol)) {
      const http = httpIdentity(extra)
      if (!this.client) client ??= http.client
      protocol ??= http.protocol
    }
    if (this.pending.size >= MAX_PENDING) this.pending.delete(this.pending.keys().next().value as string | number)
    const target = spec?.target ? message.params?.[spec.target] : undefined
    this.pending.set(message.id, {
      method,
      kind: spec?.kind,
      target: spec?.target ? tagValue(target) : undefined,
      start: now(),
      client,
      protocol,
      transport,
      run: ToolRun.None,
    })
  }

  outgoing(message: Message): void {
    if (message.id === undefined || message.method !== undefined) return
    const request = this.pending.get(message.id)
    if (!request) return
    const result = message.result
    if (request.method === 'initialize' && typeof result?.protocolVersion === 'string') this.protocol = tagValue(result.protocolVersion)
    const metrics = this.instance.metrics
    if (!versioned.has(metrics)) {
      const version = resultServerVersion(result)
      if (version !== undefined) {
        versioned.add(metrics)
        ;(metrics as Metrics & { setServerVersion?: (v: string) => void }).setServerVersion?.(version)
      }
    }
    const wrapped = request.target !== undefined && this.instance.tools?.has(request.target) === true
    this.end(message.id, ending(message, request.method, request.run, wrapped))
  }

  /** The transport closed: what is still pending will never be answered, the client went away. */
  closed(): void {
    for (const id of [...this.pending.keys()]) this.end(id, { outcome: MCP_OUTCOME.cancelled })
    if (this.instance.current === this) this.instance.current = undefined
  }

  private end(id: string | number, how: Ending): void {
    const request = this.pending.get(id)
    if (!request) return
    this.pending.delete(id)
    recordRequest(this.instance.metrics, request, how, now() - request.start, this.client, this.protocol)
  }
}

/** What one recorded request says about itself, whoever answered it. */
export interface RequestRecord {
  method: string
  kind: McpKind | undefined
  target: string | undefined
  client: ClientInfo | undefined
  protocol: string | undefined
  transport: McpTransport
}

/** Records one ended request: its kind's series, if any, and `mcp.requests` / `mcp.request.duration`. */
export function recordRequest(metrics: Metrics, request: RequestRecord, how: Ending, ms: number, sessionClient?: ClientInfo, sessionProtocol?: string): void {
  const client = request.client ?? sessionClient
  const tags: Record<string, string> = {
    [MCP_TAG.client]: client?.name ?? 'unknown',
    [MCP_TAG.clientVersion]: client?.version ?? 'unknown',
    [MCP_TAG.protocol]: request.protocol ?? sessionProtocol ?? 'unknown',
    [MCP_TAG.transport]: request.transport,
    [MCP_TAG.outcome]: how.outcome,
  }
  const names = request.kind ? MCP_METRICS[request.kind] : undefined
  if (names?.tag !== undefined && request.target !== undefined) tags[names.tag] = request.target
  if (names) {
    metrics.counter(names.calls, tags).inc()
    metrics.timer(names.duration, tags).record(ms)
  }
  tags[MCP_TAG.method] = how.unknownMethod ? 'other' : tagValue(request.method)
  if (how.errorType !== undefined) tags[MCP_TAG.errorType] = how.errorType
  metrics.counter(MCP_REQUEST_METRICS.calls, tags).inc()
  metrics.timer(MCP_REQUEST_METRICS.duration, tags).record(ms)
}

type Observed = {
  onmessage?: (message: Message, extra?: unknown) => void
  onclose?: () => void
  send: (message: Message, options?: unknown) => Promise<void>
  [TRACKER]?: Tracker
}

/** Wraps a connected transport's `onmessage`, `send` and `onclose` (public members of every MCP transport). */
export function observe(transport: object, instance: Instance): void {
  const t = transport as Observed
  if (typeof t.send !== 'function') return
  const existing = t[TRACKER]
  if (existing) {
    existing.instance = instance
    instance.current = existing
    return
  }
  const tracker = new Tracker(instance)
  Object.defineProperty(t, TRACKER, { value: tracker, configurable: true })
  instance.current = tracker
  const onmessage = t.onmessage
  t.onmessage = (message, extra) => {
    try {
      markSeen(extra)
      tracker.incoming(message, extra)
    } catch {
      // never break the host
    }
    onmessage?.(message, extra)
  }
  const send = t.send.bind(transport)
  t.send = (message, options) => {
    try {
      tracker.outgoing(message)
    } catch {
      // never break the host
    }
    return send(message, options)
  }
  const onclose = t.onclose
  t.onclose = () => {
    try {
      tracker.closed()
    } catch {
      // never break the host
    }
    onclose?.()
  }
}
