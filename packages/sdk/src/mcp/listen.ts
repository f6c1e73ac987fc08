// `subscriptions/listen` answered by SDK v2's entries themselves: `createMcpHandler` serves it from its own
// listen router and `serveStdio` from its connection's, before any server instance sees the request, so the
// instance's transport never carries it. These watch the entry's own face instead (the handler's `fetch`, the
// stdio entry's wire transport) and record that one method, from the request to the end of the subscription.
import type { Metrics } from '../create-metrics'
import { MCP_OUTCOME, type McpTransport } from '../protocol/index'
import { type Ending, ending, httpIdentity, type Message, requestClient, requestProtocol } from './classify'
import { MAX_PENDING, now, recordRequest } from './observe'

export const LISTEN = 'subscriptions/listen'
const CANCELLED: Ending = { outcome: MCP_OUTCOME.cancelled }
const FAILED: Ending = { outcome: MCP_OUTCOME.error, errorType: '_OTHER' }
/** Larger listen bodies are not read (a listen request is a few hundred bytes). */
const MAX_BODY = 64 * 1024
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

/** Reads at most `MAX_BODY` bytes of a request's body from a clone, leaving the request itself unread. */
async function peekBody(request: Request): Promise<unknown> {
  if (request.bodyUsed || !request.body) return undefined
  const reader = (request.clone().body as ReadableStream<Uint8Array>).getReader()
  const decoder = new TextDecoder()
  let text = ''
  let size = 0
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      size += value.byteLength
      if (size > MAX_BODY) return undefined
      text += decoder.decode(value, { stream: true })
    }
  } finally {
    reader.cancel().catch(() => {})
  }
  return JSON.parse(text + decoder.decode()) as unknown
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

/** A `fetch` face: `createMcpHandler`'s, or any handler serving MCP over HTTP from web-standard requests. */
export type FetchHandler = (request: Request, ...rest: never[]) => Promise<Response>

const WRAPPED = Symbol.for('mcpdir.metrics.listen')

/** Wraps a handler's `fetch` in place so that the `subscriptions/listen` requests it serves itself are recorded. */
export function watchFetch(handler: { fetch: FetchHandler }, metrics: Metrics): void {
  const fetch = handler.fetch as FetchHandler & { [WRAPPED]?: true }
  if (typeof fetch !== 'function' || fetch[WRAPPED]) return
  const wrapped = async function (this: unknown, request: Request, ...rest: never[]): Promise<Response> {
    let message: (Message & { id: string | number }) | undefined
    let end: ((how: Ending) => void) | undefined
    try {
      if (request.method.toUpperCase() === 'POST' && request.headers.get('mcp-method') === LISTEN) {
        const parsed = record(rest[0])?.parsedBody
        message = listenRequest(parsed !== undefined ? parsed : await peekBody(request).catch(() => undefined))
        if (message) end = start(metrics, message, 'http', request)
      }
    } catch {
      end = undefined // never break the host
    }
    if (!end || !message) return fetch.call(this, request, ...rest)
    let response: Response
    try {
      response = await fetch.call(this, request, ...rest)
    } catch (error) {
      end(FAILED)
      throw error
    }
    try {
      const type = response.headers.get('content-type') ?? ''
      if (response.body && type.includes('text/event-stream')) return watchStream(response, response.body, message.id, end)
      watchAnswer(response, message.id, end)
    } catch {
      // never break the host
    }
    return response
  }
  Object.defineProperty(wrapped, WRAPPED, { value: true })
  handler.fetch = wrapped
}

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
