// The weekly digest on a fake clock: the week that ended against the one before, sent once a week to rules that
// existed when it ended, verified by the receiver like every delivery.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createApp, type MetricsApp } from '../app/create-app'
import { hashKey } from '../credentials/keys'
import { registerServer } from '../credentials/server-credentials'
import { openSqliteStore } from '../store/sqlite/sqlite-store'
import type { Store } from '../store/store'
import { weekLabel, weekStart } from './digest'
import { type Receiver, startReceiver } from './receiver.test-helpers'
import { ADMIN, addAlert, DAY, HOUR, MIN, T0, traffic } from './traffic.test-helpers'

let store: Store
let app: MetricsApp
let receiver: Receiver
const clock = { now: T0 }
const WEEK = 7 * DAY

beforeEach(async () => {
  store = openSqliteStore({ path: ':memory:' })
  await registerServer(store, { id: 'svc', name: 'Search' }, T0 - 3 * WEEK)
  app = createApp({ store, clock: () => clock.now, backgroundJobs: false, config: { adminKeyHash: hashKey(ADMIN), allowPrivateWebhooks: true, publicUrl: 'https://m.example' } })
  receiver = await startReceiver(() => clock.now)
})
afterEach(async () => {
  app.stop()
  await receiver.close()
  await store.close()
})

async function run(at: number) {
  clock.now = at
  await app.deps.rollups.runPending()
  await app.deps.alerts.evaluate()
  await app.deps.alerts.deliver()
}

describe('the weekly digest', () => {
  it('knows its weeks: Monday 00:00 UTC', () => {
    expect(weekStart(T0)).toBe(T0)
    expect(weekStart(T0 + WEEK - 1)).toBe(T0)
    expect(weekStart(T0 - 1)).toBe(T0 - WEEK)
    expect(weekLabel(T0)).toBe('2026-03-09')
  })

  it('sends the week that ended beside the week before, once a week', async () => {
    // the week before last: 10 calls an hour for a day; last week: 20 an hour, 1 failing, with installs
    clock.now = T0 - WEEK + HOUR // subscribed during last week
    const rule = await addAlert(app, receiver, 'svc', { metric: 'digest' })
    // as it arrives (rolled up then, as the service does, while the finer rows are kept)
    const arrive = async (at: number, ok: number, errors: number) => {
      clock.now = at + MIN
      await traffic(store, 'svc', at, ok, errors)
      await app.deps.rollups.runPending()
    }
    for (let h = 0; h < 24; h++) await arrive(T0 - 2 * WEEK + h * HOUR, 10, 0)
    for (let h = 0; h < 24; h++) await arrive(T0 - WEEK + DAY + h * HOUR, 19, 1)
    await store.recordUsage([{ serverId: 'svc', action: 'install', visitorHash: 'v', timestamp: T0 - 3 * DAY }])

    await run(T0 - 1) // Sunday 23:59:59: last week has not ended
    expect(receiver.received).toEqual([])
    await run(T0 + MIN)
    await run(T0 + HOUR) // the same week again: nothing more
    expect(receiver.received.map((r) => [r.body.type, r.verified, r.valid])).toEqual([['digest.weekly', 'ok', true]])
    const [sent] = receiver.received
    expect(sent?.body).toMatchObject({ type: 'digest.weekly', server: { id: 'svc', name: 'Search' }, rule: { id: rule.id, metric: 'digest' }, window: '7d', url: 'https://m.example/#svc' })
    expect(sent?.body.digest).toMatchObject({
      from: new Date(T0 - WEEK).toISOString(),
      to: new Date(T0).toISOString(),
      calls: { value: 480, previous: 240, change: 1 },
      errors: { value: 24, previous: 0, change: null },
      error_rate: { value: 0.05, previous: 0, change: null },
      installs: { value: 1, previous: 0, change: null },
      top_tools: [{ key: 'search', calls: 480, previous_calls: 240, change: 1 }],
      top_clients: [{ key: 'claude-ai', calls: 480, previous_calls: 240, change: 1 }],
    })
    expect(sent?.body.digest?.availability.value).toBeCloseTo(24 / (7 * 24 * 60), 6)
    expect(sent?.body.text).toContain('*Weekly digest: Search*, 2026-03-02 to 2026-03-09')
    expect(sent?.body.text).toContain('calls 480 (+100 %)')
    expect(sent?.body.text).toContain('Top tools: search 480 (+100 %)')

    await run(T0 + WEEK + MIN) // the next week: its own digest (no traffic: zero calls, down 100 %)
    expect(receiver.received.map((r) => r.body.digest?.calls)).toEqual([
      { value: 480, previous: 240, change: 1 },
      { value: 0, previous: 480, change: -1 },
    ])
  })

  it('waits for a whole week after a subscription made mid-week', async () => {
    clock.now = T0 + 2 * DAY
    await addAlert(app, receiver, 'svc', { metric: 'digest' })
    await run(T0 + 3 * DAY)
    expect(receiver.received).toEqual([])
    await run(T0 + WEEK + MIN)
    expect(receiver.received.map((r) => r.body.digest?.from)).toEqual([new Date(T0).toISOString()])
  })
})
