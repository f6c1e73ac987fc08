import { timingSafeEqual } from 'node:crypto'
import type { Context } from 'hono'
import { ApiError } from './api-error'
import type { AppEnv } from '../app/app-env'
import { hashKey, isWellFormedKey } from '../credentials/keys'
import type { ServerRecord } from '../store/store'

/** The credential of a request: `X-API-Key`, or `Authorization: Bearer`. */
export function presentedKey(c: Context<AppEnv>): string | undefined {
  const header = c.req.header('x-api-key')
  if (header) return header.trim()
  const authorization = c.req.header('authorization')
  const match = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null
  return match?.[1]
}

/**
 * The server an ingest key belongs to, and the key's hash (what the key is known by in memory: never the key
 * itself); 401 for a missing, malformed or unknown key, 403 when disabled.
 */
export async function authenticateIngest(c: Context<AppEnv>): Promise<{ server: ServerRecord; keyHash: string }> {
  const { store, clock } = c.var.deps
  const key = presentedKey(c)
  if (!key) throw new ApiError(401, 'missing_api_key', 'send the server ingest key as X-API-Key or Authorization: Bearer')
  const keyHash = hashKey(key)
  const serverId = isWellFormedKey('ingest', key) ? await store.findServerByKey('ingest', keyHash, clock()) : undefined
  const server = serverId ? await store.getServer(serverId) : undefined
  if (!server) throw new ApiError(401, 'invalid_api_key', 'the API key is not a valid ingest key')
  if (server.disabled) throw new ApiError(403, 'server_disabled', `server ${server.id} is disabled`)
  return { server, keyHash }
}

/** True when the request carries the admin key. */
export function isAdmin(c: Context<AppEnv>): boolean {
  const expected = c.var.deps.config.adminKeyHash
  const key = presentedKey(c)
  if (!expected || !key) return false
  return timingSafeEqual(Buffer.from(hashKey(key)), Buffer.from(expected))
}

export function requireAdmin(c: Context<AppEnv>): void {
  if (!presentedKey(c)) throw new ApiError(401, 'unauthorized', 'send the admin key as Authorization: Bearer')
  if (!isAdmin(c)) throw new ApiError(403, 'forbidden', 'this endpoint needs the admin key')
}
