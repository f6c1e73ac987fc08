import type { IncomingMessage } from 'node:http'
import type { Context, MiddlewareHandler } from 'hono'
import { ApiError } from './api-error'
import type { AppEnv } from '../app/app-env'

/** Past this much, an oversized upload is no longer read to its end before the 413; the connection closes. */
const DISCARD_LIMIT = 16 * 1024 * 1024

/**
 * Reads the request body once, at most `maxBytes`, into `c.var.body`. A body over the limit, declared or
 * streamed (chunked), is read on and discarded up to 16 MiB before the 413, so the client finishes sending and
 * sees the answer instead of a broken pipe: closing a socket with unread data resets the connection, and the
 * client may lose the answer with it. (Hono's own bodyLimit cancels the stream, which does just that.) Only a
 * declared length over 16 MiB is answered at once.
 */
export function readBodyWithin(maxBytes: number): MiddlewareHandler<AppEnv> {
  const tooLarge = () => new ApiError(413, 'payload_too_large', `the body is larger than ${maxBytes} bytes`)
  return async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD' || c.req.method === 'OPTIONS') return next()
    const declared = Number(c.req.header('content-length') ?? Number.NaN)
    if (declared > DISCARD_LIMIT) throw tooLarge()
    const chunks: Uint8Array[] = []
    let total = 0
    try {
      for await (const chunk of bodyChunks(c)) {
        total += chunk.byteLength
        if (total <= maxBytes) chunks.push(chunk)
        else {
          chunks.length = 0 // over the limit: nothing kept is needed any more
          if (total > DISCARD_LIMIT) break
        }
      }
    } catch (error) {
      // the client went away mid-body (ECONNRESET "aborted"): its fault, not the database's (a 503)
      throw new ApiError(400, 'invalid_body', `the body could not be read: ${(error as Error).message}`)
    }
    if (total > maxBytes) throw tooLarge()
    const body = new Uint8Array(total)
    let offset = 0
    for (const chunk of chunks) {
      body.set(chunk, offset)
      offset += chunk.byteLength
    }
    c.set('body', body)
    return next()
  }
}

/**
 * The body's chunks: straight from Node's request when served by @hono/node-server, which then never builds a
 * web `Request` and stream for it (a measurable share of an ingest's work), else from the web request's body.
 */
function bodyChunks(c: Context<AppEnv>): AsyncIterable<Uint8Array> | Iterable<Uint8Array> {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming
  if (incoming) return incoming
  const body = c.req.raw.body
  return body ? webChunks(body) : []
}

async function* webChunks(body: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = body.getReader()
  let finished = false
  try {
    for (;;) {
      const { value, done } = await reader.read()
      if (done) {
        finished = true
        return
      }
      yield value
    }
  } finally {
    if (!finished) await reader.cancel()
  }
}
