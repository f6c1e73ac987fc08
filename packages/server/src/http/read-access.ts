import type { Context } from 'hono'
import { ApiError } from './api-error'
import type { AppEnv } from '../app/app-env'
import { isAdmin, presentedKey } from './auth'
import { hashKey, isWellFormedKey } from '../credentials/keys'
import type { ServerRecord } from '../store/store'

/**
 * The server a read request may see. Public servers are readable by anyone; private ones by their read
 * token or the admin key; to anyone else a private server does not exist (404, the same answer as an
 * unknown id). Ingest keys do not grant reading.
 */
export async function readableServer(c: Context<AppEnv>, serverId: string): Promise<ServerRecord> {
  const server = await c.var.deps.store.getServer(serverId)
  if (server && (!server.isPrivate || (await canReadPrivate(c, server.id)))) return server
  throw new ApiError(404, 'not_found', `no server ${serverId}`, 'server_id')
}

export async function canReadPrivate(c: Context<AppEnv>, serverId: string): Promise<boolean> {
  if (isAdmin(c)) return true
  const key = presentedKey(c) ?? c.req.query('token')
  if (!key || !isWellFormedKey('read', key)) return false
  return (await c.var.deps.store.findServerByKey('read', hashKey(key), c.var.deps.clock())) === serverId
}
