import type { Store } from '../store/store'

const MINUTE = 60_000

/**
 * Share of the minutes in [from, to) that have ended by `now` and carry a heartbeat, counted from the server's
 * first heartbeat still kept; `null` before there is one, or when no such minute has ended yet. The minute in
 * progress counts neither way: its heartbeat may not be due yet, and counting it as down made a server that
 * was up the whole time show, say, 66.7 % two minutes after its first heartbeat.
 */
export async function availability(store: Store, serverId: string, from: number, to: number, now: number): Promise<number | null> {
  const [share] = await availabilities(store, serverId, [[from, to]], now)
  return share ?? null
}

/**
 * {@link availability} of several windows of one server. There are no heartbeats before the first, so a window's
 * count from its own start is its count from the first heartbeat: the first heartbeat and every count are asked
 * at once (on PostgreSQL, one round trip), and only the number of minutes the share divides by waits for it.
 */
export async function availabilities(store: Store, serverId: string, windows: readonly (readonly [from: number, to: number])[], now: number): Promise<(number | null)[]> {
  const ended = Math.floor(now / MINUTE) * MINUTE
  const ends = windows.map(([, to]) => Math.min(to, ended))
  const [first, ...counts] = await Promise.all([
    store.firstHeartbeat(serverId),
    ...windows.map(([from], i) => ((ends[i] as number) > from ? store.heartbeatMinutes(serverId, from, ends[i] as number) : 0)),
  ])
  return windows.map(([from], i) => {
    if (first === undefined) return null
    const start = Math.max(from, first)
    const end = ends[i] as number
    if (end <= start) return null
    return Math.min(1, (counts[i] as number) / Math.ceil((end - start) / MINUTE))
  })
}
