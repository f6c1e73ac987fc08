// Two replicas (two services on one PostgreSQL database) evaluating and delivering side by side on one fake
// clock: each notification reaches the receiver exactly once, also when the lease holder stops and the other
// takes over, and when both send at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp, type MetricsApp } from '../app/create-app'
import { hashKey } from '../credentials/keys'
import { registerServer } from '../credentials/server-credentials'
import { openPostgresStore } from '../store/postgres/postgres-store'
import type { Store } from '../store/store'
import { type PgCluster, requirePostgres, startPostgres } from '../testing/postgres-cluster'
import { type Receiver, startReceiver } from './receiver.test-helpers'
import { ADMIN, addAlert, DAY, MIN, T0, traffic } from './traffic.test-helpers'

const run = requirePostgres()
let cluster: PgCluster
beforeAll(() => {
  if (run) cluster = startPostgres()
})
afterAll(() => cluster?.stop())

describe.runIf(run)('alerts on two replicas of one PostgreSQL database', () => {
  it('deliver each notification exactly once', async () => {
    const url = cluster.createDatabase('alert_replicas')
    const clock = { now: T0 }
    const stores: Store[] = [await openPostgresStore({ connectionString: url, clock: () => clock.now }), await openPostgresStore({ connectionString: url, clock: () => clock.now })]
    const config = { adminKeyHash: hashKey(ADMIN), allowPrivateWebhooks: true, publicUrl: 'https://m.example' }
    const apps: MetricsApp[] = stores.map((store) => createApp({ store, clock: () => clock.now, backgroundJobs: false, config }))
    const receiver: Receiver = await startReceiver(() => clock.now)
    try {
      const [a, b] = apps as [MetricsApp, MetricsApp]
      const [storeA, storeB] = stores as [Store, Store]
      await registerServer(storeA, { id: 'svc' }, T0 - DAY)
      await registerServer(storeA, { id: 'quiet' }, T0 - DAY)
      await addAlert(a, receiver, 'svc', { metric: 'error_rate', above: 0.1, for: '5m' }, '/errors')
      await addAlert(b, receiver, 'quiet', { metric: 'silence', for: '10m' }, '/silence')
      clock.now = T0 - 7 * DAY + 60 * MIN
      await addAlert(a, receiver, 'svc', { metric: 'digest' }, '/digest')
      // the first delivery the receiver sees is answered 503: its retry must be sent once too, under the same id
      receiver.answers.push(503, 204)

      for (let m = 0; m < 40; m++) {
        const minute = T0 + m * MIN
        clock.now = minute + 40_000
        await traffic(m % 2 === 0 ? storeA : storeB, 'svc', minute, 10, m >= 5 && m < 20 ? 5 : 0)
        // replica a stops evaluating at minute 20 (its lease runs out); b takes over
        const evaluating = m < 20 ? apps : [b]
        const runs = await Promise.all(evaluating.map((app) => app.deps.alerts.evaluate()))
        expect(runs.filter((r) => r !== undefined).length, `minute ${m}`).toBeLessThanOrEqual(1)
        await Promise.all(apps.map((app) => app.deps.alerts.deliver()))
        clock.now += 30_000
        await Promise.all(apps.map((app) => app.deps.alerts.deliver()))
      }
      // four notifications, each received once, but for the one whose first attempt was answered 503
      const byId = new Map<string, string[]>()
      for (const r of receiver.received) byId.set(r.id, [...(byId.get(r.id) ?? []), `${r.path} ${r.body.type}`])
      expect([...byId.values()].map((v) => v[0]).sort()).toEqual(['/digest digest.weekly', '/errors alert.firing', '/errors alert.resolved', '/silence alert.firing'])
      expect([...byId.values()].map((v) => v.length).sort()).toEqual([1, 1, 1, 2])
      expect(receiver.received[0]?.id).toBe(receiver.received.find((r, i) => i > 0 && r.id === receiver.received[0]?.id)?.id)
      for (const r of receiver.received) expect([r.path, r.verified, r.valid]).toEqual([r.path, 'ok', true])
      const errors = receiver.received.filter((r) => r.path === '/errors').map((r) => `${r.body.type}@${(Date.parse(r.body.at) - T0) / MIN}`)
      expect(errors).toEqual(['alert.firing@10', 'alert.resolved@21'])
      expect((await storeB.listDeliveries({}, 100)).map((d) => d.status)).toEqual(['delivered', 'delivered', 'delivered', 'delivered'])
    } finally {
      for (const app of apps) app.stop()
      await receiver.close()
      for (const store of stores) await store.close()
    }
  })
})
