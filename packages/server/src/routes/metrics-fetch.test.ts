import { createSignatureHeaders, type MetricsFetchResponse, ROUTES } from '@mcpdir/metrics/protocol'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createApp, type MetricsApp } from '../app/create-app'
import { registerServer } from '../credentials/server-credentials'
import { openSqliteStore } from '../store/sqlite/sqlite-store'

const MIN = 60_000
// 50 s into a minute: a 1h answer's window ends 10 s later
const T0 = Date.parse('2026-03-10T12:30:50Z')
const tags = { tool: 'search', outcome: 'ok' }

describe('metrics-fetch caching', () => {
  let app: MetricsApp | undefined
  let close: (() => Promise<void>) | undefined
  afterEach(async () => {
    app?.stop()
    await close?.()
  })

  async function service() {
    const store = openSqliteStore({ path: ':memory:' })
    close = () => store.close()
    const creds = await registerServer(store, { id: 'srv' }, T0 - 86_400_000)
    const clock = { now: T0 }
    app = createApp({ store, clock: () => clock.now, backgroundJobs: false })
    let batches = 0
    const send = async (calls: number, timestamp = clock.now - 30 * MIN) => {
      const body = JSON.stringify({ server_id: 'srv', metrics: [{ name: 'mcp.tool.calls', type: 'counter', value: calls, tags, timestamp }] })
      const headers = await createSignatureHeaders({ secrets: creds.signing_secret, id: `b${++batches}`, body, timestampSeconds: Math.floor(clock.now / 1000) })
      const sent = await (app as MetricsApp).request(ROUTES.metricsCollect, { method: 'POST', body, headers: { ...headers, 'x-api-key': creds.api_key } })
      expect(sent.status).toBe(200)
    }
    await send(7)
    const fetch1h = async () => {
      const response = await (app as MetricsApp).request(`${ROUTES.metricsFetch}?server_id=srv&period=1h`)
      expect(response.status).toBe(200)
      return { report: (await response.json()) as MetricsFetchResponse, cacheControl: response.headers.get('cache-control') }
    }
    return { store, clock, send, fetch1h }
  }

  it('answers a repeated read from its cache within the window, for at most the seconds left in it', async () => {
    const { store, clock, fetch1h } = await service()
    await fetch1h() // rolls up what was sent
    const first = await fetch1h()
    expect(first.report.to).toBe(Date.parse('2026-03-10T12:31:00Z'))
    // the period's age is 30 s, but the window ends in 10
    expect(first.cacheControl).toBe('public, max-age=10')
    clock.now += 5_000
    const reads = [vi.spyOn(store, 'chartRows'), vi.spyOn(store, 'coverRows'), vi.spyOn(store, 'tierRows')]
    const second = await fetch1h()
    for (const read of reads) expect(read).not.toHaveBeenCalled() // from the cache
    expect(second.report).toEqual(first.report)
    expect(second.cacheControl).toBe('public, max-age=5')
    // a report made afresh reads its chart and covers (so the spies above would have seen it)
    clock.now += 60_000
    await fetch1h()
    for (const read of reads.slice(0, 2)) expect(read).toHaveBeenCalled()
  })

  it('answers for the window of the time asked, not a kept answer for the minute before', async () => {
    const { clock, fetch1h } = await service()
    await fetch1h() // rolls up what was sent
    const first = await fetch1h()
    // 15 s later, within the period's 30 s cache age and with no new data: the window has moved on a minute
    clock.now += 15_000
    const second = await fetch1h()
    expect([second.report.from, second.report.to]).toEqual([first.report.from + MIN, first.report.to + MIN])
    expect(second.report.calls.summary.calls).toBe(7)
    expect(second.cacheControl).toBe('public, max-age=30')
  })

  it('keeps the answer of a read that rolled up first, under the version it was made from', async () => {
    const { store, fetch1h } = await service()
    const versionBefore = (await store.getServer('srv'))?.rollupVersion
    const first = await fetch1h()
    // this read rolled up the batch just sent; the next is answered from the cache, with no work in the store
    expect((await store.getServer('srv'))?.rollupVersion).toBeGreaterThan(versionBefore as number)
    const reads = [vi.spyOn(store, 'chartRows'), vi.spyOn(store, 'coverRows'), vi.spyOn(store, 'tierRows')]
    const second = await fetch1h()
    expect(second.report).toEqual(first.report)
    for (const read of reads) expect(read).not.toHaveBeenCalled()
  })

  it('never keeps a rolled-up answer under the version of a batch that arrived while it was made', async () => {
    const { store, clock, send, fetch1h } = await service()
    // a batch lands between the read's rollup and its report (the read's second look at the server, after the
    // rollup): the answer then holds it in part, and its last_seen is the time read before it
    const getServer = store.getServer.bind(store)
    let calls = 0
    let sent: Promise<void> | undefined
    vi.spyOn(store, 'getServer').mockImplementation(async (id) => {
      if (++calls === 2) {
        clock.now += 1
        sent = send(5)
        await sent
      }
      return getServer(id)
    })
    await fetch1h()
    expect(sent).toBeDefined()
    vi.restoreAllMocks()
    // the next read is made afresh from everything, not the answer made while the batch arrived
    const next = await fetch1h()
    expect(next.report.calls.summary.calls).toBe(12)
    expect(next.report.server.last_seen).toBe(clock.now)
  })
})
