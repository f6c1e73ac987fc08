import { createHmac } from 'node:crypto'
import type { Store } from '../store/store'

/**
 * Counts unique visitors without storing who they are (Plausible's approach): a keyed hash of the day's
 * random salt, the server, the client address and the user agent. The key is a secret of this service and
 * the salt changes every UTC day (older salts are deleted), so a hash cannot be reversed or linked across
 * days. The address and user agent themselves are never stored or logged.
 */
export async function visitorHash(
  store: Store,
  secret: string,
  nowMs: number,
  serverId: string,
  address: string,
  userAgent: string,
): Promise<string> {
  const day = new Date(nowMs).toISOString().slice(0, 10)
  const salt = await store.dailySalt(day)
  return createHmac('sha256', secret).update(`${salt}\0${serverId}\0${address}\0${userAgent}`).digest('hex').slice(0, 32)
}
