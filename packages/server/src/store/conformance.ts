// The conformance suite every Store implementation passes, through the service on a fake clock: rollups checked against a brute-force reference computed from the raw
// points, bucket boundaries, late data, idempotent re-aggregation, retention, read rules, caching, the live
// stream and the servers list.
import {
  type CollectBatchInput,
  createSignatureHeaders,
  type MetricsFetchResponse,
  PERIOD_SPECS,
  PERIODS,
  SKETCH_RELATIVE_ACCURACY,
  type ServersListResponse,
} from '@mcpdir/metrics/protocol'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createApp, type MetricsApp } from '../app/create-app'
import { hashKey } from '../credentials/keys'
import { applyRetention } from '../query/retention'
import { registerServer, type ShownCredentials } from '../credentials/server-credentials'
import type { Store } from './store'

const ADMIN = 'admin-key-for-query-tests'
const T0 = Date.parse('2026-03-10T12:00:00Z')
const MIN = 60_000
const HOUR = 60 * MIN
const DAY = 24 * HOUR

/** A store under test, with a way to read its tables directly and to dispose of it. */
export interface StoreUnderTest {
  store: Store
  /** Runs portable SQL (no placeholders) against the store's database. */
  sql(query: string): Promise<Record<string, unknown>[]>
  close(): Promise<void>
}

interface Env extends StoreUnderTest {
  app: MetricsApp
  clock: { now: number }
  creds: Record<string, ShownCredentials>
}
let env: Env | undefined
let open: () => Promise<StoreUnderTest>

async function setup(config: Parameters<typeof createApp>[0]['config'] = {}): Promise<Env> {
  const clock = { now: T0 }
  const under = await open()
  const { store } = under
  const creds: Record<string, ShownCredentials> = {
    pub: await registerServer(store, { id: 'pub' }, clock.now - 30 * DAY),
    priv: await registerServer(store, { id: 'priv', isPrivate: true }, clock.now - 30 * DAY),
    other: await registerServer(store, { id: 'other', isPrivate: true }, clock.now - 30 * DAY),
  }
  const app = createApp({
    store,
    clock: () => clock.now,
    backgroundJobs: false,
    config: { adminKeyHash: hashKey(ADMIN), ingestRate: { perSecond: 1e6, burst: 1e6 }, ...config },
  })
  env = { ...under, app, clock, creds }
  return env
}

let batchSeq = 0
async function send(e: Env, serverId: string, body: Omit<CollectBatchInput, 'server_id'>) {
  const json = JSON.stringify({ server_id: serverId, ...body })
  const c = e.creds[serverId] as ShownCredentials
  const headers = await createSignatureHeaders({ secrets: c.signing_secret, id: `b${++batchSeq}`, body: json, timestampSeconds: Math.floor(e.clock.now / 1000) })
  const response = await e.app.request('/functions/v1/metrics-collect', { method: 'POST', body: json, headers: { ...headers, 'x-api-key': c.api_key } })
  expect(response.status, await response.clone().text()).toBe(200)
}

async function fetchMetrics(e: Env, query: string, headers: Record<string, string> = {}) {
  const response = await e.app.request(`/functions/v1/metrics-fetch?${query}`, { headers })
  return { response, body: response.status === 200 ? ((await response.json()) as MetricsFetchResponse) : undefined }
}

/** mulberry32: small, seeded, uniform. */
function seededRandom(seed: number) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

interface RawPoint {
  name: string
  type: 'counter' | 'gauge' | 'timer'
  value: number
  timestamp: number
  tags?: Record<string, string>
}

/** The reference: each bucket computed directly from the raw observations. */
function reference(points: RawPoint[], name: string, from: number, to: number) {
  const values = points.filter((p) => p.name === name && p.timestamp >= from && p.timestamp < to)
  if (values.length === 0) return undefined
  const sorted = values.map((p) => p.value).sort((a, b) => a - b)
  const latest = values.reduce((a, b) => (b.timestamp >= a.timestamp ? b : a))
  const q = (p: number) => sorted[Math.floor(p * (sorted.length - 1))] as number
  return {
    count: values.length,
    sum: values.reduce((n, p) => n + p.value, 0),
    min: sorted[0] as number,
    max: sorted.at(-1) as number,
    last: latest.value,
    p50: q(0.5),
    p95: q(0.95),
    p99: q(0.99),
  }
}

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b))
const withinSketch = (estimate: number | undefined, exact: number) =>
  estimate !== undefined && Math.abs(estimate - exact) <= SKETCH_RELATIVE_ACCURACY * Math.abs(exact) + 1e-9

/** Runs every Store behaviour, through the service, against the stores `openStore` makes (one per test). */
export function storeConformance(name: string, openStore: () => Promise<StoreUnderTest>) {
  describe(`${name} store conformance`, () => {
    beforeAll(() => {
      open = openStore
    })
    afterEach(async () => {
      env?.app.stop()
      await env?.close()
      env = undefined
    })

    describe('the store itself', () => {
      let under: StoreUnderTest
      let store: Store
      beforeAll(async () => {
        under = await openStore()
        store = under.store
      })
      afterAll(() => under.close())

      const credentials = (tag: string) => ({ ingestKeyHash: `ingest-${tag}`, ingestKeyPrefix: 'mcpm_x…', signingSecret: `whsec_${tag}` })
      const point = (i: number, timestamp = T0) => ({ name: 'c', type: 'counter' as const, tags: {}, timestamp, count: 1, sum: i, min: i, max: i, last: i })

      it('creates, lists, disables and deletes servers; refuses a taken id', async () => {
        await store.createServer({ id: 'b-server', name: 'B', isPrivate: true, requireSignature: false }, credentials('b'), T0)
        await store.createServer({ id: 'a-server', name: 'A', isPrivate: false, requireSignature: true }, credentials('a'), T0)
        await expect(store.createServer({ id: 'a-server', name: 'again', isPrivate: false, requireSignature: true }, credentials('a2'), T0)).rejects.toThrow('already exists')
        expect((await store.listServers()).map((s) => s.id)).toEqual(['a-server', 'b-server'])
        expect(await store.getServer('b-server')).toEqual({ id: 'b-server', name: 'B', isPrivate: true, requireSignature: false, disabled: false, createdAt: T0, lastReceivedAt: null, rollupVersion: 0 })
        expect(await store.setServerDisabled('b-server', true)).toBe(true)
        expect((await store.getServer('b-server'))?.disabled).toBe(true)
        expect(await store.deleteServer('b-server')).toBe(true)
        expect(await store.deleteServer('b-server')).toBe(false)
        expect(await store.getServer('b-server')).toBeUndefined()
      })

      it('keeps rotated keys and secrets valid for the grace period only', async () => {
        await store.createServer({ id: 'rot', name: 'R', isPrivate: false, requireSignature: true }, credentials('r1'), T0)
        expect(await store.findServerByKey('ingest', 'ingest-r1', T0)).toBe('rot')
        expect(await store.findServerByKey('read', 'ingest-r1', T0)).toBeUndefined()
        await store.rotateCredentials('rot', credentials('r2'), T0 + HOUR, T0)
        expect(await store.findServerByKey('ingest', 'ingest-r1', T0 + HOUR - 1)).toBe('rot')
        expect(await store.findServerByKey('ingest', 'ingest-r1', T0 + HOUR)).toBeUndefined()
        expect(await store.findServerByKey('ingest', 'ingest-r2', T0 + DAY)).toBe('rot')
        expect(await store.signingSecrets('rot', T0)).toEqual(['whsec_r2', 'whsec_r1'])
        expect(await store.signingSecrets('rot', T0 + HOUR)).toEqual(['whsec_r2'])
        expect(await store.rotateCredentials('nobody', credentials('x'), T0, T0)).toBe(false)
      })

      it('stores a batch sent many times at once exactly once, and again after the dedupe window', async () => {
        await store.createServer({ id: 'dup', name: 'D', isPrivate: false, requireSignature: true }, credentials('d'), T0)
        const results = await Promise.all(Array.from({ length: 8 }, () => store.ingest('dup', 'batch-1', [point(5)], [], T0, T0 - DAY)))
        expect(results.filter((r) => !r.duplicate)).toEqual([{ duplicate: false, processed: 1 }])
        expect(await store.rawRows('dup', T0 - HOUR, T0 + HOUR)).toHaveLength(1)
        const later = T0 + DAY + 1
        expect(await store.ingest('dup', 'batch-1', [point(5)], [], later, later - DAY)).toEqual({ duplicate: false, processed: 1 })
        expect((await store.getServer('dup'))?.lastReceivedAt).toBe(later)
      })

      it('takes many concurrent batches with exact totals, and hands each dirty minute out once', async () => {
        await store.createServer({ id: 'many', name: 'M', isPrivate: false, requireSignature: true }, credentials('m'), T0)
        await Promise.all(Array.from({ length: 40 }, (_, i) => store.ingest('many', `b-${i}`, [point(i, T0 + (i % 4) * MIN)], [{ type: 'heartbeat', timestamp: T0, details: {} }], T0, T0 - DAY)))
        const rows = await store.rawRows('many', T0, T0 + HOUR)
        expect(rows.reduce((n, r) => n + r.sum, 0)).toBe((39 * 40) / 2)
        expect(await store.heartbeatMinutes('many', T0, T0 + HOUR)).toBe(1)
        const taken = (await Promise.all([store.takeDirtyMinutes(100), store.takeDirtyMinutes(100)])).flat().filter((d) => d.serverId === 'many')
        expect(taken.map((d) => d.minute).sort()).toEqual([T0, T0 + MIN, T0 + 2 * MIN, T0 + 3 * MIN])
      })

      it('agrees on settings and daily salts under concurrency, and forgets old salts', async () => {
        const values = await Promise.all(['x', 'y', 'z'].map((v) => store.initSetting('race', v)))
        expect(new Set(values).size).toBe(1)
        expect(await store.getSetting('race')).toBe(values[0])
        const salts = await Promise.all([store.dailySalt('2026-03-10'), store.dailySalt('2026-03-10')])
        expect(salts[0]).toBe(salts[1])
        const next = await store.dailySalt('2026-03-11')
        expect(next).not.toBe(salts[0])
        expect(await store.dailySalt('2026-03-11')).toBe(next)
      })

      it('purges in bounded steps', async () => {
        await store.createServer({ id: 'old', name: 'O', isPrivate: false, requireSignature: true }, credentials('o'), T0)
        await store.ingest('old', 'old-1', Array.from({ length: 25 }, (_, i) => point(i, T0 - 10 * DAY + i)), [], T0, T0 - DAY)
        expect(await store.purge('raw', T0 - 9 * DAY, 10)).toBe(10)
        expect(await store.purge('raw', T0 - 9 * DAY, 100)).toBe(15)
        expect(await store.purge('raw', T0 - 9 * DAY, 100)).toBe(0)
      })
    })

    describe('rollups against a brute-force reference', () => {
      it('agree for every type and period: counters exact, gauges exact, timer percentiles within 1 %', async () => {
        const e = await setup()
        // 600 points spread evenly over the last 36 hours, at distinct milliseconds (so "last" is well defined)
        const random = seededRandom(42)
        const kinds = ['counter', 'gauge', 'timer'] as const
        const ages = new Set<number>()
        while (ages.size < 600) ages.add(Math.floor(random() * 36 * HOUR))
        const raw: RawPoint[] = [...ages].map((age, i) => {
          const type = kinds[i % 3] as RawPoint['type']
          const value = type === 'counter' ? 1 + Math.floor(random() * 20) : Math.round(random() * 500_000) / 100
          return { name: `m.${type}`, type, value, timestamp: T0 - age, tags: { shard: ['a', 'b', 'c'][i % 3] as string } }
        })
        for (let i = 0; i < raw.length; i += 50) {
          await send(e, 'pub', { metrics: raw.slice(i, i + 50).map((p) => ({ ...p })) })
        }
        for (const period of PERIODS) {
          const { body } = await fetchMetrics(e, `server_id=pub&period=${period}`)
          expect(body?.tier).toBe(PERIOD_SPECS[period].tier)
          for (const series of body?.metrics ?? []) {
            for (const bucket of series.buckets) {
              const ref = reference(raw, series.name, bucket.t, bucket.t + (body?.bucket_ms as number))
              expect(ref, `${period} ${series.name} ${bucket.t}`).toBeDefined()
              if (!ref) continue
              expect(bucket.count).toBe(ref.count)
              expect(close(bucket.sum, ref.sum)).toBe(true)
              if (series.type === 'counter') {
                expect(bucket.avg).toBeUndefined()
                continue
              }
              expect(bucket.min).toBe(ref.min)
              expect(bucket.max).toBe(ref.max)
              expect(close(bucket.avg as number, ref.sum / ref.count)).toBe(true)
              if (series.type === 'gauge') expect(bucket.last).toBe(ref.last)
              if (series.type === 'timer') {
                expect(withinSketch(bucket.p50, ref.p50)).toBe(true)
                expect(withinSketch(bucket.p95, ref.p95)).toBe(true)
                expect(withinSketch(bucket.p99, ref.p99)).toBe(true)
              }
            }
            const whole = reference(raw, series.name, body!.from, body!.to)
            expect(series.summary?.count).toBe(whole?.count)
            const covered = series.buckets.reduce((n, b) => n + b.count, 0)
            expect(covered).toBe(whole?.count)
          }
        }
      })

      it('puts points on bucket boundaries in the bucket they start, and the millisecond before in the previous', async () => {
        const e = await setup()
        const boundary = Math.floor(T0 / (5 * MIN)) * 5 * MIN - 10 * MIN
        await send(e, 'pub', {
          metrics: [
            { name: 'edge', type: 'counter', value: 1, timestamp: boundary },
            { name: 'edge', type: 'counter', value: 10, timestamp: boundary - 1 },
            { name: 'edge', type: 'counter', value: 100, timestamp: boundary + 5 * MIN - 1 },
          ],
        })
        const { body } = await fetchMetrics(e, 'server_id=pub&period=6h')
        const buckets = body?.metrics.find((m) => m.name === 'edge')?.buckets
        expect(buckets).toEqual([
          { t: boundary - 5 * MIN, count: 1, sum: 10 },
          { t: boundary, count: 2, sum: 101 },
        ])
      })
    })

    describe('late data, re-aggregation and retention', () => {
      it('lands late points in their own buckets, and re-aggregating is idempotent', async () => {
        const e = await setup()
        await send(e, 'pub', { metrics: [{ name: 'c', type: 'counter', value: 5, timestamp: T0 - 30 * MIN }] })
        const before = (await fetchMetrics(e, 'server_id=pub&period=1d')).body
        e.clock.now += 3 * HOUR
        await send(e, 'pub', { metrics: [{ name: 'c', type: 'counter', value: 7, timestamp: T0 - 30 * MIN + 1 }] })
        const after = (await fetchMetrics(e, 'server_id=pub&period=1d')).body
        const bucketOf = (b: MetricsFetchResponse | undefined) => b?.metrics.find((m) => m.name === 'c')?.buckets
        expect(bucketOf(before)).toEqual([{ t: T0 - 30 * MIN, count: 1, sum: 5 }])
        expect(bucketOf(after)).toEqual([{ t: T0 - 30 * MIN, count: 2, sum: 12 }])

        const aggregate = () =>
          e.app.request('/functions/v1/metrics-aggregate', {
            method: 'POST',
            headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
            body: JSON.stringify({ date: '2026-03-10' }),
          })
        const first = (await (await aggregate()).json()) as Record<string, unknown>
        expect(first).toMatchObject({ success: true, date: '2026-03-10', metrics_aggregated: 1, retention_days: 7 })
        const rows = () =>
          e.sql('SELECT metric_name, CAST(date AS TEXT) AS date, sum_value, count_value, min_value, max_value, avg_value, p50 FROM server_metrics_daily ORDER BY metric_name')
        const daily = await rows()
        expect(daily).toMatchObject([{ metric_name: 'c', date: '2026-03-10', sum_value: 12, count_value: 2, min_value: 5, max_value: 7, avg_value: 6 }])
        await aggregate()
        expect(await rows()).toEqual(daily)
        expect(bucketOf((await fetchMetrics(e, 'server_id=pub&period=1d')).body)).toEqual(bucketOf(after))
      })

      it('purges each tier after its retention, keeping day rollups, and never recomputes from purged data', async () => {
        const e = await setup()
        for (let h = 0; h < 5; h++) await send(e, 'pub', { metrics: [{ name: 'c', type: 'counter', value: 1, timestamp: T0 - h * HOUR }] })
        await fetchMetrics(e, 'server_id=pub&period=1h')
        const count = async (table: string) => Number((await e.sql(`SELECT count(*) AS n FROM ${table}`))[0]?.n)
        expect(await count('server_metrics')).toBe(5)
        expect(await count('rollup_minute')).toBe(5)
        e.clock.now += 3 * DAY
        const deleted = await applyRetention(e.store, () => e.clock.now, e.app.deps.config.retention)
        expect(deleted).toMatchObject({ minute: 5 })
        expect(await count('server_metrics')).toBe(5)
        e.clock.now += 5 * DAY
        expect(await applyRetention(e.store, () => e.clock.now, e.app.deps.config.retention)).toMatchObject({ raw: 5 })
        expect(await count('rollup_hour')).toBe(5)
        // re-aggregating that day now finds no raw points and leaves the rollups as they are
        await e.app.deps.rollups.reaggregateDay(Date.parse('2026-03-10T00:00:00Z'))
        const { body } = await fetchMetrics(e, 'server_id=pub&period=30d')
        expect(body?.metrics.find((m) => m.name === 'c')?.summary).toEqual({ count: 5, sum: 5 })
        const ninety = (await fetchMetrics(e, 'server_id=pub&period=90d')).body
        expect(ninety?.metrics.find((m) => m.name === 'c')?.summary).toEqual({ count: 5, sum: 5 })
      })
    })

    describe('metrics-fetch', () => {
      it('reads private servers only with their read token or the admin key, 404 otherwise', async () => {
        const e = await setup()
        await send(e, 'priv', { metrics: [{ name: 'secret', type: 'gauge', value: 1 }] })
        const status = async (headers: Record<string, string>, id = 'priv') => (await fetchMetrics(e, `server_id=${id}&period=1h`, headers)).response.status
        expect(await status({})).toBe(404)
        expect(await status({ authorization: `Bearer ${e.creds.priv?.api_key}` })).toBe(404)
        expect(await status({ authorization: `Bearer ${e.creds.other?.read_token}` })).toBe(404)
        expect(await status({ authorization: `Bearer ${e.creds.priv?.read_token}` })).toBe(200)
        expect(await status({ authorization: `Bearer ${ADMIN}` })).toBe(200)
        expect(await status({}, 'pub')).toBe(200)
        const unknown = await fetchMetrics(e, 'server_id=nobody&period=1h')
        const hidden = await fetchMetrics(e, 'server_id=priv&period=1h')
        expect(((await unknown.response.json()) as { error: { message: string } }).error.message).toBe('no server nobody')
        expect(((await hidden.response.json()) as { error: { message: string } }).error.message).toBe('no server priv')
      })

      it('sets Cache-Control per period, and answers 304 for a matching ETag', async () => {
        const e = await setup()
        await send(e, 'pub', { metrics: [{ name: 'g', type: 'gauge', value: 3 }] })
        for (const period of PERIODS) {
          const { response } = await fetchMetrics(e, `server_id=pub&period=${period}`)
          expect(response.headers.get('cache-control')).toBe(`public, max-age=${PERIOD_SPECS[period].cacheSeconds}`)
        }
        const { response } = await fetchMetrics(e, 'server_id=pub&period=1h')
        const etag = response.headers.get('etag') as string
        expect((await fetchMetrics(e, 'server_id=pub&period=1h', { 'if-none-match': etag })).response.status).toBe(304)
        await send(e, 'pub', { metrics: [{ name: 'g', type: 'gauge', value: 4 }] })
        expect((await fetchMetrics(e, 'server_id=pub&period=1h', { 'if-none-match': etag })).response.status).toBe(200)
        const priv = await fetchMetrics(e, 'server_id=priv&period=1h', { authorization: `Bearer ${ADMIN}` })
        expect(priv.response.headers.get('cache-control')).toBe('private, max-age=30')
      })

      it('answers bad parameters with the parameter named', async () => {
        const e = await setup()
        for (const [query, path] of [
          ['period=1h', 'server_id'],
          ['server_id=pub&period=2d', 'period'],
          ['server_id=pub&metrics=9bad', 'metrics'],
          ['server_id=../x', 'server_id'],
        ] as const) {
          const { response } = await fetchMetrics(e, query)
          expect(response.status).toBe(400)
          expect(((await response.json()) as { error: { path: string } }).error.path).toBe(path)
        }
      })

      it('reports breakdowns, usage, events, availability and the previous period', async () => {
        const e = await setup()
        const calls = (tool: string, outcome: string, n: number, client = 'claude') => ({
          name: 'mcp.tool.calls',
          type: 'counter' as const,
          count: n,
          sum: n,
          tags: { tool, outcome, client, client_version: '1.0' },
        })
        // previous hour: 4 calls; this hour: 10 calls, 3 errors
        e.clock.now = T0 - HOUR
        await send(e, 'pub', { metrics: [calls('search', 'ok', 4)], events: [{ type: 'heartbeat' }] })
        e.clock.now = T0 - 30 * MIN
        await send(e, 'pub', {
          metrics: [calls('search', 'ok', 6), calls('search', 'error', 1), calls('fetch', 'tool_error', 2, 'cursor'), calls('fetch', 'ok', 1, 'cursor')],
          events: [{ type: 'deployment', details: { version: '2' } }, { type: 'heartbeat' }],
        })
        for (let m = 29; m >= 0; m--) {
          e.clock.now = T0 - m * MIN
          await send(e, 'pub', { events: [{ type: 'heartbeat' }] })
        }
        for (const action of ['view', 'view', 'install']) {
          await e.app.request('/functions/v1/usage-track', { method: 'POST', body: JSON.stringify({ serverId: 'pub', action }), headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0' } })
        }
        const { body } = await fetchMetrics(e, 'server_id=pub&period=1h')
        const total = body?.metrics.find((m) => m.name === 'mcp.tool.calls')
        expect(total?.summary).toEqual({ count: 10, sum: 10 })
        expect(total?.previous).toEqual({ count: 4, sum: 4 })
        expect(body?.breakdowns.tools).toEqual([
          { key: 'search', calls: 7, errors: 1, error_rate: 1 / 7, p50: null, p95: null },
          { key: 'fetch', calls: 3, errors: 2, error_rate: 2 / 3, p50: null, p95: null },
        ])
        expect(body?.calls.summary).toEqual({ calls: 10, errors: 3, error_rate: 0.3, p50: null, p95: null, p99: null })
        expect(body?.calls.previous).toMatchObject({ calls: 4, errors: 0, error_rate: 0 })
        expect(body?.calls.buckets.map((b) => [b.t, b.calls, b.errors])).toEqual([[T0 - 30 * MIN, 10, 3]])
        expect(body?.breakdowns.clients.map((c) => [c.key, c.calls])).toEqual([
          ['claude', 7],
          ['cursor', 3],
        ])
        expect(body?.usage.totals).toEqual({ views: 2, installs: 1, tests: 0, invokes: 0, unique_visitors: 1 })
        expect(body?.events.map((ev) => ev.type)).toEqual(['deployment'])
        // heartbeats in 31 of the 60 minutes of the window that ends with the current minute
        expect(body?.availability).toBeCloseTo(31 / 60, 5)
        expect(body?.server.last_seen).toBe(e.clock.now)
      })
    })

    describe('metrics-stream', () => {
      async function readEvents(response: Response, count: number) {
        const reader = (response.body as ReadableStream<Uint8Array>).getReader()
        const decoder = new TextDecoder()
        let text = ''
        const events: { event: string; data: unknown }[] = []
        while (events.length < count) {
          const { value, done } = await reader.read()
          if (done) break
          text += decoder.decode(value, { stream: true })
          let end = text.indexOf('\n\n')
          while (end !== -1) {
            const block = text.slice(0, end)
            text = text.slice(end + 2)
            const event = /^event: (.*)$/m.exec(block)?.[1]
            const data = /^data: (.*)$/m.exec(block)?.[1]
            if (event && data) events.push({ event, data: JSON.parse(data) })
            end = text.indexOf('\n\n')
          }
        }
        await reader.cancel()
        return events
      }

      it('delivers each accepted batch and usage, in order, to readers of the server', async () => {
        const e = await setup()
        const response = await e.app.request('/functions/v1/metrics-stream?server_id=pub')
        expect(response.headers.get('content-type')).toContain('text/event-stream')
        const reading = readEvents(response, 5)
        await new Promise((r) => setTimeout(r, 10))
        for (let i = 1; i <= 3; i++) await send(e, 'pub', { metrics: [{ name: 'seq', type: 'counter', value: i }] })
        await e.app.request('/functions/v1/usage-track', { method: 'POST', body: JSON.stringify({ serverId: 'pub', action: 'view' }) })
        const events = await reading
        expect(events.map((ev) => ev.event)).toEqual(['ready', 'metrics', 'metrics', 'metrics', 'usage'])
        expect(events.slice(1, 4).map((ev) => (ev.data as { points: { sum: number }[] }).points[0]?.sum)).toEqual([1, 2, 3])
      })

      it('keeps private streams private, and drops a client that falls behind', async () => {
        const e = await setup({ streamQueueLimit: 3 })
        expect((await e.app.request('/functions/v1/metrics-stream?server_id=priv')).status).toBe(404)
        const ok = await e.app.request(`/functions/v1/metrics-stream?server_id=priv&token=${e.creds.priv?.read_token}`)
        expect(ok.status).toBe(200)
        await ok.body?.cancel()

        const slow = await e.app.request('/functions/v1/metrics-stream?server_id=pub')
        for (let i = 0; i < 20; i++) await send(e, 'pub', { metrics: [{ name: 'seq', type: 'counter', value: i }] })
        const events = await readEvents(slow, 100)
        expect(events.at(-1)?.event).toBe('overflow')
        expect(events.filter((ev) => ev.event === 'metrics').length).toBeLessThan(20)
      })
    })

    describe('servers list', () => {
      it('compares public servers by headline numbers; private ones only for the admin', async () => {
        const e = await setup()
        await send(e, 'pub', {
          metrics: [
            { name: 'mcp.tool.calls', type: 'counter', count: 8, sum: 8, tags: { tool: 't', outcome: 'ok' } },
            { name: 'mcp.tool.calls', type: 'counter', count: 2, sum: 2, tags: { tool: 't', outcome: 'error' } },
            { name: 'mcp.tool.duration', type: 'timer', value: 120, tags: { tool: 't', outcome: 'ok' } },
          ],
          events: [{ type: 'heartbeat' }],
        })
        const list = (await (await e.app.request('/functions/v1/servers?period=1d')).json()) as ServersListResponse
        expect(list.servers.map((s) => s.id)).toEqual(['pub'])
        expect(list.servers[0]).toMatchObject({ calls: 10, error_rate: 0.2, installs: 0 })
        expect(list.servers[0]?.p95_ms).toBeCloseTo(120, 0)
        const admin = (await (await e.app.request('/functions/v1/servers?period=1d', { headers: { authorization: `Bearer ${ADMIN}` } })).json()) as ServersListResponse
        expect(admin.servers.map((s) => s.id)).toEqual(['other', 'priv', 'pub'])
      })
    })
  })
}
