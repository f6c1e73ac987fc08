import { createHash } from 'node:crypto'
import {
  BADGE_FORMATS,
  BADGE_METRICS,
  BADGE_STYLES,
  badgeLabelProblem,
  DEFAULT_BADGE_STYLE,
  isBadgeMetric,
  PERIOD_SPECS,
  type ServerHeadline,
  serverIdProblem,
} from '@mcpdir/metrics/protocol'
import { Hono } from 'hono'
import type { AppEnv } from '../app/app-env'
import { ApiError } from '../http/api-error'
import { enumParam, periodParam } from '../http/query-params'
import type { HeadlineSnapshot } from '../query/servers-list-query'
import { badgeContent, badgeEndpointBody, renderBadgeSvg } from './badge-render'

/** The one 404 message: the same words for a private, a disabled and an unknown server (no existence leak). */
const NOT_FOUND = 'no public server with this id'

// A snapshot's servers by id, made once per snapshot (a refresh that changes anything makes a new snapshot).
const byId = new WeakMap<HeadlineSnapshot, Map<string, ServerHeadline>>()

function publicHeadline(snapshot: HeadlineSnapshot, serverId: string): ServerHeadline | undefined {
  let servers = byId.get(snapshot)
  if (!servers) byId.set(snapshot, (servers = new Map(snapshot.entries.map((e) => [e.headline.id, e.headline]))))
  const headline = servers.get(serverId)
  return headline && !headline.is_private ? headline : undefined
}

/** `{metric}.svg` or `{metric}.json`, checked: the path's last segment. */
function parseFile(file: string) {
  const dot = file.lastIndexOf('.')
  const [metric, format] = dot < 0 ? [file, ''] : [file.slice(0, dot), file.slice(dot + 1)]
  if (!(BADGE_FORMATS as readonly string[]).includes(format)) {
    throw new ApiError(400, 'invalid_body', `a badge is {metric}.svg or {metric}.json, not ${JSON.stringify(file)}`, 'format')
  }
  if (!isBadgeMetric(metric)) throw new ApiError(400, 'invalid_body', `metric must be one of ${BADGE_METRICS.join(', ')}`, 'metric')
  return { metric, format: format as (typeof BADGE_FORMATS)[number] }
}

/**
 * `GET /badge/:serverId/:metric.svg` and `.json` `?period&label&style`: a README badge of a public server's
 * headline number over a period, as an SVG or a shields.io endpoint body. Read from the servers list's headline
 * index in memory (query/headline-index.ts), never a report; `Cache-Control` per period and an `ETag` for 304s.
 * Private, disabled and unknown servers answer the same 404; bad parameters a 400 naming the parameter.
 */
export function badge() {
  return new Hono<AppEnv>().get('/:serverId/:file', async (c) => {
    const { metric, format } = parseFile(c.req.param('file'))
    const period = periodParam(c)
    const style = enumParam(c, 'style', BADGE_STYLES, DEFAULT_BADGE_STYLE)
    const label = c.req.query('label')
    const labelProblem = label === undefined ? undefined : badgeLabelProblem(label)
    if (labelProblem) throw new ApiError(400, 'invalid_body', labelProblem, 'label')
    const serverId = c.req.param('serverId')
    const idProblem = serverIdProblem(serverId)
    if (idProblem) throw new ApiError(400, 'invalid_body', idProblem, 'server_id')

    // the index keeps private servers (for the admin's list) and leaves disabled ones out: both are no badge
    const headline = publicHeadline(await c.var.deps.headlines.snapshot(period), serverId)
    if (!headline) throw new ApiError(404, 'not_found', NOT_FOUND, 'server_id')

    const content = badgeContent(headline, metric, period, label)
    const [body, type] =
      format === 'json'
        ? [JSON.stringify(badgeEndpointBody(content, period, c.req.query('style') ? style : undefined)), 'application/json']
        : [await renderBadgeSvg(content, style), 'image/svg+xml; charset=utf-8']
    const etag = `W/"${createHash('sha1').update(body).digest('base64url')}"`
    c.header('Cache-Control', `public, max-age=${PERIOD_SPECS[period].cacheSeconds}`)
    c.header('ETag', etag)
    c.header('X-Content-Type-Options', 'nosniff')
    // an SVG opened on its own is a document of this origin: it may run nothing and load nothing
    if (format === 'svg') c.header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'")
    const ifNoneMatch = c.req.header('if-none-match')
    if (ifNoneMatch?.split(',').some((tag) => tag.trim() === etag)) return c.body(null, 304)
    return c.body(body, 200, { 'content-type': type })
  })
}
