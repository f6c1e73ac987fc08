// Deliveries on a fake clock: retried with backoff on 5xx, never on 4xx, given up after a day; addresses
// checked again at delivery, on what the name resolves to then, and the connection made to the address checked.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createApp, type MetricsApp } from '../app/create-app'
import { hashKey } from '../credentials/keys'
import { registerServer } from '../credentials/server-credentials'
import { openSqliteStore } from '../store/sqlite/sqlite-store'
import type { Store } from '../store/store'
import { RETRY_FOR_MS, retryDelay } from './backoff'
import { type Receiver, startReceiver } from './receiver.test-helpers'
import { ADMIN, addAlert, DAY, MIN, T0 } from './traffic.test-helpers'

let store: Store
let app: MetricsApp
let receiver: Receiver
const clock = { now: T0 }
/** What the fake resolver answers per host name (the tests change it between creation and delivery). */
const dns = new Map<string, string[]>()

beforeEach(async () => {
  clock.now = T0
  dns.clear()
  store = openSqliteStore({ path: ':memory:' })
  await registerServer(store, { id: 'quiet' }, T0 - DAY)
  app = createApp({
    store,
    clock: () => clock.now,
    backgroundJobs: false,
    config: { adminKeyHash: hashKey(ADMIN), allowPrivateWebhooks: true },
    webhookResolve: async (host) => {
      const addresses = dns.get(host)
      if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' })
      return addresses
    },
  })
  receiver = await startReceiver(() => clock.now)
})
afterEach(async () => {
  app.stop()
  await receiver.close()
  await store.close()
})

/** A silence rule on a server that never sent: it fires at the first evaluation. */
async function firingDelivery(rule: Record<string, unknown> = {}) {
  const added = await addAlert(app, receiver, 'quiet', { metric: 'silence', for: '10m', ...rule })
  await app.deps.alerts.evaluate()
  return added
}

const deliveries = async () => store.listDeliveries({ serverId: 'quiet' }, 10)

describe('the webhook sender', () => {
  it('retries a receiver answering 500 with exponential backoff, under the same webhook-id, until it answers 200', async () => {
    receiver.answers.push(500, 503, 200)
    await firingDelivery()
    const created = clock.now
    const attemptsAt: number[] = []
    for (let step = 0; step < 10 && receiver.received.length < 3; step++) {
      const results = await app.deps.alerts.deliver()
      if (results.length > 0) attemptsAt.push(clock.now)
      const [pending] = await deliveries()
      // nothing is sent before the next attempt is due
      if (pending?.nextAttemptAt) {
        clock.now = pending.nextAttemptAt - 1
        expect(await app.deps.alerts.deliver()).toEqual([])
        clock.now = pending.nextAttemptAt
      }
    }
    expect(attemptsAt).toEqual([created, created + retryDelay(1), created + retryDelay(1) + retryDelay(2)])
    expect([retryDelay(1), retryDelay(2), retryDelay(3)]).toEqual([30_000, 60_000, 120_000])
    const [delivery] = await deliveries()
    expect(delivery).toMatchObject({ type: 'alert.firing', status: 'delivered', nextAttemptAt: null })
    expect(delivery?.attempts.map((a) => [a.attempt, a.at - created, a.responseStatus, a.error, a.nextAttemptAt && a.nextAttemptAt - created])).toEqual([
      [1, 0, 500, 'HTTP 500: answer 500', 30_000],
      [2, 30_000, 503, 'HTTP 503: answer 503', 90_000],
      [3, 90_000, 200, null, null],
    ])
    expect(receiver.received.map((r) => r.id)).toEqual([delivery?.id, delivery?.id, delivery?.id])
    expect(receiver.received.map((r) => r.verified)).toEqual(['ok', 'ok', 'ok'])
    expect(receiver.received.map((r) => r.headers['webhook-timestamp'])).toEqual(attemptsAt.map((t) => String(Math.floor(t / 1000))))
    clock.now += DAY
    expect(await app.deps.alerts.deliver()).toEqual([])
  })

  it('never retries a 4xx answer', async () => {
    receiver.answers.push(400)
    await firingDelivery()
    expect((await app.deps.alerts.deliver()).map((r) => [r.status, r.responseStatus, r.nextAttemptAt])).toEqual([['failed', 400, null]])
    clock.now += 2 * DAY
    expect(await app.deps.alerts.deliver()).toEqual([])
    expect(receiver.received).toHaveLength(1)
    expect((await deliveries())[0]).toMatchObject({ status: 'failed', attempts: [{ attempt: 1, responseStatus: 400, error: 'HTTP 400: answer 400' }] })
  })

  it('retries for a day, then gives up', async () => {
    receiver.answers.push(503)
    await firingDelivery()
    const created = clock.now
    let last = 0
    for (let step = 0; step < 100; step++) {
      const [d] = await deliveries()
      if (d?.status !== 'pending') break
      clock.now = d.nextAttemptAt as number
      last = clock.now
      await app.deps.alerts.deliver()
    }
    const [delivery] = await deliveries()
    expect(delivery?.status).toBe('failed')
    // 30 s doubling to an hour, then hourly: every attempt within a day of the notification
    const expected = [0]
    for (let n = 1; expected.at(-1) as number + retryDelay(n) <= RETRY_FOR_MS; n++) expected.push((expected.at(-1) as number) + retryDelay(n))
    expect(delivery?.attempts.map((a) => a.at - created)).toEqual(expected)
    expect(last - created).toBeLessThanOrEqual(RETRY_FOR_MS)
    expect(delivery?.attempts.at(-1)?.nextAttemptAt).toBeNull()
    expect(receiver.received).toHaveLength(expected.length)
  })

  it('refuses private addresses when they are not allowed, at creation and again at delivery', async () => {
    app.deps.config.allowPrivateWebhooks = false
    const add = async (webhook: string) =>
      app.request('/functions/v1/admin/servers/quiet/alerts', {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ metric: 'silence', for: '10m', webhook }),
      })
    dns.set('intranet.example', ['93.184.216.34', '10.1.2.3'])
    dns.set('public.example', ['93.184.216.34'])
    for (const [webhook, reason] of [
      [`${receiver.url}/x`, '127.0.0.1 is a loopback address'],
      ['http://[::1]:9/x', '::1 is a loopback address'],
      ['http://169.254.169.254/latest/meta-data', '169.254.169.254 is a link-local address'],
      ['http://[::ffff:192.168.0.1]/x', 'is a private address'],
      ['https://intranet.example/hook', 'intranet.example resolves to 10.1.2.3 is a private address'],
      ['https://nowhere.example/hook', 'nowhere.example does not resolve'],
    ] as const) {
      const response = await add(webhook)
      const body = await response.json()
      expect([response.status, body.error.code, body.error.path], webhook).toEqual([400, 'invalid_body', 'webhook'])
      expect(body.error.message).toContain(reason)
      if (!webhook.includes('nowhere')) expect(body.error.message).toContain('MCPDIR_ALLOW_PRIVATE_WEBHOOKS')
    }
    const publicRule = await add('https://public.example/hook')
    expect(publicRule.status).toBe(201)
    // removed again: these tests never reach past this machine
    const removed = await app.request(`/functions/v1/admin/servers/quiet/alerts/${(await publicRule.json()).id}`, { method: 'DELETE', headers: { authorization: `Bearer ${ADMIN}` } })
    expect(removed.status).toBe(200)

    // made while allowed, delivered while not: refused, never retried, nothing sent
    app.deps.config.allowPrivateWebhooks = true
    await firingDelivery()
    app.deps.config.allowPrivateWebhooks = false
    const [result] = await app.deps.alerts.deliver()
    expect(result).toMatchObject({ status: 'failed', responseStatus: null, nextAttemptAt: null, error: expect.stringContaining('refused: 127.0.0.1 is a loopback address') })
    expect(receiver.received).toHaveLength(0)
  })

  it('checks what a name resolves to at delivery (DNS rebinding), and connects to the address it checked', async () => {
    const port = new URL(receiver.url).port
    dns.set('rebind.example', ['93.184.216.34'])
    app.deps.config.allowPrivateWebhooks = false
    const rule = await addAlert(app, receiver, 'quiet', { metric: 'silence', for: '10m', webhook: `http://rebind.example:${port}/r` }, '/r')
    expect(rule.webhook).toBe(`http://rebind.example:${port}/r`)
    await app.deps.alerts.evaluate()
    // the name now points inside
    dns.set('rebind.example', ['127.0.0.1'])
    const [refused] = await app.deps.alerts.deliver()
    expect(refused).toMatchObject({ status: 'failed', error: expect.stringContaining('refused: rebind.example resolves to 127.0.0.1 is a loopback address') })
    expect(receiver.received).toHaveLength(0)

    // allowed: the request goes to the address the resolver gave, under the URL's host name
    app.deps.config.allowPrivateWebhooks = true
    dns.set('pinned.example', ['127.0.0.1'])
    await addAlert(app, receiver, 'quiet', { metric: 'silence', for: '10m', webhook: `http://pinned.example:${port}/p` }, '/p')
    clock.now += MIN
    await app.deps.alerts.evaluate()
    expect((await app.deps.alerts.deliver()).map((r) => r.status)).toEqual(['delivered'])
    expect(receiver.received.map((r) => [r.path, r.headers.host, r.verified])).toEqual([['/p', `pinned.example:${port}`, 'ok']])
  })

  it('does not follow redirects', async () => {
    receiver.answers.push(302)
    await firingDelivery()
    const [result] = await app.deps.alerts.deliver()
    expect(result).toMatchObject({ status: 'failed', responseStatus: 302, error: expect.stringContaining('not followed') })
    expect(receiver.received).toHaveLength(1)
  })
})
