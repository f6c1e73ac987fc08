// `instrumentHandler`'s wrapper around a web-standard `fetch` face (`createMcpHandler`'s, reached directly or
// through a thin adapter such as `toNodeHandler` or a Hono route): it records what the entry answers without
// any instance, the `subscriptions/listen` requests (listen.ts) and the requests it refuses (refusals.ts).
// Everything else passes through, counted by the instrumented instances.
import type { Metrics } from '../create-metrics'
import { listenAnswered, listenFailed, listenOf, type ListenWatch } from './listen'
import { type RefusalWatch, watchRefusal } from './refusals'

/** A `fetch` face: `createMcpHandler`'s, or any handler serving MCP over HTTP from web-standard requests. */
export type FetchHandler = (request: Request, ...rest: never[]) => Promise<Response>

/** The same key the listen-only wrapper used: a handler is never wrapped twice, whichever wrapped it. */
const WRAPPED = Symbol.for('mcpdir.metrics.listen')

/** Wraps a handler's `fetch` in place. Idempotent; never throws into the handler's caller beyond what it threw. */
export function watchFetch(handler: { fetch: FetchHandler }, metrics: Metrics): void {
  const fetch = handler.fetch as FetchHandler & { [WRAPPED]?: true }
  if (typeof fetch !== 'function' || fetch[WRAPPED]) return
  const wrapped = async function (this: unknown, request: Request, ...rest: never[]): Promise<Response> {
    let listen: ListenWatch | undefined
    let refusal: RefusalWatch | undefined
    try {
      listen = await listenOf(metrics, request, rest[0])
      if (!listen) refusal = watchRefusal(metrics, request, rest[0])
    } catch {
      listen = undefined // never break the host
      refusal = undefined
    }
    let response: Response
    try {
      response = await fetch.call(this, request, ...rest)
    } catch (error) {
      try {
        if (listen) listenFailed(listen)
        else refusal?.threw()
      } catch {
        // never break the host
      }
      throw error
    }
    try {
      if (listen) return listenAnswered(listen, response)
      refusal?.answered(response)
    } catch {
      // never break the host
    }
    return response
  }
  Object.defineProperty(wrapped, WRAPPED, { value: true })
  handler.fetch = wrapped
}
