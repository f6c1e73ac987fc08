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
 * is disconnected rather than buffered without end; it can reconnect and refetch.
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
      try {
        await stream.writeSSE({ event: 'ready', data: JSON.stringify({ server_id: server.id }), id: String(id++) })
        while (!stream.aborted && !overflowed && !closing) {
          const message = queue.shift()
          if (message) {
            await stream.writeSSE({ event: message.event, data: JSON.stringify(message.data), id: String(id++) })
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
          await stream.writeSSE({ event: 'overflow', data: JSON.stringify({ reason: 'client fell behind; reconnect and refetch' }) })
        }
      } finally {
        unsubscribe()
      }
    })
  })
}
