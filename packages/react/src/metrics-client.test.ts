// @vitest-environment node
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { errorResponseBody, ROUTES, STREAM_EVENT, STREAM_EVENTS, STREAM_TOKEN_PARAM, STREAM_TOKEN_TTL_MS, type StreamTokenResponse } from '@mcpdir/metrics/protocol'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createMetricsClient, MetricsClientError } from './metrics-client'

const received: { url?: string; body: unknown }[] = []
const server = createServer(async (req: IncomingMessage, res) => {
  let raw = ''
  for await (const chunk of req) raw += chunk
  const body = JSON.parse(raw)
  received.push({ url: req.url, body })
  res.setHeader('content-type', 'application/json')
  if (body.action === 'like') {
    res.statusCode = 400
    res.end(JSON.stringify(errorResponseBody('invalid_body', 'action: Invalid option', 'action')))
    return
  }
  if (body.action === 'proxy') {
    res.statusCode = 502
    res.end(JSON.stringify({ error: 'bad gateway' }))
    return
  }
  res.end(JSON.stringify({ success: true, recorded: true }))
})
let baseUrl = ''

beforeAll(async () => {
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok))
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
})
afterAll(() => new Promise<void>((ok) => server.close(() => ok())))

describe('metrics client', () => {
  it('posts single and batched usage records to usage-track', async () => {
    const client = createMetricsClient({ baseUrl })
    expect(await client.trackUsage({ serverId: 's1', action: 'view' })).toEqual({ recorded: true })
    await client.trackUsage([{ serverId: 's1', action: 'install' }])
    expect(received.map((r) => r.url)).toEqual([ROUTES.usageTrack, ROUTES.usageTrack])
    expect(received[1]?.body).toEqual({ records: [{ serverId: 's1', action: 'install' }] })
  })

  it("rejects with the service's error code and message", async () => {
    const client = createMetricsClient({ baseUrl })
    const error = await client.trackUsage({ serverId: 's1', action: 'like' as 'view' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(MetricsClientError)
    expect(error).toMatchObject({ status: 400, code: 'invalid_body', message: 'action: Invalid option' })
  })

  it('answers http_error for a refusal that is not the error envelope', async () => {
    const client = createMetricsClient({ baseUrl })
    const error = await client.trackUsage({ serverId: 's1', action: 'proxy' as 'view' }).catch((e: unknown) => e)
    expect(error).toMatchObject({ status: 502, code: 'http_error', message: 'HTTP 502' })
  })

  it('reports network failures as network_error', async () => {
    const client = createMetricsClient({ baseUrl: 'http://127.0.0.1:1' })
    await expect(client.trackUsage({ serverId: 's', action: 'view' })).rejects.toMatchObject({ code: 'network_error' })
  })

  it('subscribes to every stream event with its handler, and opens on ready', () => {
    const { EventSource, sources } = fakeEventSources()
    const client = createMetricsClient({ baseUrl, EventSource })
    const seen: string[] = []
    const close = client.subscribe('srv', {
      open: () => seen.push('open'),
      ready: (d) => seen.push(`ready ${d.server_id}`),
      metrics: (d) => seen.push(`metrics ${d.points.length}`),
      heartbeat: (d) => seen.push(`heartbeat ${d.timestamp}`),
      usage: (d) => seen.push(`usage ${d.actions.join()}`),
      overflow: (d) => seen.push(`overflow ${d.reason}`),
    })
    const source = sources[0] as FakeEventSource
    expect(new URL(source.url).pathname).toBe(ROUTES.metricsStream)
    expect([...new URL(source.url).searchParams.keys()]).toEqual(['server_id'])
    for (const event of STREAM_EVENTS) expect(source.listeners.has(event), event).toBe(true)
    source.emit(STREAM_EVENT.ready, { server_id: 'srv' })
    source.emit(STREAM_EVENT.metrics, { server_id: 'srv', received_at: 1, points: [], events: [] })
    source.emit(STREAM_EVENT.heartbeat, { server_id: 'srv', timestamp: 2 })
    source.emit(STREAM_EVENT.usage, { server_id: 'srv', timestamp: 3, actions: ['view'] })
    source.emit(STREAM_EVENT.overflow, { reason: 'behind' })
    expect(seen).toEqual(['ready srv', 'open', 'metrics 0', 'heartbeat 2', 'usage view', 'overflow behind'])
    close()
    expect(source.closed).toBe(true)
  })

  it('opens a private stream with a stream token asked for with the read token in a header, never the key in a URL', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    try {
      const { EventSource, sources } = fakeEventSources()
      const minted: { url: string; method: string | undefined; authorization: string | null }[] = []
      const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
        minted.push({ url: String(input), method: init?.method, authorization: new Headers(init?.headers).get('authorization') })
        const body: StreamTokenResponse = { success: true, server_id: 'srv', token: `mcpst_${minted.length}.sig`, expires_at: Date.now() + STREAM_TOKEN_TTL_MS }
        return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } })
      }) as typeof globalThis.fetch
      const client = createMetricsClient({ baseUrl, readToken: 'mcpa_secret', EventSource, fetch })
      const seen: string[] = []
      const close = client.subscribe('srv', { open: () => seen.push('open'), error: () => seen.push('error') })
      await vi.waitFor(() => expect(sources).toHaveLength(1))
      expect(minted).toEqual([{ url: `${baseUrl.replace(/\/$/, '')}${ROUTES.metricsStreamToken}?server_id=srv`, method: 'POST', authorization: 'Bearer mcpa_secret' }])
      const first = sources[0] as FakeEventSource
      const url = new URL(first.url)
      expect(url.pathname).toBe(ROUTES.metricsStream)
      expect(Object.fromEntries(url.searchParams)).toEqual({ server_id: 'srv', [STREAM_TOKEN_PARAM]: 'mcpst_1.sig' })
      expect(first.url).not.toContain('mcpa_secret')

      // a dropped connection the browser retries by itself (same URL): nothing to do
      first.readyState = 0
      first.emit('error', {})
      await vi.advanceTimersByTimeAsync(60_000)
      expect(sources).toHaveLength(1)
      // the browser gave up (the token expired before it reconnected): a new token, a new stream
      first.readyState = 2
      first.emit('error', {})
      expect(first.closed).toBe(true)
      await vi.advanceTimersByTimeAsync(1_000)
      await vi.waitFor(() => expect(sources).toHaveLength(2))
      expect(new URL((sources[1] as FakeEventSource).url).searchParams.get(STREAM_TOKEN_PARAM)).toBe('mcpst_2.sig')
      ;(sources[1] as FakeEventSource).emit(STREAM_EVENT.ready, { server_id: 'srv' })
      expect(seen).toEqual(['error', 'error', 'open'])
      close()
      expect((sources[1] as FakeEventSource).closed).toBe(true)
    } finally {
      vi.useRealTimers()
    }
  })
})

class FakeEventSource {
  readonly listeners = new Map<string, ((e: { data: string }) => void)[]>()
  closed = false
  readyState = 1
  constructor(readonly url: string) {
    fakeEventSources.made.push(this)
  }
  addEventListener(type: string, listener: (e: { data: string }) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener])
  }
  close() {
    this.closed = true
  }
  emit(type: string, data: unknown) {
    for (const listener of this.listeners.get(type) ?? []) listener({ data: JSON.stringify(data) })
  }
}

/** EventSources the test drives, in the order the client made them. */
function fakeEventSources() {
  fakeEventSources.made = []
  return { EventSource: FakeEventSource as unknown as typeof EventSource, sources: fakeEventSources.made }
}
fakeEventSources.made = [] as FakeEventSource[]
