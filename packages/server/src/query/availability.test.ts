import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { registerServer } from '../credentials/server-credentials'
import { openStore } from '../store/open-store'
import type { Store } from '../store/store'
import { availability } from './availability'

const MIN = 60_000
const T0 = Date.parse('2026-03-10T12:00:00Z')
let store: Store

beforeEach(async () => {
  store = await openStore(':memory:')
  await registerServer(store, { id: 'up' }, T0 - 3_600_000)
})
afterEach(() => store.close())

const heartbeats = async (...minutes: number[]) => {
  for (const [i, m] of minutes.entries()) await store.ingest('up', `hb-${m}-${i}`, [], [{ type: 'heartbeat', timestamp: m, details: {} }], m, 0)
}

describe('availability', () => {
  it('is null before the first minute with a heartbeat has ended', async () => {
    expect(await availability(store, 'up', T0 - 3_600_000, T0 + MIN, T0)).toBeNull()
    await heartbeats(T0 + 5_000)
    expect(await availability(store, 'up', T0 - 3_600_000, T0 + MIN, T0 + 50_000)).toBeNull()
  })

  it('counts only minutes that have ended: a server up the whole time is at 100 %, at any second of a minute', async () => {
    await heartbeats(T0, T0 + MIN, T0 + 2 * MIN)
    for (const second of [0, 1, 30, 59.999]) {
      const now = T0 + 2 * MIN + second * 1000
      expect(await availability(store, 'up', T0 - 3_600_000, T0 + 3 * MIN, now)).toBe(1)
    }
    // the minute in progress has no heartbeat yet: it is not counted as down
    expect(await availability(store, 'up', T0 - 3_600_000, T0 + 4 * MIN, T0 + 3 * MIN + 30_000)).toBe(1)
    // once it has ended without one, it is: 3 of 4
    expect(await availability(store, 'up', T0 - 3_600_000, T0 + 4 * MIN, T0 + 4 * MIN)).toBe(3 / 4)
  })

  it('counts from the later of the window start and the first heartbeat, and stops at the window end', async () => {
    await heartbeats(T0, T0 + 2 * MIN)
    // window [T0 + MIN, T0 + 3 MIN) long past: minutes T0+1 (down) and T0+2 (up)
    expect(await availability(store, 'up', T0 + MIN, T0 + 3 * MIN, T0 + 60 * MIN)).toBe(1 / 2)
    // a window that ended before the first heartbeat
    expect(await availability(store, 'up', T0 - 10 * MIN, T0, T0 + 60 * MIN)).toBeNull()
  })
})
