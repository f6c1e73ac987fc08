import type { StreamTokenResponse } from '@mcpdir/metrics/protocol'
import { type Context, Hono } from 'hono'
import { cors } from 'hono/cors'
import { ApiError } from '../http/api-error'
import type { AppEnv } from '../app/app-env'
import { isAdmin, presentedKey } from '../http/auth'
import { hashKey, isWellFormedKey } from '../credentials/keys'
import { mintStreamToken, streamTokenSecret } from '../credentials/stream-token'
import { serverIdParam } from '../http/query-params'
import type { ServerRecord } from '../store/store'

/** Read rules of metrics-fetch, with credentials in headers only (never `?token=`): this route keeps keys out of URLs. */
async function mayRead(c: Context<AppEnv>, server: ServerRecord): Promise<boolean> {
  if (!server.isPrivate || isAdmin(c)) return true
  const key = presentedKey(c)
  if (!key || !isWellFormedKey('read', key)) return false
  const { store, clock } = c.var.deps
  return (await store.findServerByKey('read', hashKey(key), clock())) === server.id
}

/**
 * `POST /functions/v1/metrics-stream/token?server_id=…`: a short-lived signed token that opens the server's
 * live stream (`?stream_token=`), for a caller that may read the server: the admin key or the server's read
 * token as `Authorization: Bearer` (anyone, for a public server). A private server the caller may not read
 * answers 404, as metrics-fetch does. Browsers on the CORS origins may call it.
 */
export function metricsStreamToken() {
  return new Hono<AppEnv>()
    .use((c, next) => {
      const origins = c.var.deps.config.corsOrigins
      return cors({
        origin: origins === '*' ? '*' : (origin) => (origins.includes(origin) ? origin : null),
        allowMethods: ['POST', 'OPTIONS'],
        allowHeaders: ['authorization'],
        maxAge: 86_400,
      })(c, next)
    })
    .post('/', async (c) => {
      const { store, clock } = c.var.deps
      const serverId = serverIdParam(c)
      const server = await store.getServer(serverId)
      if (!server || !(await mayRead(c, server))) throw new ApiError(404, 'not_found', `no server ${serverId}`, 'server_id')
      const { token, expiresAt } = mintStreamToken(await streamTokenSecret(store), server.id, clock())
      c.header('Cache-Control', 'no-store')
      return c.json({ success: true, server_id: server.id, token, expires_at: expiresAt } satisfies StreamTokenResponse)
    })
}
