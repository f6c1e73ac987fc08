import { STREAM_EVENT, type StreamEvent, type StreamMessages } from '@mcpdir/metrics/protocol'
import { Hono } from 'hono'
import { streamSSE } from 'hono/streaming'
import type { AppEnv } from '../app/app-env'
import type { StreamMessage } from '../query/live-hub'
import { serverIdParam } from '../http/query-params'
import { readableServer } from '../http/read-access'

/**
 * `GET /functions/v1/metrics-stream?server_id=…`: Server-Sent Events with each accepted batch's points,
 * heartbeats and usage for the server, as they arrive. Read rules as metrics-fetch (a read token may come as
 * `?token=`, since EventSource cannot send headers). A client that falls `streamQueueLimit` messages behind
 * is disconnected rather than buffered without end; it can reconnect and refetch. Event names and data are
 * the protocol's `StreamMessages`.
 */
export function metricsStream() {
  return new Hono<AppEnv>().get('/', async (c) => {
    const { hub, config } = c.var.deps
    const server = await readableServer(c, serverIdParam(c))
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
