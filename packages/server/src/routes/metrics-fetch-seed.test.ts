import {
  createSignatureHeaders,
  type MetricsFetchResponse,
  metricsFetchResponseSchema,
  type SeedMetricsFetchResponse,
  seedMetricsFetchResponseSchema,
} from '@mcpdir/metrics/protocol'
import { afterEach, describe, expect, it } from 'vitest'
import { createApp, type MetricsApp } from '../app/create-app'
import { registerServer, type ShownCredentials } from '../credentials/server-credentials'
import { openSqliteStore } from '../store/sqlite/sqlite-store'

const T0 = Date.parse('2026-03-10T12:30:00Z')
const MIN = 60_000
const iso = (t: number) => new Date(t).toISOString()

describe('metrics-fetch format=seed', () => {
  let app: MetricsApp | undefined
  let close: (() => Promise<void>) | undefined
  afterEach(async () => {
    app?.stop()
    await close?.()
  })

  async function service(ids: string[]) {
    const store = openSqliteStore({ path: ':memory:' })
    close = () => store.close()
    const creds: Record<string, ShownCredentials> = {}
    for (const id of ids) creds[id] = await registerServer(store, { id, name: `Server ${id}` }, T0 - 86_400_000)
    const clock = { now: T0 }
    app = createApp({ store, clock: () => clock.now, backgroundJobs: false })
    let seq = 0
    const send = async (id: string, metrics: object[], events: object[] = []) => {
      const body = JSON.stringify({ server_id: id, metrics, events })
      const c = creds[id] as ShownCredentials
      const headers = await createSignatureHeaders({ secrets: c.signing_secret, id: `b${++seq}`, body, timestampSeconds: Math.floor(clock.now / 1000) })
      const response = await (app as MetricsApp).request('/functions/v1/metrics-collect', { method: 'POST', body, headers: { ...headers, 'x-api-key': c.api_key } })
      expect(response.status, await response.clone().text()).toBe(200)
    }
    const track = async (id: string, action: string) => {
      const response = await (app as MetricsApp).request('/functions/v1/usage-track', {
        method: 'POST',
        body: JSON.stringify({ serverId: id, action }),
        headers: { 'content-type': 'application/json', 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0' },
      })
      expect(await response.json()).toEqual({ success: true, recorded: true })
    }
    const fetchBoth = async (id: string) => {
      const normal = await (app as MetricsApp).request(`/functions/v1/metrics-fetch?server_id=${id}&period=1h`)
      const seed = await (app as MetricsApp).request(`/functions/v1/metrics-fetch?server_id=${id}&period=1h&format=seed`)
      expect([normal.status, seed.status]).toEqual([200, 200])
      return { normal: (await normal.json()) as MetricsFetchResponse, seed: (await seed.json()) as SeedMetricsFetchResponse, etags: [normal.headers.get('etag'), seed.headers.get('etag')] }
    }
    return { send, track, fetchBoth }
  }

  it('maps the report of an SDK-instrumented server onto the seed shape, every value from the report', async () => {
    const { send, track, fetchBoth } = await service(['sdk'])
    for (let m = 1; m <= 5; m++) {
      const timestamp = T0 - m * MIN
      await send(
        'sdk',
        [
          { name: 'mcp.tool.calls', type: 'counter', count: m, sum: m, tags: { tool: 'search', outcome: 'ok' }, timestamp },
          { name: 'mcp.tool.duration', type: 'timer', value: 10 * m, tags: { tool: 'search' }, timestamp },
          { name: 'mcp.tool.duration', type: 'timer', value: 30 * m, tags: { tool: 'search' }, timestamp },
          { name: 'mcp.requests', type: 'counter', value: m, tags: { method: 'tools/call' }, timestamp },
          { name: 'memory_usage', type: 'gauge', value: 200 + m, timestamp },
          { name: 'response_time', type: 'gauge', value: 5 * m, timestamp },
          { name: 'queue_depth', type: 'gauge', value: m, timestamp },
        ],
        [{ type: 'heartbeat', timestamp }],
      )
    }
    await track('sdk', 'view')
    await track('sdk', 'view')
    await track('sdk', 'install')

    const { normal, seed, etags } = await fetchBoth('sdk')
    expect(metricsFetchResponseSchema.safeParse(normal).error?.issues).toBeUndefined()
    expect(seedMetricsFetchResponseSchema.safeParse(seed).error?.issues).toBeUndefined()
    const series = (name: string) => normal.metrics.find((m) => m.name === name)?.buckets ?? []
    const { metrics } = seed
    expect(metrics).toMatchObject({ server_id: 'sdk', server_name: 'Server sdk', period: '1h' })
    expect(metrics.requests).toEqual(series('mcp.tool.calls').map((b) => ({ timestamp: iso(b.t), value: b.sum })))
    expect(metrics.requests.map((p) => p.value)).toEqual([5, 4, 3, 2, 1])
    expect(metrics.latency).toEqual(series('mcp.tool.duration').map((b) => ({ timestamp: iso(b.t), value: b.avg })))
    expect(metrics.latency.map((p) => p.value)).toEqual([100, 80, 60, 40, 20])
    expect(metrics.memory.map((p) => p.value)).toEqual([205, 204, 203, 202, 201])
    expect(metrics.memory[0]?.timestamp).toBe(iso(T0 - 5 * MIN))
    expect(normal.availability).not.toBeNull()
    expect(metrics.uptime).toEqual([{ timestamp: iso(normal.from), value: (normal.availability as number) * 100 }])
    expect(metrics.views).toEqual(normal.usage.buckets.map((b) => ({ timestamp: iso(b.t), value: 2 })))
    expect(metrics.installs).toEqual(normal.usage.buckets.map((b) => ({ timestamp: iso(b.t), value: 1 })))
    // the author's own series, not the instrumentation's (mcp.requests) nor those read above
    expect(Object.keys(metrics.other_metrics).sort()).toEqual(['queue_depth', 'response_time'])
    expect(metrics.other_metrics.queue_depth?.map((p) => p.value)).toEqual([5, 4, 3, 2, 1])
    // each format its own answer and ETag, cached apart
    expect(etags[0]).not.toBe(etags[1])
    expect((await fetchBoth('sdk')).etags).toEqual(etags)
  })

  it('reads a server sending the seed payload by its own names, and refuses an unknown format', async () => {
    const { send, fetchBoth } = await service(['seedy'])
    await send('seedy', [
      { name: 'response_time', type: 'gauge', value: 120.5, tags: { endpoint: 'query' }, timestamp: iso(T0 - 2 * MIN) },
      { name: 'request_count', type: 'count', value: 7, timestamp: iso(T0 - 2 * MIN) },
      { name: 'uptime', type: 'gauge', value: 99.5, timestamp: iso(T0 - 2 * MIN) },
      { name: 'cpu_load', type: 'gauge', value: 0.25, timestamp: iso(T0 - 2 * MIN) },
    ])
    const { normal, seed } = await fetchBoth('seedy')
    expect(seedMetricsFetchResponseSchema.safeParse(seed).success).toBe(true)
    const at = iso(T0 - 2 * MIN)
    expect(seed.metrics).toEqual({
      server_id: 'seedy',
      server_name: 'Server seedy',
      period: '1h',
      uptime: [{ timestamp: at, value: 99.5 }],
      latency: [{ timestamp: at, value: 120.5 }],
      requests: [{ timestamp: at, value: 7 }],
      memory: [],
      views: [],
      installs: [],
      other_metrics: { cpu_load: [{ timestamp: at, value: 0.25 }] },
    })
    expect(normal.availability).toBeNull()

    const bad = await (app as MetricsApp).request('/functions/v1/metrics-fetch?server_id=seedy&format=supabase')
    expect(bad.status).toBe(400)
    expect(await bad.json()).toMatchObject({ success: false, error: { code: 'invalid_body', path: 'format' } })
    expect((await (app as MetricsApp).request('/functions/v1/metrics-fetch?server_id=nobody&format=seed')).status).toBe(404)
  })
})
