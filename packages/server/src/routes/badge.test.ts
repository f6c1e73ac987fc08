// GET /badge/:serverId/:metric.svg and .json in-process on a fake clock: every metric in both formats, colours by
// threshold, the numbers of metrics-fetch for the same server and period, one 404 for private, disabled and
// unknown servers, precise 400s, Cache-Control per period, ETags and 304s, and no store read once the headline
// index is built.
import {
  BADGE_COLOR_HEX,
  BADGE_METRICS,
  type BadgeColor,
  type BadgeEndpointResponse,
  type BadgeMetric,
  badgeEndpointResponseSchema,
  formatBadgeValue,
  type MetricsFetchResponse,
  MAX_BADGE_LABEL_LENGTH,
  PERIOD_SPECS,
  type Period,
} from '@mcpdir/metrics/protocol'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Store } from '../store/store'
import { calls, DAY, duration, type ListFixture, listFixture, MIN, T0 } from './servers.fixture'

let f: ListFixture
let storeCalls = 0

/** Counts every call the service makes on its store. */
const counting = (store: Store): Store =>
  new Proxy(store, {
    get(target, key) {
      const value = Reflect.get(target, key)
      return typeof value === 'function' ? (...args: unknown[]) => (storeCalls++, value.apply(target, args)) : value
    },
  })

/** Heartbeats in the minutes of the last hour before T0 (11:01 … 11:59 for the 1h window), but `missing` of them. */
const heartbeats = (missing: number) =>
  Array.from({ length: 59 - missing }, (_, i) => ({ type: 'heartbeat' as const, timestamp: T0 - (59 - i) * MIN + 1_000 }))
const durations = (ms: number, n: number) => Array.from({ length: n }, (_, i) => duration(ms, T0 - 30 * MIN + i))

beforeAll(async () => {
  f = listFixture({ wrap: counting })
  for (const id of ['steady', 'shaky', 'broken', 'quiet', 'gone']) await f.addServer(id, { name: id })
  await f.addServer('secret', { isPrivate: true })
  await f.send('steady', [calls(12_300, T0 - 30 * MIN), calls(50, T0 - 30 * MIN, 'error'), ...durations(120, 20)], heartbeats(0))
  await f.send('shaky', [calls(97, T0 - 30 * MIN), calls(3, T0 - 30 * MIN, 'tool_error'), ...durations(2_000, 20)], heartbeats(2))
  await f.send('broken', [calls(10, T0 - 30 * MIN), calls(10, T0 - 30 * MIN, 'error'), ...durations(9_000, 20)], heartbeats(19))
  await f.send('steady', [calls(400, T0 - 3 * DAY)]) // in 7d, not in 1h
  for (const id of ['secret', 'gone']) await f.send(id, [calls(5, T0 - 30 * MIN)], heartbeats(0))
  await f.store.setServerDisabled('gone', true)
  for (let i = 0; i < 3; i++) await f.use('steady', 'view', `Mozilla/5.0 (X11; Linux) Firefox/${140 + i}`)
  await f.use('steady', 'install')
})
afterAll(() => f.close())

const get = (path: string, headers: Record<string, string> = {}) => f.app.request(path, { headers })
async function json(id: string, metric: BadgeMetric, query = '') {
  const response = await get(`/badge/${id}/${metric}.json${query}`)
  expect(response.status, `${id} ${metric} ${query}`).toBe(200)
  const body = (await response.json()) as BadgeEndpointResponse
  expect(badgeEndpointResponseSchema.safeParse(body).success).toBe(true)
  return body
}
async function svg(id: string, metric: BadgeMetric, query = '') {
  const response = await get(`/badge/${id}/${metric}.svg${query}`)
  expect(response.status, `${id} ${metric} ${query}`).toBe(200)
  expect(response.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8')
  return response.text()
}

/** What metrics-fetch says of the same number, for the same server and period. */
function fetchedValue(report: MetricsFetchResponse, metric: BadgeMetric): number | null {
  const values: Record<BadgeMetric, number | null> = {
    calls: report.calls.summary.calls,
    p95: report.calls.summary.p95,
    'error-rate': report.calls.summary.error_rate,
    availability: report.availability,
    installs: report.usage.totals.installs,
    views: report.usage.totals.views,
  }
  return values[metric]
}

describe('badges', () => {
  it('show every metric in both formats with the label, message and colour of the JSON in the SVG', async () => {
    for (const metric of BADGE_METRICS) {
      const body = await json('steady', metric)
      const image = await svg('steady', metric)
      const spoken = `${body.label}: ${body.message}`
      expect(image).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="\d+" height="20" role="img"/)
      expect(image).toContain(`aria-label="${spoken}"`)
      expect(image).toContain(`<title>${spoken}</title>`)
      expect(image).toContain(`fill="${BADGE_COLOR_HEX[body.color]}"`)
      expect(image).toContain(`>${body.message}</text>`)
      expect(body.cacheSeconds).toBe(PERIOD_SPECS['7d'].cacheSeconds)
    }
    expect(await json('steady', 'calls')).toEqual({ schemaVersion: 1, label: 'calls (7d)', message: '12k', color: 'blue', cacheSeconds: 900 })
    expect(await json('steady', 'calls', '?period=1h')).toMatchObject({ label: 'calls (1h)', message: '12k' })
    expect(await json('steady', 'views')).toMatchObject({ label: 'views (7d)', message: '3', color: 'blue' })
    expect(await json('steady', 'installs')).toMatchObject({ label: 'installs (7d)', message: '1', color: 'blue' })
    expect(await json('steady', 'p95')).toMatchObject({ label: 'p95 latency (7d)', message: '120 ms' })
  })

  it('colour availability, error rate and p95 by the thresholds, and grey without a number', async () => {
    const colours = async (id: string) => Promise.all((['availability', 'error-rate', 'p95'] as const).map(async (m) => (await json(id, m, '?period=1h')).color))
    expect(await colours('steady')).toEqual<BadgeColor[]>(['brightgreen', 'brightgreen', 'brightgreen'])
    expect(await colours('shaky')).toEqual<BadgeColor[]>(['yellow', 'yellow', 'yellow'])
    expect(await colours('broken')).toEqual<BadgeColor[]>(['red', 'red', 'red'])
    expect(await colours('quiet')).toEqual<BadgeColor[]>(['lightgrey', 'lightgrey', 'lightgrey'])
    expect(await json('steady', 'availability', '?period=1h')).toMatchObject({ message: '100 %' })
    expect(await json('shaky', 'availability', '?period=1h')).toMatchObject({ message: '96.61 %' }) // 57 of 59 minutes
    expect(await json('shaky', 'error-rate', '?period=1h')).toMatchObject({ message: '3 %' })
    expect(await json('broken', 'error-rate', '?period=1h')).toMatchObject({ message: '50 %' })
    expect(await json('quiet', 'p95')).toMatchObject({ message: 'no data', color: 'lightgrey' })
    expect(await json('quiet', 'calls')).toMatchObject({ message: '0', color: 'blue' })
    expect(await svg('broken', 'availability', '?period=1h')).toContain(`fill="${BADGE_COLOR_HEX.red}"`)
  })

  it('show the numbers metrics-fetch answers for the same server and period', async () => {
    for (const period of ['1h', '7d', '30d'] as Period[]) {
      for (const id of ['steady', 'shaky', 'broken', 'quiet']) {
        const response = await get(`/functions/v1/metrics-fetch?server_id=${id}&period=${period}`)
        const report = (await response.json()) as MetricsFetchResponse
        for (const metric of BADGE_METRICS) {
          const badge = await json(id, metric, `?period=${period}`)
          expect(badge.message, `${id} ${metric} ${period}`).toBe(formatBadgeValue(metric, fetchedValue(report, metric)))
        }
      }
    }
    // and the numbers themselves, not only their formatting: the 7d calls include the call three days ago
    expect(await json('steady', 'calls', '?period=1h&label=x')).toMatchObject({ message: '12k' })
    const week = (await (await get('/functions/v1/metrics-fetch?server_id=steady&period=7d')).json()) as MetricsFetchResponse
    expect(week.calls.summary.calls).toBe(12_750)
    expect(await json('steady', 'calls')).toMatchObject({ message: '12k' })
  })

  it('take a label (even empty) and a style', async () => {
    expect(await json('steady', 'calls', '?label=tool%20calls')).toMatchObject({ label: 'tool calls' })
    expect(await json('steady', 'calls', '?style=flat-square')).toMatchObject({ style: 'flat-square' })
    expect(await json('steady', 'calls')).not.toHaveProperty('style')
    const empty = await svg('steady', 'calls', '?label=')
    expect(empty).toContain('aria-label="12k"')
    const escaped = await svg('steady', 'calls', `?label=${encodeURIComponent('<a href="x">&</a>')}`)
    expect(escaped).toContain('<title>&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;: 12k</title>')
    expect(escaped).not.toContain('<a ')
    expect(await svg('steady', 'calls', '?style=flat')).toContain('rx="3"')
    const square = await svg('steady', 'calls', '?style=flat-square')
    expect(square).toContain('shape-rendering="crispEdges"')
    expect(square).not.toContain('rx="3"')
    expect(await svg('steady', 'calls', `?label=${'W'.repeat(MAX_BADGE_LABEL_LENGTH)}`)).toContain(`>${'W'.repeat(MAX_BADGE_LABEL_LENGTH)}</text>`)
  })

  it('answer private, disabled and unknown servers with one and the same 404', async () => {
    for (const format of ['svg', 'json']) {
      const answers = await Promise.all(
        ['secret', 'gone', 'nobody'].map(async (id) => {
          const response = await get(`/badge/${id}/calls.${format}`)
          return { status: response.status, headers: [...response.headers], body: await response.text() }
        }),
      )
      expect(answers[0]?.status).toBe(404)
      expect(JSON.parse(answers[0]?.body ?? '')).toEqual({ success: false, error: { code: 'not_found', message: 'no public server with this id', path: 'server_id' } })
      expect(answers[1]).toEqual(answers[0])
      expect(answers[2]).toEqual(answers[0])
    }
    // the admin key reads private servers elsewhere, not here: a badge is a public image
    const admin = await get('/badge/secret/calls.svg', { authorization: 'Bearer servers-list-admin-key-0123' })
    expect(admin.status).toBe(404)
  })

  it('refuse a bad metric, format, period, style, label or id with a 400 naming it', async () => {
    const refusals: [string, string, string][] = [
      ['/badge/steady/latency.svg', 'metric', 'metric must be one of calls, p95, error-rate, availability, installs, views'],
      ['/badge/steady/error_rate.json', 'metric', 'metric must be one of calls, p95, error-rate, availability, installs, views'],
      ['/badge/steady/calls.png', 'format', 'a badge is {metric}.svg or {metric}.json, not "calls.png"'],
      ['/badge/steady/calls', 'format', 'a badge is {metric}.svg or {metric}.json, not "calls"'],
      ['/badge/steady/calls.svg?period=2d', 'period', 'period must be one of 1h, 6h, 12h, 1d, 7d, 30d, 90d'],
      ['/badge/steady/calls.svg?style=plastic', 'style', 'style must be one of flat, flat-square'],
      [`/badge/steady/calls.svg?label=${'x'.repeat(MAX_BADGE_LABEL_LENGTH + 1)}`, 'label', `label must be at most ${MAX_BADGE_LABEL_LENGTH} characters`],
      ['/badge/steady/calls.json?label=a%0Ab', 'label', 'label must not contain control characters'],
      ['/badge/-bad/calls.svg', 'server_id', 'server id must be 1-128 characters: a letter or digit, then letters, digits, _ . -'],
    ]
    for (const [path, param, message] of refusals) {
      const response = await get(path)
      expect(response.status, path).toBe(400)
      expect(await response.json(), path).toEqual({ success: false, error: { code: 'invalid_body', message, path: param } })
    }
    // parameters are checked before the server is looked up: an unknown server's bad request is a 400 too
    expect((await get('/badge/nobody/calls.svg?period=2d')).status).toBe(400)
  })

  it('carry Cache-Control per period and an ETag that answers 304, and change when the numbers do', async () => {
    for (const period of ['1h', '7d', '90d'] as Period[]) {
      const response = await get(`/badge/steady/calls.svg?period=${period}`)
      expect(response.headers.get('cache-control')).toBe(`public, max-age=${PERIOD_SPECS[period].cacheSeconds}`)
    }
    const first = await get('/badge/steady/calls.svg')
    const etag = first.headers.get('etag') ?? ''
    expect(etag).toMatch(/^W\/"[\w-]+"$/)
    const again = await get('/badge/steady/calls.svg', { 'if-none-match': `"other", ${etag}` })
    expect(again.status).toBe(304)
    expect(await again.text()).toBe('')
    expect(again.headers.get('etag')).toBe(etag)
    expect(again.headers.get('cache-control')).toBe('public, max-age=900')
    const asJson = await get('/badge/steady/calls.json', { 'if-none-match': etag })
    expect(asJson.status).toBe(200)
    const relabelled = await get('/badge/steady/calls.svg?label=x', { 'if-none-match': etag })
    expect(relabelled.status).toBe(200)

    await f.send('steady', [calls(1_000, T0 - 20 * MIN)])
    await f.app.deps.headlines.refresh()
    const after = await get('/badge/steady/calls.svg', { 'if-none-match': etag })
    expect(after.status).toBe(200)
    expect(await after.text()).toContain('>13k</text>')
  })

  it('read no store once the headline index is built: no report per badge', async () => {
    await get('/badge/steady/calls.svg?period=12h') // builds the 12h index on its first read
    const before = storeCalls
    expect(before).toBeGreaterThan(0) // the count sees the store's reads
    for (const metric of BADGE_METRICS) {
      for (const id of ['steady', 'shaky', 'broken', 'quiet', 'secret', 'nobody']) {
        await get(`/badge/${id}/${metric}.svg?period=12h`)
        await get(`/badge/${id}/${metric}.json?period=12h`)
      }
    }
    expect(storeCalls).toBe(before)
  })
})
