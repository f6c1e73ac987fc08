// Usage pre-aggregated as it is recorded: every period's usage section against the brute-force reference
// computed from the raw rows (random usage), many visitors, concurrent writers, retention and deletion.
import { PERIODS, USAGE_ACTIONS, type UsageAction } from '@mcpdir/metrics/protocol'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DEFAULT_RETENTION } from '../../app/config'
import { applyRetention, usageAggregateAges } from '../../query/retention'
import { periodWindow, serverReport } from '../../query/server-report'
import type { ServerRecord, Store, UsageRow } from '../store'
import { credentials, DAY, type Harness, HOUR, MIN, newServer, sharedStore, T0 } from './harness'
import { expectUsageMatches, referenceUsageReport } from './usage-reference'

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10)

/** A usage row whose visitor hash rotates daily, as the real one does. */
const usage = (serverId: string, action: UsageAction, visitor: number | string, timestamp: number): UsageRow => ({
  serverId,
  action,
  visitorHash: `${isoDay(timestamp)}:${visitor}`,
  timestamp,
})

/** Checks every period's usage section of `serverId` at `now` against the reference over `rows`. */
async function expectEveryPeriod(store: Store, serverId: string, rows: readonly UsageRow[], now: number) {
  const server = (await store.getServer(serverId)) as ServerRecord
  const own = rows.filter((r) => r.serverId === serverId)
  for (const period of PERIODS) {
    const { usage: section } = await serverReport(store, server, period, now)
    expectUsageMatches(section, referenceUsageReport(own, periodWindow(period, now)), `${serverId} ${period}`)
  }
}

/** How long before `now` an event happened: anywhere in the longest window, or right at a bucket edge. */
const WHEN = fc.oneof(
  fc.integer({ min: 0, max: 2 * HOUR }).map((ago) => (now: number) => now - ago),
  fc.integer({ min: 0, max: 181 * DAY }).map((ago) => (now: number) => now - ago),
  fc
    .tuple(fc.constantFrom(MIN, 5 * MIN, 10 * MIN, 15 * MIN, HOUR, 6 * HOUR, DAY), fc.integer({ min: 0, max: 180 }), fc.constantFrom(-1, 0, 1))
    .map(([width, k, delta]) => (now: number) => Math.min(now, Math.floor(now / width) * width - k * width + delta)),
)

/** Usage sections from the pre-aggregated rows, checked against the raw rows (both stores). */
export function usageTests(h: Harness) {
  describe('usage: counts and visitor sketches kept as usage is recorded', () => {
    const under = sharedStore(h)
    let runs = 0

    it('answers every period as the raw rows do: counts exact, small unique visitor counts exact', async () => {
      const { store } = under
      const event = fc.record({ action: fc.constantFrom(...USAGE_ACTIONS), visitor: fc.nat({ max: 12 }), when: WHEN, neighbour: fc.boolean() })
      const events = fc.array(event, { minLength: 1, maxLength: 150, size: 'max' })
      await fc.assert(
        fc.asyncProperty(events, fc.integer({ min: 0, max: DAY }), fc.integer({ min: 1, max: 40 }), async (events, later, chunk) => {
          const [id, neighbour] = [`usage-${++runs}`, `usage-${runs}-n`]
          for (const s of [id, neighbour]) await store.createServer(newServer(s), credentials(s), T0 - 400 * DAY)
          const now = T0 + later
          const rows = events.map((e) => usage(e.neighbour ? neighbour : id, e.action, e.visitor, e.when(now)))
          // in several calls, so later ones merge into stored counts and sketches
          for (let i = 0; i < rows.length; i += chunk) await store.recordUsage(rows.slice(i, i + chunk))
          await expectEveryPeriod(store, id, rows, now)
        }),
        { numRuns: 12 },
      )
    })

    it('estimates many unique visitors within the HyperLogLog bound, over one day and several', async () => {
      const { store } = under
      await store.createServer(newServer('crowd'), credentials('crowd'), T0 - 400 * DAY)
      const rows: UsageRow[] = []
      for (let day = 0; day < 3; day++) {
        for (let v = 0; v < 3000; v++) {
          const at = T0 - day * DAY - ((v * 7919) % 40) * MIN - 1
          rows.push(usage('crowd', USAGE_ACTIONS[v % 4] as UsageAction, v, at))
          if (v % 3 === 0) rows.push(usage('crowd', 'view', v, at + 1)) // returning the same day: counted once
        }
      }
      await store.recordUsage(rows.slice(0, 5000))
      await store.recordUsage(rows.slice(5000))
      await expectEveryPeriod(store, 'crowd', rows, T0 + 5 * MIN)
    })

    it('loses no visitor when writers record into the same buckets at once', async () => {
      const { store } = under
      await store.createServer(newServer('race'), credentials('race'), T0)
      // different actions, so the writers do not queue on one count row before reaching the visitor rows
      await Promise.all(Array.from({ length: 32 }, (_, i) => store.recordUsage([usage('race', USAGE_ACTIONS[i % 4] as UsageAction, i, T0 + i)])))
      const server = (await store.getServer('race')) as ServerRecord
      for (const period of PERIODS) {
        expect((await serverReport(store, server, period, T0 + MIN)).usage.totals, period).toEqual({ views: 8, installs: 8, tests: 8, invokes: 8, unique_visitors: 32 })
      }
    })

    it('purges the aggregates of each width at its tier\'s age, and with their server', async () => {
      const e = await h.setup()
      const count = async (table: string) => Number((await e.sql(`SELECT count(*) AS n FROM ${table} WHERE server_id = 'pub'`))[0]?.n)
      const ages = [200 * DAY, 10 * DAY]
      await e.store.recordUsage([...ages.map((ago) => usage('pub', 'view', 1, T0 - ago)), usage('priv', 'test', 1, T0)])
      expect([await count('usage_counts'), await count('usage_visitors')]).toEqual([12, 12])
      // each width keeps its rows as long as the metric tier of that width; one count and one visitor row each
      const purged = usageAggregateAges(DEFAULT_RETENTION).reduce((n, [, keep]) => n + ages.filter((ago) => keep !== null && ago > keep).length, 0)
      const raw = ages.filter((ago) => ago > DEFAULT_RETENTION.usageMs).length
      expect(purged).toBeGreaterThan(0)
      expect(await applyRetention(e.store, () => T0, DEFAULT_RETENTION)).toMatchObject({ usage: raw + 2 * purged })
      expect([await count('usage_counts'), await count('usage_visitors')]).toEqual([12 - purged, 12 - purged])
      const ninety = await serverReport(e.store, (await e.store.getServer('pub')) as ServerRecord, '90d', T0)
      expect(ninety.usage.totals).toEqual({ views: 1, installs: 0, tests: 0, invokes: 0, unique_visitors: 1 })
      await e.store.deleteServer('pub')
      expect([await count('usage_counts'), await count('usage_visitors')]).toEqual([0, 0])
      expect(Number((await e.sql('SELECT count(*) AS n FROM usage_counts'))[0]?.n)).toBe(6) // priv's
    })
  })
}
