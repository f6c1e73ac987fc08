// Heartbeats on the store directly, property-based: heartbeats sent in batches in any order, repeated, late and
// several to a minute. The minutes counted in any window (whole hours from their counts, partial hours from
// their minutes) must equal the distinct heartbeat minutes in it, counted directly; so must each hour's count;
// and after retention, which goes a whole hour at a time, every window.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { credentials, DAY, type Harness, HOUR, MIN, newServer, sharedStore, T0 } from './harness'

const SPAN = 7 * HOUR
/** Heartbeat times: anywhere in the span (late ones too, as batches arrive in any order), some at hour edges. */
const moment = fc.oneof(
  fc.integer({ min: 0, max: SPAN - 1 }),
  fc.tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: -2 * MIN, max: 2 * MIN })).map(([h, d]) => Math.min(SPAN - 1, Math.max(0, h * HOUR + d))),
)
/** Window edges: whole hours, whole minutes or any millisecond, from before the span to after it. */
const edge = fc.oneof(
  fc.integer({ min: -1, max: 8 }).map((h) => h * HOUR),
  fc.integer({ min: -60, max: SPAN / MIN + 60 }).map((m) => m * MIN),
  fc.integer({ min: -HOUR, max: SPAN + HOUR }),
)
const window = fc.tuple(edge, edge).map(([a, b]) => [T0 + Math.min(a, b), T0 + Math.max(a, b)] as const)

const minuteOf = (t: number) => Math.floor(t / MIN) * MIN
const heartbeat = (timestamp: number) => ({ type: 'heartbeat' as const, timestamp, details: {} })

export function heartbeatTests(h: Harness) {
  describe('heartbeat minutes, counted per hour', () => {
    const under = sharedStore(h)
    let servers = 0

    it('counts the distinct heartbeat minutes of any window, across hour edges, whatever the order and repeats', async () => {
      const { store, sql } = under
      await fc.assert(
        fc.asyncProperty(fc.array(fc.array(moment, { minLength: 0, maxLength: 12 }), { minLength: 1, maxLength: 8 }), fc.array(window, { minLength: 6, maxLength: 6 }), async (batches, windows) => {
          const id = `hb-${++servers}`
          await store.createServer(newServer(id), credentials(id), T0)
          const minutes = new Set<number>()
          for (const [i, batch] of batches.entries()) {
            // a repeated batch id is a duplicate and writes nothing; a new id repeating minutes adds none
            await store.ingest(id, `b-${i % 5}`, [], batch.map((t) => heartbeat(T0 + t)), T0, T0 - DAY)
            if (i < 5) for (const t of batch) minutes.add(minuteOf(T0 + t))
          }
          const inWindow = (from: number, to: number) => [...minutes].filter((m) => m >= from && m < to).length
          for (const [from, to] of windows) expect(await store.heartbeatMinutes(id, from, to), `[${from - T0}, ${to - T0})`).toBe(inWindow(from, to))
          const hours = await sql(`SELECT hour, minutes FROM heartbeat_hours WHERE server_id = '${id}' ORDER BY hour`)
          const expected = [...new Set([...minutes].map((m) => Math.floor(m / HOUR) * HOUR))].sort((a, b) => a - b)
          expect(hours.map((r) => [Number(r.hour), Number(r.minutes)])).toEqual(expected.map((hour) => [hour, inWindow(hour, hour + HOUR)]))
        }),
        { numRuns: 20 },
      )
    })

    it('purges heartbeats a whole hour at a time, each hour with its minutes, and every window stays exact at every step', async () => {
      const { store, sql } = under
      await store.createServer(newServer('hb-old'), credentials('hb-old'), T0)
      // a heartbeat every other minute for five hours, before the other tests' heartbeats (purge takes every server's)
      const OLD = T0 - 10 * DAY
      const sent = Array.from({ length: 150 }, (_, i) => OLD + 2 * i * MIN)
      for (let i = 0; i < sent.length; i += 50) await store.ingest('hb-old', `old-${i}`, [], sent.slice(i, i + 50).map(heartbeat), T0, T0 - DAY)
      const windows = [[OLD, OLD + 5 * HOUR], [OLD + 7 * MIN, OLD + HOUR + 7 * MIN], [OLD + HOUR + 7 * MIN, OLD + 3 * HOUR + 7 * MIN], [OLD + 2 * HOUR + 40 * MIN, OLD + 5 * HOUR + 1]] as const
      const exact = async () => {
        const minutes = (await sql(`SELECT minute FROM server_heartbeats WHERE server_id = 'hb-old' AND minute >= ${OLD}`)).map((r) => Number(r.minute))
        const hours = await sql("SELECT hour, minutes FROM heartbeat_hours WHERE server_id = 'hb-old' ORDER BY hour")
        const held = [...new Set(minutes.map((m) => Math.floor(m / HOUR) * HOUR))].sort((x, y) => x - y)
        expect(hours.map((r) => [Number(r.hour), Number(r.minutes)])).toEqual(held.map((h) => [h, minutes.filter((m) => m >= h && m < h + HOUR).length]))
        for (const [from, to] of windows) expect(await store.heartbeatMinutes('hb-old', from, to)).toBe(minutes.filter((m) => m >= from && m < to).length)
        return minutes.length
      }
      // and a minute without its hour row, as a replica on older code wrote them: it goes once no hour row is left
      const orphan = OLD - 3 * HOUR
      expect(await sql(`INSERT INTO server_heartbeats (server_id, minute) VALUES ('hb-old', ${orphan}) RETURNING minute`)).toHaveLength(1)
      const cutoff = OLD + 2 * HOUR + 31 * MIN
      // 20 rows a step: one hour (up to 60 minutes) at a time, the two hours before 2:00 in two steps, then the orphan
      const steps = []
      for (let step = await store.purge('heartbeats', cutoff, 20); step.rows > 0; step = await store.purge('heartbeats', cutoff, 20)) {
        steps.push(step)
        await exact()
      }
      expect(steps).toEqual([{ rows: 30, deleted: 30 }, { rows: 30, deleted: 30 }, { rows: 1, deleted: 1 }])
      expect(await exact()).toBe(90)
      expect(await store.firstHeartbeat('hb-old')).toBe(OLD + 2 * HOUR)
    })

    it("deletes a server's hour counts with it", async () => {
      const { store, sql } = under
      await store.createServer(newServer('hb-gone'), credentials('hb-gone'), T0)
      await store.ingest('hb-gone', 'g-1', [], [heartbeat(T0), heartbeat(T0 + 2 * HOUR)], T0, T0 - DAY)
      const held = async () => Number((await sql("SELECT count(*) AS n FROM heartbeat_hours WHERE server_id = 'hb-gone'"))[0]?.n)
      expect(await held()).toBe(2)
      await store.deleteServer('hb-gone')
      expect(await held()).toBe(0)
    })
  })
}
