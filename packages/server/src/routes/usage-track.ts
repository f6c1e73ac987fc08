import { describeIssues, parseUsageTrack, STREAM_EVENT } from '@mcpdir/metrics/protocol'
import { getConnInfo } from '@hono/node-server/conninfo'
import { type Context, Hono } from 'hono'
import { cors } from 'hono/cors'
import { isbot } from 'isbot'
import { ApiError } from '../http/api-error'
import type { AppEnv } from '../app/app-env'
import { readJson } from '../http/read-json'
import type { UsageRow } from '../store/store'
import { visitorHash } from '../ingest/visitor-hash'

function clientAddress(c: Context<AppEnv>): string {
  if (c.var.deps.config.trustProxy) {
    const forwarded = c.req.header('x-forwarded-for')?.split(',')[0]?.trim()
    if (forwarded) return forwarded
  }
  try {
    return getConnInfo(c).remote.address ?? ''
  } catch {
    return '' // not on @hono/node-server: every visitor of a day then shares one hash per user agent
  }
}

/**
 * `POST /functions/v1/usage-track`: public, called from browsers. Records views, installs, tests and
 * invokes; known bots are answered 2xx and not recorded; unknown or disabled servers likewise (so the
 * endpoint does not reveal which servers exist). No address or user agent is stored.
 */
export function usageTrack(corsOrigins: '*' | string[]) {
  return new Hono<AppEnv>()
    .use(
      cors({
        origin: corsOrigins === '*' ? '*' : (origin) => (corsOrigins.includes(origin) ? origin : null),
        allowMethods: ['POST', 'OPTIONS'],
        allowHeaders: ['content-type'],
        maxAge: 86_400,
      }),
    )
    .post('/', async (c) => {
      const { store, clock, usageLimiter, visitorSecret, metrics, hub } = c.var.deps
      const now = clock()
      const address = clientAddress(c)
      usageLimiter.take(`usage:${address}`)
      const parsed = parseUsageTrack(readJson(c.var.body))
      if (!parsed.ok) throw new ApiError(400, 'invalid_body', describeIssues(parsed.issues), parsed.issues[0]?.path)

      const userAgent = c.req.header('user-agent') ?? ''
      if (isbot(userAgent)) return c.json({ success: true, recorded: false })

      const live = new Map<string, boolean>()
      for (const id of new Set(parsed.value.map((r) => r.serverId))) {
        const server = await store.getServer(id)
        live.set(id, server !== undefined && !server.disabled)
      }
      const secret = await visitorSecret()
      const rows: UsageRow[] = []
      for (const record of parsed.value) {
        if (!live.get(record.serverId)) continue
        rows.push({ ...record, visitorHash: await visitorHash(store, secret, now, record.serverId, address, userAgent), timestamp: now })
      }
      if (rows.length === 0) return c.json({ success: true, recorded: false })
      await store.recordUsage(rows)
      metrics.usageRecorded.inc(rows.length)
      for (const serverId of new Set(rows.map((r) => r.serverId))) {
        c.var.deps.reportCache.invalidate(serverId)
        c.var.deps.headlines.invalidate(serverId)
        const actions = rows.filter((r) => r.serverId === serverId).map((r) => r.action)
        hub.publish(serverId, { event: STREAM_EVENT.usage, data: { server_id: serverId, timestamp: now, actions } })
      }
      return c.json({ success: true, recorded: true })
    })
}
