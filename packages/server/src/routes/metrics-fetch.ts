import { createHash } from 'node:crypto'
import { METRICS_FETCH_FORMAT_PARAM, METRICS_FETCH_FORMATS, type MetricsFetchResponse, PERIOD_SPECS } from '@mcpdir/metrics/protocol'
import { Hono } from 'hono'
import type { AppEnv } from '../app/app-env'
import { enumParam, metricsParam, periodParam, serverIdParam } from '../http/query-params'
import { readableServer } from '../http/read-access'
import { periodWindow, serverReport } from '../query/server-report'
import { seedMetricsResponse } from './metrics-fetch-seed'

/**
 * `GET /functions/v1/metrics-fetch?server_id&period&metrics&format`: a server's metrics for a period, from the
 * tier of its bucket width, with summaries for "% change", breakdowns, usage, events and
 * availability; with `format=seed`, the same report in the seed design's shape (metrics-fetch-seed.ts). Cached
 * per period and format (`Cache-Control`), with an `ETag` for 304s, never past the end of the answer's window:
 * once the newest bucket closes, the period has moved on and a kept answer would show the wrong hour.
 */
export function metricsFetch() {
  return new Hono<AppEnv>().get('/', async (c) => {
    const { store, clock, rollups, reportCache } = c.var.deps
    const serverId = serverIdParam(c)
    const period = periodParam(c)
    const names = metricsParam(c)
    const format = enumParam(c, METRICS_FETCH_FORMAT_PARAM, METRICS_FETCH_FORMATS, 'report')
    const server = await readableServer(c, serverId)
    const spec = PERIOD_SPECS[period]
    const now = clock()
    const windowEnd = periodWindow(period, now).to
    const respond = (json: string, etag: string) => {
      // counted from when the answer leaves, as caches count it, so none keeps it past the window's end
      const maxAge = Math.max(0, Math.min(spec.cacheSeconds, Math.floor((windowEnd - clock()) / 1000)))
      c.header('Cache-Control', `${server.isPrivate ? 'private' : 'public'}, max-age=${maxAge}`)
      c.header('ETag', etag)
      if (server.isPrivate) c.header('Vary', 'Authorization, X-API-Key')
      const ifNoneMatch = c.req.header('if-none-match')
      if (ifNoneMatch && ifNoneMatch.split(',').some((tag) => tag.trim() === etag)) return c.body(null, 304)
      return c.body(json, 200, { 'content-type': 'application/json' })
    }
    const key = `${server.id}|${period}|${names?.join(',') ?? ''}|${format}`
    const versionOf = (rollupVersion: number) => `${server.lastReceivedAt}:${rollupVersion}:${windowEnd}`
    const cached = reportCache.get(key, versionOf(server.rollupVersion))
    if (cached) return respond(cached.body, cached.etag)

    // the 1m tier is merged at ingest, but its chart rows and the coarser tiers (every report reads them) may have
    // dirty minutes of this server still to roll up
    let version = versionOf(server.rollupVersion)
    if ((await rollups.runPendingFor(server.id)) > 0) {
      // Rolling up moved the server's rollup version: keep the answer under the new one, so the next read finds
      // it. Its received time stays the one read first: a batch that arrived since may be in this answer's
      // minute rows but not yet in its coarse ones, and must void it.
      version = versionOf((await store.getServer(server.id))?.rollupVersion ?? server.rollupVersion)
    }
    const report = await serverReport(store, server, period, now, names)
    const body: MetricsFetchResponse = {
      success: true,
      server: { id: server.id, name: server.name, is_private: server.isPrivate, last_seen: server.lastReceivedAt },
      period,
      tier: report.window.tier,
      bucket_ms: report.window.bucketMs,
      from: report.window.from,
      to: report.window.to,
      metrics: report.metrics,
      calls: report.calls,
      breakdowns: report.breakdowns,
      usage: report.usage,
      events: report.events,
      availability: report.availability,
      previous_availability: report.previousAvailability,
    }
    const json = JSON.stringify(format === 'seed' ? seedMetricsResponse(body) : body)
    const etag = `W/"${createHash('sha1').update(json).digest('base64url')}"`
    reportCache.set(key, server.id, version, Math.min(spec.cacheSeconds * 1000, 60_000), json, etag)
    return respond(json, etag)
  })
}
