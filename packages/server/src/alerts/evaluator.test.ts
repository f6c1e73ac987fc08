// Rules judged on a fake clock, minute by minute, with real deliveries to a local receiver that verifies each
// with the standardwebhooks package.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createApp, type MetricsApp } from '../app/create-app'
import { hashKey } from '../credentials/keys'
import { registerServer } from '../credentials/server-credentials'
import { openSqliteStore } from '../store/sqlite/sqlite-store'
import type { Store } from '../store/store'
import { type Receiver, startReceiver } from './receiver.test-helpers'
import { ADMIN, addAlert, DAY, MIN, T0, traffic } from './traffic.test-helpers'

let store: Store
let app: MetricsApp
let receiver: Receiver
const clock = { now: T0 }

beforeEach(async () => {
  clock.now = T0
  store = openSqliteStore({ path: ':memory:' })
  for (const id of ['svc', 'quiet']) await registerServer(store, { id, name: id === 'svc' ? 'Search <svc>' : id }, T0 - DAY)
  app = createApp({ store, clock: () => clock.now, backgroundJobs: false, config: { adminKeyHash: hashKey(ADMIN), allowPrivateWebhooks: true, publicUrl: 'https://metrics.example.com' } })
  receiver = await startReceiver(() => clock.now)
})
afterEach(async () => {
  app.stop()
  await receiver.close()
  await store.close()
})

/** Moves to 40 s into `minute` (its predecessor has settled), evaluates and delivers what is due. */
async function tick(minute: number) {
  clock.now = minute + 40_000
  await app.deps.alerts.evaluate()
  await app.deps.alerts.deliver()
}

const types = () => receiver.received.map((r) => `${r.body.type}@${(Date.parse(r.body.at) - T0) / MIN}`)

describe('the alert evaluator', () => {
  it('fires once when the error rate has been above its threshold for the whole window, stays quiet while it holds, resolves once', async () => {
    const rule = await addAlert(app, receiver, 'svc', { metric: 'error_rate', above: 0.05, for: '10m' })
    const fired: number[] = []
    for (let m = 0; m < 40; m++) {
      const minute = T0 + m * MIN
      // minutes 5 to 24 half their calls fail; minute 12 has no calls at all (it neither breaks nor confirms)
      if (m !== 12) await traffic(store, 'svc', minute, 10, m >= 5 && m < 25 ? 10 : 0)
      const before = receiver.received.length
      await tick(minute)
      if (receiver.received.length > before) fired.push(m)
    }
    // bad from minute 5: held for 10 minutes when minute 14 ended; clear again in minute 25
    expect(types()).toEqual(['alert.firing@15', 'alert.resolved@26'])
    expect(fired).toEqual([15, 26])
    const [firing, resolved] = receiver.received
    expect(firing?.body).toMatchObject({
      type: 'alert.firing',
      server: { id: 'svc', name: 'Search <svc>' },
      rule: { id: rule.id, metric: 'error_rate', condition: 'above', threshold: 0.05, window: '10m' },
      value: 0.5,
      threshold: 0.05,
      window: '10m',
      at: new Date(T0 + 15 * MIN).toISOString(),
      url: 'https://metrics.example.com/#svc',
    })
    expect(firing?.body.text).toContain('*Search &lt;svc&gt;* (svc): error rate 50 %')
    expect(firing?.body.text).toContain('<https://metrics.example.com/#svc|dashboard>')
    expect(resolved?.body).toMatchObject({ type: 'alert.resolved', value: 0 })
    for (const r of receiver.received) expect([r.verified, r.valid]).toEqual(['ok', true])
    expect(new Set(receiver.received.map((r) => r.id)).size).toBe(2)
    const [listed] = (await (await app.request('/functions/v1/admin/servers/svc/alerts', { headers: { authorization: `Bearer ${ADMIN}` } })).json()).alerts
    expect(listed).toMatchObject({ id: rule.id, state: 'ok', state_since: T0 + 26 * MIN, last_value: 0 })
  })

  it('judges p95 minute by minute too', async () => {
    await addAlert(app, receiver, 'svc', { metric: 'p95', above: 500, for: '3m' })
    for (let m = 0; m < 12; m++) {
      await traffic(store, 'svc', T0 + m * MIN, 5, 0, m >= 2 && m < 7 ? 900 : 100)
      await tick(T0 + m * MIN)
    }
    expect(types()).toEqual(['alert.firing@5', 'alert.resolved@8'])
    expect(receiver.received[0]?.body.value).toBeCloseTo(900, -1)
  })

  it('fires on a traffic drop, on silence and on availability over the window, and resolves when data returns', async () => {
    await addAlert(app, receiver, 'svc', { metric: 'calls', below: 1, for: '10m' }, '/drop')
    await addAlert(app, receiver, 'svc', { metric: 'silence', for: '15m' }, '/silence')
    await addAlert(app, receiver, 'svc', { metric: 'availability', below: 0.9, for: '10m' }, '/availability')
    for (let m = -15; m < 0; m++) await traffic(store, 'svc', T0 + m * MIN, 3, 0)
    for (let m = 0; m < 60; m++) {
      // data until minute 20, none from 20 to 39, data again from 40
      if (m < 20 || m >= 40) await traffic(store, 'svc', T0 + m * MIN, 3, 0)
      await tick(T0 + m * MIN)
    }
    const by = (path: string) => receiver.received.filter((r) => r.path === path).map((r) => `${r.body.type}@${(Date.parse(r.body.at) - T0) / MIN}`)
    // calls in [end - 10m, end) fall below 1 once minute 29 has ended; the window has calls again once minute 40 has
    expect(by('/drop')).toEqual(['alert.firing@30', 'alert.resolved@41'])
    // nothing received after 19:20; silent for the whole window [end - 15m, end) at end = 35; a batch received
    // at 40:20 ends it at the next evaluation, whatever minute it is for
    expect(by('/silence')).toEqual(['alert.firing@35', 'alert.resolved@40'])
    // heartbeats in under 90 % of the window's minutes: 8 of 10 at end = 22
    expect(by('/availability')).toEqual(['alert.firing@22', 'alert.resolved@49'])
    expect(receiver.received.find((r) => r.path === '/silence')?.body.text).toContain('nothing received for 15m')
    for (const r of receiver.received) expect([r.verified, r.valid]).toEqual(['ok', true])
  })

  it('fires on silence of a server that never sent anything, once the window is whole', async () => {
    await addAlert(app, receiver, 'quiet', { metric: 'silence', for: '30m' })
    await tick(T0)
    await tick(T0 + MIN)
    expect(types()).toEqual(['alert.firing@0'])
    expect(receiver.received[0]?.body.value).toBeNull()
  })

  it('evaluates once per minute however often it runs, and rules added meanwhile at the next run', async () => {
    for (let m = 0; m < 3; m++) await traffic(store, 'svc', T0 + m * MIN, 1, 9)
    await tick(T0 + 3 * MIN)
    await addAlert(app, receiver, 'svc', { metric: 'error_rate', above: 0.5, for: '2m' })
    clock.now = T0 + 3 * MIN + 50_000
    expect(await app.deps.alerts.evaluate()).toEqual({ end: T0 + 3 * MIN, rules: 1, queued: 1 })
    expect(await app.deps.alerts.evaluate()).toEqual({ end: T0 + 3 * MIN, rules: 1, queued: 0 })
  })

  it('logs a rule that cannot be evaluated and goes on with the others', async () => {
    await addAlert(app, receiver, 'svc', { metric: 'error_rate', above: 0.05, for: '1m' })
    await addAlert(app, receiver, 'quiet', { metric: 'silence', for: '1m' })
    const tierRows = store.tierRows.bind(store)
    store.tierRows = async (serverId, ...rest) => {
      if (serverId === 'svc') throw new Error('disk on fire')
      return tierRows(serverId, ...rest)
    }
    const errors: unknown[] = []
    app.deps.logger.error = ((...args: unknown[]) => void errors.push(args)) as never
    await tick(T0 + 5 * MIN)
    expect(types()).toEqual(['alert.firing@5'])
    expect(JSON.stringify(errors)).toContain('alert rule evaluation failed')
  })
})
