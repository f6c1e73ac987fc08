// The state an ingest keeps between a server's batches (OTLP cumulative series, service versions), on every
// store: read and written in the ingest transaction under the server's lock, untouched by duplicates, forgotten
// after its lifetime, gone with its server; and OTLP cumulative exports through the service, across a restart of
// the service, counted exactly.
import { ROUTES, type MetricPoint } from '@mcpdir/metrics/protocol'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../app/create-app'
import { registerServer } from '../../credentials/server-credentials'
import { histogramMetric, otlpRequest, sumMetric } from '../../otlp/otlp-test-helpers'
import type { StatefulIngest } from '../store'
import { credentials, DAY, type Harness, HOUR, newServer, point, sharedStore, T0 } from './harness'

/** A stateful ingest that adds 1 to a counter kept under `key` and stores the new value as a point. */
const increment = (key: string, forgetBefore = T0 - DAY): StatefulIngest => ({
  keys: [key],
  forgetBefore,
  derive(stored) {
    const next = Number(stored.get(key) ?? 0) + 1
    const points: MetricPoint[] = [{ ...point(next), name: 'derived' }]
    return { points, events: [], states: [{ key, value: String(next) }] }
  },
})

export function otlpStateTests(h: Harness) {
  describe('state kept between ingests (OTLP)', () => {
    const under = sharedStore(h)

    it('reads and writes state in the ingest transaction; a duplicate derives nothing', async () => {
      const { store, sql } = under
      await store.createServer(newServer('st'), credentials('st'), T0)
      expect(await store.ingest('st', 'b1', [point(1)], [], T0, T0 - DAY, increment('n'))).toEqual({ duplicate: false, processed: 2 })
      expect(await store.ingest('st', 'b2', [], [], T0, T0 - DAY, increment('n'))).toEqual({ duplicate: false, processed: 1 })
      expect(await store.ingest('st', 'b2', [], [], T0, T0 - DAY, increment('n'))).toEqual({ duplicate: true, processed: 0 })
      expect(await sql("SELECT key, value FROM ingest_state WHERE server_id = 'st'")).toEqual([{ key: 'n', value: '2' }])
      const derived = (await store.rawRows('st', T0 - HOUR, T0 + HOUR)).filter((r) => r.series.name === 'derived')
      expect(derived.map((r) => r.sum)).toEqual([1, 2])
    })

    it('serializes concurrent stateful ingests of one server: no update is lost', async () => {
      const { store, sql } = under
      await store.createServer(newServer('race'), credentials('race'), T0)
      await Promise.all(Array.from({ length: 12 }, (_, i) => store.ingest('race', `r-${i}`, [], [], T0, T0 - DAY, increment('n'))))
      expect(await sql("SELECT value FROM ingest_state WHERE server_id = 'race'")).toEqual([{ value: '12' }])
    })

    it("forgets a server's state not written since forgetBefore, and drops it with the server", async () => {
      const { store, sql } = under
      await store.createServer(newServer('old-st'), credentials('old-st'), T0)
      await store.createServer(newServer('other-st'), credentials('other-st'), T0)
      await store.ingest('old-st', 'o1', [], [], T0, T0 - DAY, increment('a'))
      await store.ingest('other-st', 'o1', [], [], T0, T0 - DAY, increment('a'))
      const later = T0 + 2 * DAY
      await store.ingest('old-st', 'o2', [], [], later, later - DAY, increment('b', later - DAY))
      expect(await sql("SELECT server_id, key FROM ingest_state WHERE server_id IN ('old-st', 'other-st') ORDER BY server_id, key")).toEqual([
        { server_id: 'old-st', key: 'b' },
        { server_id: 'other-st', key: 'a' },
      ])
      await store.deleteServer('old-st')
      expect(await sql("SELECT key FROM ingest_state WHERE server_id = 'old-st'")).toEqual([])
    })

    it('turns OTLP cumulative exports into exact deltas across a restart of the service', async () => {
      const { store } = under
      const creds = await registerServer(store, { id: 'otel-conf', requireSignature: false }, T0 - DAY)
      const bounds = [0.01, 0.1, 1]
      const exportAt = async (dt: number, value: number, values: number[]) => {
        const clock = T0 + dt
        // a fresh service for every export: nothing but the store carries the state
        const app = createApp({ store, clock: () => clock, backgroundJobs: false, config: { ingestRate: { perSecond: 1e6, burst: 1e6 } } })
        const body = otlpRequest(
          [sumMetric('jobs', 'cumulative', [{ startMs: T0 - 1000, timeMs: clock, value }]), histogramMetric('lat', 'cumulative', bounds, [{ startMs: T0 - 1000, timeMs: clock, values }])],
          { 'service.name': 'svc', 'service.version': `1.${Math.floor(dt / 2000)}` },
        )
        const response = await app.request(ROUTES.otlpMetrics, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', 'x-api-key': creds.api_key } })
        expect(response.status).toBe(200)
        app.stop()
      }
      await exportAt(0, 5, [0.05])
      await exportAt(1000, 12, [0.05, 0.5, 0.5])
      await exportAt(2000, 12, [0.05, 0.5, 0.5])
      await exportAt(3000, 20, [0.05, 0.5, 0.5, 0.005])
      const rows = await store.rawRows('otel-conf', T0 - HOUR, T0 + HOUR)
      const total = (name: string, field: 'sum' | 'count') => rows.filter((r) => r.series.name === name).reduce((n, r) => n + r[field], 0)
      expect(total('jobs', 'sum')).toBe(20)
      expect(total('lat', 'count')).toBe(4)
      expect(total('lat', 'sum')).toBe(1055)
      expect((await store.listEvents('otel-conf', T0 - HOUR, T0 + HOUR, 10)).map((e) => e.details)).toEqual([{ service: 'svc', from: '1.0', to: '1.1' }])
    })
  })
}
