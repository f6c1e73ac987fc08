// `subscriptions/listen` answered by SDK v2's entries themselves: `createMcpHandler` serves it from its own
// listen router and `serveStdio` from its connection's, before any server instance sees the request, so the
// instance's transport never carries it. These watch the entry's own face instead (the handler's `fetch`, through
// handler.ts, and the stdio entry's wire transport) and record that one method, from the request to the end of
// the subscription.
import type { Metrics } from '../create-metrics'
import { MCP_OUTCOME, type McpTransport } from '../protocol/index'
import { type Ending, ending, httpIdentity, type Message, requestClient, requestProtocol } from './classify'
import { readJson } from './exchange'
import { MAX_PENDING, now, recordRequest } from './observe'

export const LISTEN = 'subscriptions/listen'
const CANCELLED: Ending = { outcome: MCP_OUTCOME.cancelled }
const FAILED: Ending = { outcome: MCP_OUTCOME.error, errorType: '_OTHER' }
/** An SSE event larger than this is skipped, not buffered. */
const MAX_EVENT = 1024 * 1024

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined
}

/**
 * A `subscriptions/listen` request the entry serves: one claiming the 2026-07-28 envelope in its `_meta`. One
 * without it goes to an instance (legacy) or is refused as such; that is not this method's series.
 */
function listenRequest(value: unknown): (Message & { id: string | number }) | undefined {
  const message = record(value) as Message | undefined
  if (message?.method !== LISTEN || (typeof message.id !== 'string' && typeof message.id !== 'number')) return undefined
  return requestProtocol(message, undefined) === undefined ? undefined : (message as Message & { id: string | number })
}

/** Starts timing one listen request; the returned function records it once, however it ended. */
function start(metrics: Metrics, message: Message, transport: McpTransport, httpRequest?: Request): (how: Ending) => void {
  const began = now()
  let client = requestClient(message)
  if (!client && httpRequest) client = httpIdentity({ request: httpRequest }).client
  const request = { method: LISTEN, kind: undefined, target: undefined, client, protocol: requestProtocol(message, undefined), transport }
  let ended = false
  return (how) => {
    if (ended) return
    ended = true
    try {
      recordRequest(metrics, request, how, now() - began)
    } catch {
      // never break the host
    }
  }
}

/** The answer to request `id` in a JSON-RPC message, or batch, if there is one. */
function answerTo(value: unknown, id: string | number): Ending | undefined {
  for (const item of Array.isArray(value) ? value : [value]) {
    const message = record(item) as Message | undefined
    if (message && message.method === undefined && message.id === id && (message.result !== undefined || message.error !== undefined)) {
      return ending(message, LISTEN, 0, false)
    }
  }
  return undefined
}

/** Finds the answer to `id` in an SSE stream, chunk by chunk. */
function sseScanner(id: string | number): (chunk: Uint8Array) => Ending | undefined {
  const decoder = new TextDecoder()
  let line = ''
  let data = ''
  return (chunk) => {
    const lines = (line + decoder.decode(chunk, { stream: true })).split('\n')
    line = lines.pop() ?? ''
    if (line.length > MAX_EVENT) line = ''
    for (const raw of lines) {
      const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw
      if (text === '') {
        const event = data
        data = ''
        if (event === '') continue
        try {
          const answer = answerTo(JSON.parse(event), id)
          if (answer) return answer
        } catch {
          // not JSON-RPC: not ours
        }
      } else if (text.startsWith('data:') && data.length < MAX_EVENT) {
        data += (data === '' ? '' : '\n') + text.slice(text.startsWith('data: ') ? 6 : 5)
      }
    }
    return undefined
  }
}

/** Passes the listen stream through unchanged, ending the request at its answer, its end or its cancel. */
function watchStream(response: Response, body: ReadableStream<Uint8Array>, id: string | number, end: (how: Ending) => void): Response {
  const reader = body.getReader()
  const scan = sseScanner(id)
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      let chunk: ReadableStreamReadResult<Uint8Array>
      try {
        chunk = await reader.read()
      } catch (error) {
        end(FAILED)
        controller.error(error)
        return
      }
      if (chunk.done) {
        end(CANCELLED) // closed without its answer: the client went away (an answer already ended it)
        controller.close()
        return
      }
      try {
        const answer = scan(chunk.value)
        if (answer) end(answer)
      } catch {
        // never break the host
      }
      controller.enqueue(chunk.value)
    },
    cancel(reason) {
      end(CANCELLED)
      return reader.cancel(reason)
    },
  })
  return new Response(stream, { status: response.status, statusText: response.statusText, headers: response.headers })
}

/** Ends the request at a plain (non-stream) answer: the refusals, in a JSON-RPC error, or a bare status. */
function watchAnswer(response: Response, id: string | number, end: (how: Ending) => void): void {
  const bare: Ending = response.status >= 500 ? FAILED : response.status >= 400 ? { outcome: MCP_OUTCOME.clientError, errorType: String(response.status) } : { outcome: MCP_OUTCOME.ok }
  if (!response.body) return end(bare)
  response
    .clone()
    .text()
    .then(
      (text) => {
        let answer: Ending | undefined
        try {
          answer = answerTo(JSON.parse(text), id)
        } catch {
          // not JSON-RPC
        }
        end(answer ?? bare)
      },
      () => end(FAILED),
    )
}

/** A `subscriptions/listen` request `createMcpHandler` is about to serve, timed until its subscription ends. */
export interface ListenWatch {
  id: string | number
  end: (how: Ending) => void
}

/**
 * The listen request in an HTTP request, known by its `Mcp-Method` header; its small JSON body is read from
 * `parsedBody` or a clone, so the handler still reads it. Starts timing it.
 */
export async function listenOf(metrics: Metrics, request: Request, options: unknown): Promise<ListenWatch | undefined> {
  if (request.method.toUpperCase() !== 'POST' || request.headers.get('mcp-method') !== LISTEN) return undefined
  const parsed = record(options)?.parsedBody
  const message = listenRequest(parsed !== undefined ? parsed : await readJson(request.bodyUsed ? null : request.clone().body))
  return message ? { id: message.id, end: start(metrics, message, 'http', request) } : undefined
}

/** Ends a listen at its answer: its SSE stream, passed through unchanged and watched, or a plain refusal. */
export function listenAnswered(watch: ListenWatch, response: Response): Response {
  const type = response.headers.get('content-type') ?? ''
  if (response.body && type.includes('text/event-stream')) return watchStream(response, response.body, watch.id, watch.end)
  watchAnswer(response, watch.id, watch.end)
  return response
}

/** The handler threw instead of answering a listen. */
export function listenFailed(watch: ListenWatch): void {
  watch.end(FAILED)
}

const WRAPPED = Symbol.for('mcpdir.metrics.listen')

type Wire = {
  onmessage?: (message: unknown, extra?: unknown) => void
  onclose?: () => void
  send: (message: unknown, options?: unknown) => Promise<void>
  start?: () => Promise<void>
  [WRAPPED]?: true
}

/**
 * Watches the wire transport of `serveStdio` (its public `transport` option): the entry sets the transport's
 * `onmessage` and `onclose`, then calls `start()`, and answers through `send()`.
 */
export function watchWire(transport: object, metrics: Metrics): void {
  const t = transport as Wire
  if (typeof t.send !== 'function' || t[WRAPPED]) return
  Object.defineProperty(t, WRAPPED, { value: true, configurable: true })
  const open = new Map<string | number, (how: Ending) => void>()
  const endOf = (id: unknown, how: Ending) => {
    if (typeof id !== 'string' && typeof id !== 'number') return
    const end = open.get(id)
    if (!end) return
    open.delete(id)
    end(how)
  }
  const send = t.send
  t.send = function (this: unknown, message, options) {
    try {
      const m = record(message) as Message | undefined
      if (m && m.method === undefined && m.id !== undefined && open.has(m.id)) {
        const answer = answerTo(m, m.id)
        if (answer) endOf(m.id, answer)
      }
    } catch {
      // never break the host
    }
    return send.call(this, message, options)
  }
  const hook = () => {
    const onmessage = t.onmessage
    t.onmessage = function (this: unknown, message, extra) {
      try {
        const listen = listenRequest(message)
        if (listen) {
          if (open.size >= MAX_PENDING) open.delete(open.keys().next().value as string | number)
          open.set(listen.id, start(metrics, listen, 'stdio'))
        } else {
          const m = record(message) as Message | undefined
          if (m?.method === 'notifications/cancelled' && m.id === undefined) endOf(m.params?.requestId, CANCELLED)
        }
      } catch {
        // never break the host
      }
      return onmessage?.call(this, message, extra)
    }
    const onclose = t.onclose
    t.onclose = function (this: unknown) {
      try {
        for (const id of [...open.keys()]) endOf(id, CANCELLED)
      } catch {
        // never break the host
      }
      return onclose?.call(this)
    }
  }
  const begin = t.start
  if (typeof begin !== 'function') return hook()
  let hooked = false
  t.start = function (this: unknown) {
    try {
      if (!hooked) hook()
      hooked = true
    } catch {
      // never break the host
    }
    return begin.call(this)
  }
}
