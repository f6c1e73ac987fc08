// Requests SDK v2's `createMcpHandler` refuses before any server instance handles them: a missing or
// mismatched `Mcp-*` header, an unsupported protocol version, an invalid `_meta` envelope, a body that is not
// JSON or not JSON-RPC, a Content-Type or Accept the entry (or its legacy leg's transport) does not take. The
// entry answers those itself with an HTTP error status and a JSON-RPC error, so no instrumented instance sees
// them. The wrapped `fetch` records each one it sees answered that way, unless an instance had the request.
import type { Metrics } from '../create-metrics'
import { MCP_OUTCOME } from '../protocol/index'
import { type Ending, httpIdentity, type Message, requestClient, requestProtocol } from './classify'
import { type Exchange, openExchange, readJson } from './exchange'
import { now, recordRequest } from './observe'

/** The `method` tag of a refused request whose body could not be read as one JSON-RPC request. */
export const UNKNOWN_METHOD = 'unknown'

/** The methods a client sends an MCP server (2025-11-25 and 2026-07-28): any other name is tagged `other`. */
const SERVER_METHODS = new Set([
  'initialize',
  'ping',
  'server/discover',
  'subscriptions/listen',
  'tools/list',
  'tools/call',
  'resources/list',
  'resources/templates/list',
  'resources/read',
  'resources/subscribe',
  'resources/unsubscribe',
  'prompts/list',
  'prompts/get',
  'completion/complete',
  'logging/setLevel',
  'tasks/get',
  'tasks/list',
  'tasks/result',
  'tasks/cancel',
  'tasks/update',
])

/** HTTP 499: the entry's answer when the client went away before its request was handled. */
const CLIENT_CLOSED = 499

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined
}

/**
 * How a refusal ended: by its HTTP status, `error_type` the JSON-RPC code in its body, else the status;
 * `cancelled` when the client had gone away before it was handled (the entry answers 499, or its legacy leg
 * 404 once the aborted request closed its transport).
 */
function refusalEnding(status: number, answer: unknown, aborted: boolean): Ending {
  if (status === CLIENT_CLOSED || aborted) return { outcome: MCP_OUTCOME.cancelled }
  const code = record(record(answer)?.error)?.code
  const errorType = typeof code === 'number' ? String(code) : String(status)
  return { outcome: status >= 500 ? MCP_OUTCOME.error : MCP_OUTCOME.clientError, errorType }
}

/** The handler threw instead of answering (createMcpHandler does once closed): the server's failure. */
const THREW: Ending = { outcome: MCP_OUTCOME.error, errorType: '_OTHER' }

/**
 * The request in a refused body: one JSON-RPC request (its method, `_meta`), `undefined` when the body is not
 * a request at all (a notification or a posted response: not counted, as instances never count them), and an
 * unnamed request when it cannot tell (unreadable, not JSON, not JSON-RPC, a batch).
 */
function refusedRequest(body: unknown, methodHeader: string | null): Message | undefined {
  const message = Array.isArray(body) ? undefined : (record(body) as Message | undefined)
  if (message && typeof message.method === 'string') {
    if (message.id === undefined) return undefined // a notification
    return message
  }
  if (message && message.method === undefined && (message.result !== undefined || message.error !== undefined)) return undefined
  return methodHeader ? { method: methodHeader } : {}
}

function methodTag(method: string | undefined): string {
  if (method === undefined) return UNKNOWN_METHOD
  return SERVER_METHODS.has(method) ? method : 'other'
}

async function recordRefusal(metrics: Metrics, request: Request, body: Promise<unknown>, ending: Promise<Ending>, ms: number): Promise<void> {
  const message = refusedRequest(await body, request.headers.get('mcp-method'))
  if (!message) return
  const http = httpIdentity({ request })
  const refused = {
    method: methodTag(message.method),
    kind: undefined,
    target: undefined,
    client: requestClient(message) ?? http.client,
    protocol: requestProtocol(message, undefined) ?? http.protocol,
    transport: 'http' as const,
  }
  recordRequest(metrics, refused, await ending, ms)
}

/** Watches one exchange that an instance has not answered yet: call `answered` or `threw` once. */
export interface RefusalWatch {
  answered(response: Response): void
  threw(): void
}

/**
 * Starts watching a POST for a refusal. The body is read later, only if it is refused: from `parsedBody` when
 * the adapter passed one, else from a copy taken now (dropped as soon as the request turns out served).
 */
export function watchRefusal(metrics: Metrics, request: Request, options: unknown): RefusalWatch | undefined {
  if (request.method.toUpperCase() !== 'POST') return undefined // GET / DELETE: session operations, not requests
  const began = now()
  const parsed = record(options)?.parsedBody
  const exchange: Exchange | undefined = openExchange(request)
  if (!exchange) return undefined
  const copy = parsed === undefined && request.body && !request.bodyUsed ? request.clone() : undefined
  const drop = () => void copy?.body?.cancel().catch(() => {})
  const refused = (ending: Promise<Ending>) => {
    const ms = now() - began
    const body = parsed !== undefined ? Promise.resolve(parsed) : readJson(copy?.body ?? null)
    recordRefusal(metrics, request, body, ending, ms).catch(() => {})
  }
  return {
    answered(response) {
      if (exchange.seen || response.status < 400) return drop()
      const answer = response.body ? readJson(response.clone().body) : Promise.resolve(undefined)
      const aborted = request.signal?.aborted === true
      refused(answer.then((json) => refusalEnding(response.status, json, aborted)))
    },
    threw() {
      if (exchange.seen) return drop()
      refused(Promise.resolve(THREW))
    },
  }
}
