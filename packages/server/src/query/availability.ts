import type { Store } from '../store/store'

const MINUTE = 60_000

/**
 * Share of the minutes in [from, to) that have ended by `now` and carry a heartbeat, counted from the server's
 * first heartbeat ever; `null` before there is one, or when no such minute has ended yet. The minute in
 * progress counts neither way: its heartbeat may not be due yet, and counting it as down made a server that
 * was up the whole time show, say, 66.7 % two minutes after its first heartbeat.
 */
export async function availability(store: Store, serverId: string, from: number, to: number, now: number): Promise<number | null> {
  const [share] = await availabilities(store, serverId, [[from, to]], now)
  return share ?? null
}

/** {@link availability} of several windows of one server, its first heartbeat read once and the windows at once. */
export async function availabilities(store: Store, serverId: string, windows: readonly (readonly [from: number, to: number])[], now: number): Promise<(number | null)[]> {
  const first = await store.firstHeartbeat(serverId)
  return Promise.all(
    windows.map(async ([from, to]) => {
      if (first === undefined) return null
      const start = Math.max(from, first)
      const end = Math.min(to, Math.floor(now / MINUTE) * MINUTE)
      if (end <= start) return null
      const minutes = Math.ceil((end - start) / MINUTE)
      return Math.min(1, (await store.heartbeatMinutes(serverId, start, end)) / minutes)
    }),
  )
}
