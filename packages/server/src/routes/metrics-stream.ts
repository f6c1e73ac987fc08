import { ROUTES, STREAM_EVENT, STREAM_TOKEN_PARAM, type StreamEvent, type StreamMessages } from '@mcpdir/metrics/protocol'
import { type Context, Hono } from 'hono'
import { streamSSE } from 'hono/streaming'
import { ApiError } from '../http/api-error'
import type { AppEnv } from '../app/app-env'
import type { StreamMessage } from '../query/live-hub'
import { checkStreamToken, streamTokenSecret } from '../credentials/stream-token'
import { metricsStreamToken } from './metrics-stream-token'
import { serverIdParam } from '../http/query-params'
import { readableServer } from '../http/read-access'
import type { ServerRecord } from '../store/store'

/**
 * The server a stream request may follow: with `?stream_token=`, the server that token was made for (401
 * `invalid_stream_token` when it is expired, forged or for another server, whatever credentials come beside
 * it); without, the read rules of metrics-fetch.
 */
async function streamedServer(c: Context<AppEnv>, serverId: string): Promise<ServerRecord> {
  const token = c.req.query(STREAM_TOKEN_PARAM)
  if (token === undefined) return readableServer(c, serverId)
  const { store, clock } = c.var.deps
  const check = checkStreamToken(await streamTokenSecret(store), serverId, token, clock())
  if (check !== 'valid') {
    const why = check === 'expired' ? 'has expired; ask metrics-stream/token for a new one' : `is not a stream token for ${serverId}`
    throw new ApiError(401, 'invalid_stream_token', `the stream token ${why}`, STREAM_TOKEN_PARAM)
  }
  const server = await store.getServer(serverId)
  if (!server) throw new ApiError(404, 'not_found', `no server ${serverId}`, 'server_id')
  return server
}

/**
 * `GET /functions/v1/metrics-stream?server_id=…`: Server-Sent Events with each accepted batch's points,
 * heartbeats and usage for the server, as they arrive. A private server's stream opens with a stream token
 * (`?stream_token=`, from `POST …/metrics-stream/token`, mounted here), since EventSource cannot send headers
 * and a long-lived key must not go in a URL; header credentials work as for metrics-fetch, and so, for older
 * clients, does a read token as `?token=` (never the admin key). A client that falls `streamQueueLimit`
 * messages behind is disconnected rather than buffered without end; it can reconnect and refetch. Event names
 * and data are the protocol's `StreamMessages`.
 */
export function metricsStream() {
  return new Hono<AppEnv>().route(ROUTES.metricsStreamToken.slice(ROUTES.metricsStream.length), metricsStreamToken()).get('/', async (c) => {
    const { hub, config } = c.var.deps
    const server = await streamedServer(c, serverIdParam(c))
    return streamSSE(c, async (stream) => {
      const queue: StreamMessage[] = []
      let wake: (() => void) | undefined
      let overflowed = false
      let closing = false
      const unsubscribe = hub.subscribe(server.id, {
        push(message) {
          if (queue.length >= config.streamQueueLimit) overflowed = true
          else queue.push(message)
          wake?.()
        },
        close() {
          closing = true
          wake?.()
        },
      })
      stream.onAbort(() => wake?.())
      let id = 0
      const send = <K extends StreamEvent>(event: K, data: StreamMessages[K], withId = true) =>
        stream.writeSSE({ event, data: JSON.stringify(data), ...(withId && { id: String(id++) }) })
      try {
        await send(STREAM_EVENT.ready, { server_id: server.id })
        while (!stream.aborted && !overflowed && !closing) {
          const message = queue.shift()
          if (message) {
            await send(message.event, message.data)
            continue
          }
          const timedOut = await new Promise<boolean>((resolve) => {
            const timer = setTimeout(() => resolve(true), config.streamKeepAliveMs)
            wake = () => {
              clearTimeout(timer)
              resolve(false)
            }
          })
          wake = undefined
          if (timedOut && !stream.aborted) await stream.write(': keep-alive\n\n')
        }
        if (overflowed && !stream.aborted) {
          await send(STREAM_EVENT.overflow, { reason: 'client fell behind; reconnect and refetch' }, false)
        }
      } finally {
        unsubscribe()
      }
    })
  })
}
