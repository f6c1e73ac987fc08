import { MCP_METRICS, type ServerHeadline, type ServersListResponse } from '@mcpdir/metrics/protocol'
import { Hono } from 'hono'
import type { AppEnv } from '../app/app-env'
import { isAdmin } from '../http/auth'
import { periodParam } from '../http/query-params'
import { serverReport } from '../query/server-report'

/**
 * `GET /functions/v1/servers?period=…`: public servers (with the admin key, private ones too) with the
 * numbers a directory compares them by.
 */
export function serversList() {
  return new Hono<AppEnv>().get('/', async (c) => {
    const { store, clock, rollups } = c.var.deps
    const period = periodParam(c)
    const admin = isAdmin(c)
    await rollups.runPending()
    const now = clock()
    const servers: ServerHeadline[] = []
    for (const server of await store.listServers()) {
      if (server.disabled || (server.isPrivate && !admin)) continue
      const report = await serverReport(store, server, period, now, [MCP_METRICS.tool.calls, MCP_METRICS.tool.duration])
      const { calls, error_rate, p95 } = report.calls.summary
      servers.push({
        id: server.id,
        name: server.name,
        is_private: server.isPrivate,
        last_seen: server.lastReceivedAt,
        calls,
        error_rate,
        p95_ms: p95,
        installs: report.usage.totals.installs,
        views: report.usage.totals.views,
        availability: report.availability,
      })
    }
    const body: ServersListResponse = { success: true, period, servers }
    c.header('Cache-Control', `${admin ? 'private' : 'public'}, max-age=30`)
    return c.json(body)
  })
}
