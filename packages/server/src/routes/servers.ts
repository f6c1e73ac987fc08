import { createHash } from 'node:crypto'
import {
  DEFAULT_SERVER_SORT,
  DEFAULT_SERVERS_LIMIT,
  DEFAULT_SORT_ORDER,
  MAX_SERVERS_LIMIT,
  MAX_SERVERS_QUERY_LENGTH,
  SERVER_SORTS,
  type ServersListResponse,
  SORT_ORDERS,
} from '@mcpdir/metrics/protocol'
import { Hono } from 'hono'
import type { AppEnv } from '../app/app-env'
import { ApiError } from '../http/api-error'
import { isAdmin } from '../http/auth'
import { enumParam, integerParam, periodParam, textParam } from '../http/query-params'
import { listPage } from '../query/servers-list-query'

/** `Cache-Control: max-age` of list answers; with the index's refresh interval, what a client may be behind by. */
const MAX_AGE_SECONDS = 30
/** Cursors this service makes are about 100 characters; anything much longer is not one. */
const MAX_CURSOR_LENGTH = 1000

/**
 * `GET /functions/v1/servers?period&sort&order&limit&cursor&q`: public servers (with the admin key, private ones
 * too; disabled ones never) with the numbers a directory compares them by, a page at a time. Answered from the
 * headline index in memory (query/headline-index.ts), never by building reports; `Cache-Control` and an `ETag`
 * for 304s.
 */
export function serversList() {
  return new Hono<AppEnv>().get('/', async (c) => {
    const period = periodParam(c)
    const sort = enumParam(c, 'sort', SERVER_SORTS, DEFAULT_SERVER_SORT)
    const order = enumParam(c, 'order', SORT_ORDERS, DEFAULT_SORT_ORDER[sort])
    const limit = integerParam(c, 'limit', { min: 1, max: MAX_SERVERS_LIMIT }, DEFAULT_SERVERS_LIMIT)
    const q = (textParam(c, 'q', MAX_SERVERS_QUERY_LENGTH) ?? '').trim().toLowerCase()
    const cursor = textParam(c, 'cursor', MAX_CURSOR_LENGTH) || undefined
    const admin = isAdmin(c)

    const snapshot = await c.var.deps.headlines.snapshot(period)
    const page = listPage(snapshot, { sort, order, limit, cursor, q, includePrivate: admin })
    if (!page.ok) throw new ApiError(400, 'invalid_body', page.message, 'cursor')
    const body: ServersListResponse = {
      success: true,
      period,
      sort,
      order,
      from: snapshot.from,
      to: snapshot.to,
      servers: page.servers,
      next_cursor: page.nextCursor,
      total: page.total,
      computed_at: snapshot.computedAt,
    }
    const json = JSON.stringify(body)
    const etag = `W/"${createHash('sha1').update(json).digest('base64url')}"`
    c.header('Cache-Control', `${admin ? 'private' : 'public'}, max-age=${MAX_AGE_SECONDS}`)
    c.header('ETag', etag)
    // the admin key shows private servers: a shared cache must not answer one caller with another's list
    c.header('Vary', 'Authorization, X-API-Key', { append: true })
    const ifNoneMatch = c.req.header('if-none-match')
    if (ifNoneMatch?.split(',').some((tag) => tag.trim() === etag)) return c.body(null, 304)
    return c.body(json, 200, { 'content-type': 'application/json' })
  })
}
