// Through the service: metrics-fetch read rules, caching and reports, the live stream, the servers list.
import { PERIOD_SPECS, PERIODS, type ServersListResponse } from '@mcpdir/metrics/protocol'
import { describe, expect, it } from 'vitest'
import { ADMIN, fetchMetrics, type Harness, HOUR, MIN, send, T0 } from './harness'

export function httpTests(h: Harness) {
  describe('metrics-fetch', () => {
    it('reads private servers only with their read token or the admin key, 404 otherwise', async () => {
      const e = await h.setup()
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
      const e = await h.setup()
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
      const e = await h.setup()
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
      const e = await h.setup()
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
      // heartbeats in 30 of the 59 minutes of the window that have ended (the current one, with its own
      // heartbeat, counts once it has ended)
      expect(body?.availability).toBeCloseTo(30 / 59, 5)
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
      const e = await h.setup()
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
      const e = await h.setup({ streamQueueLimit: 3 })
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
      const e = await h.setup()
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
}
