// Stream tokens (the protocol's `stream-token.ts`): short-lived, signed grants to open one server's live stream,
// so no long-lived key travels in a URL. HMAC-SHA256 over the server id and the expiry, keyed by a random
// secret kept in the database (every replica of a PostgreSQL deployment shares it). A token says nothing about
// who asked for it: only the service can make one, and only for a caller that could read the server.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { STREAM_TOKEN_TTL_MS } from '@mcpdir/metrics/protocol'
import type { Store } from '../store/store'

const PREFIX = 'mcpst_'
const SETTING = 'stream_token_secret'
const SIGNATURE_CHARS = 43 // base64url of 32 bytes
const TOKEN = new RegExp(`^${PREFIX}([0-9a-z]{1,11})\\.([A-Za-z0-9_-]{${SIGNATURE_CHARS}})$`)

const secrets = new WeakMap<Store, Promise<string>>()

/** The signing secret of a store's stream tokens, made on first use and then read once per process. */
export function streamTokenSecret(store: Store): Promise<string> {
  let secret = secrets.get(store)
  if (!secret) {
    secret = store.initSetting(SETTING, randomBytes(32).toString('base64url'))
    secrets.set(store, secret)
    secret.catch(() => secrets.delete(store))
  }
  return secret
}

function sign(secret: string, serverId: string, expiresAt: number): string {
  return createHmac('sha256', secret).update(`metrics-stream\n${serverId}\n${expiresAt}`).digest('base64url')
}

/** A token that opens `serverId`'s stream until `now + ttlMs`. */
export function mintStreamToken(secret: string, serverId: string, now: number, ttlMs = STREAM_TOKEN_TTL_MS) {
  const expiresAt = now + ttlMs
  return { token: `${PREFIX}${expiresAt.toString(36)}.${sign(secret, serverId, expiresAt)}`, expiresAt }
}

/** `valid` when `token` was made by this service for `serverId` and has not expired at `now`. */
export function checkStreamToken(secret: string, serverId: string, token: string, now: number): 'valid' | 'expired' | 'invalid' {
  const match = TOKEN.exec(token)
  if (!match) return 'invalid'
  const expiresAt = Number.parseInt(match[1] as string, 36)
  const expected = Buffer.from(sign(secret, serverId, expiresAt))
  if (!timingSafeEqual(expected, Buffer.from(match[2] as string))) return 'invalid'
  return now < expiresAt ? 'valid' : 'expired'
}
