// A webhook receiver for tests: a local HTTP server that verifies every delivery with the `standardwebhooks`
// package (at the tests' fake time, as a receiver whose clock agrees with the sender's), records it, and answers
// the statuses it is told to, in turn.
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type AlertWebhookPayload, parseAlertWebhookPayload } from '@mcpdir/metrics/protocol'
import { Webhook } from 'standardwebhooks'
import { vi } from 'vitest'

export interface Received {
  path: string
  /** The `webhook-id`: the same on every attempt of one delivery. */
  id: string
  headers: IncomingHttpHeaders
  body: AlertWebhookPayload
  /** What `standardwebhooks` said: `ok`, or its error. */
  verified: string
  /** The body passed the protocol's strict schema. */
  valid: boolean
}

export interface Receiver {
  /** `http://127.0.0.1:<port>` */
  url: string
  received: Received[]
  /** The secret deliveries to a path are verified with (set once a rule is made). */
  secrets: Map<string, string>
  /** Statuses answered in turn (the last one repeats); 204 by default. */
  answers: number[]
  close(): Promise<void>
}

/** Starts a receiver; `now` is the fake clock deliveries are verified at. */
export async function startReceiver(now: () => number): Promise<Receiver> {
  const received: Received[] = []
  const secrets = new Map<string, string>()
  const answers: number[] = []
  let served = 0
  const server = createServer((req, res) => {
    let raw = ''
    req.setEncoding('utf8')
    req.on('data', (chunk: string) => (raw += chunk))
    req.on('end', () => {
      const path = req.url ?? '/'
      const secret = secrets.get(path)
      let verified = 'no secret for this path'
      if (secret) {
        vi.useFakeTimers({ toFake: ['Date'], now: now() })
        try {
          new Webhook(secret).verify(raw, req.headers as Record<string, string>)
          verified = 'ok'
        } catch (error) {
          verified = (error as Error).message
        } finally {
          vi.useRealTimers()
        }
      }
      const body = JSON.parse(raw) as AlertWebhookPayload
      received.push({ path, id: String(req.headers['webhook-id']), headers: req.headers, body, verified, valid: parseAlertWebhookPayload(body).ok })
      const status = answers[Math.min(served++, answers.length - 1)] ?? 204
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status >= 400 ? `answer ${status}` : '')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    secrets,
    answers,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
