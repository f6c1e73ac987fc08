// One HTTP exchange through a wrapped `fetch` handler (`instrumentHandler`): a mark on its `Request` that the
// instance transports see (`extra.request`), so the wrapper knows whether an instrumented instance had the
// request and recorded it, and a bounded reader for the small JSON bodies it looks at.

/** A `Symbol.for` key, so that two copies of this package (ESM and CJS) still share the mark. */
const EXCHANGE = Symbol.for('mcpdir.metrics.exchange')
/** Larger bodies are not read (an MCP request is a few hundred bytes; a refusal answer smaller still). */
export const MAX_BODY = 64 * 1024

/** What the wrapper learns about one exchange from the instances that served it. */
export interface Exchange {
  /** An instrumented instance's transport received a message of this request: it records the request. */
  seen: boolean
}

function record(value: unknown): Record<string | symbol, unknown> | undefined {
  return typeof value === 'object' && value !== null ? (value as Record<string | symbol, unknown>) : undefined
}

/** Marks a request as one the wrapper watches; `undefined` when it cannot be marked. */
export function openExchange(request: Request): Exchange | undefined {
  try {
    const exchange: Exchange = { seen: false }
    Object.defineProperty(request, EXCHANGE, { value: exchange, configurable: true })
    return exchange
  } catch {
    return undefined // a frozen or exotic request: not watched
  }
}

/** Called for every message an instrumented transport receives: notes that an instance has its request. */
export function markSeen(extra: unknown): void {
  const exchange = record(record(record(extra)?.request)?.[EXCHANGE])
  if (exchange && typeof exchange.seen === 'boolean') exchange.seen = true
}

/**
 * Reads at most {@link MAX_BODY} bytes of a body and parses it as JSON; `undefined` when it is larger, absent,
 * unreadable or not JSON. Reads the body it is given: pass a clone to leave the original unread.
 */
export async function readJson(body: ReadableStream<Uint8Array> | null): Promise<unknown> {
  if (!body) return undefined
  const reader = body.getReader()
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
    return JSON.parse(text + decoder.decode()) as unknown
  } catch {
    return undefined
  } finally {
    reader.cancel().catch(() => {})
  }
}
