import { STREAM_EVENT, type StreamEvent, type StreamPoint } from '@mcpdir/metrics/protocol'
import { act, cleanup, renderHook, waitFor } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { fakeFetch, report } from '../test/fixtures'
import { useServerMetrics } from './use-server-metrics'

afterEach(cleanup)

/** An EventSource the test drives: `emit` delivers a stream message to the hook's listeners. */
function fakeEventSource() {
  const sources: { url: string; emit: (event: StreamEvent, data: unknown) => void }[] = []
  class Source {
    private readonly listeners = new Map<string, ((e: { data: string }) => void)[]>()
    constructor(readonly url: string) {
      sources.push({ url, emit: (event, data) => this.listeners.get(event)?.forEach((l) => l({ data: JSON.stringify(data) })) })
    }
    addEventListener(type: string, listener: (e: { data: string }) => void) {
      this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener])
    }
    close() {}
  }
  return { EventSource: Source as unknown as typeof EventSource, sources }
}

const callsPoint = (timestamp: number, n: number): StreamPoint => ({
  name: 'mcp.tool.calls',
  type: 'counter',
  tags: { tool: 'search', outcome: 'ok', client: 'claude-ai' },
  timestamp,
  count: 1,
  sum: n,
})

describe('useServerMetrics live', () => {
  it('folds stream messages in, and refetches past the browser cache whenever the stream is back', async () => {
    const { fetch, calls, inits } = fakeFetch((period) => report(period))
    const { EventSource, sources } = fakeEventSource()
    const { result } = renderHook(() => useServerMetrics({ serverId: 'srv', baseUrl: 'http://metrics.test', fetch, EventSource, live: true, defaultPeriod: '1h' }))
    await waitFor(() => expect(result.current.status).toBe('ready'))
    const source = sources[0]
    if (!source) throw new Error('no stream opened')
    act(() => source.emit(STREAM_EVENT.ready, { server_id: 'srv' }))
    expect(result.current.live.connected).toBe(true)
    expect(calls).toHaveLength(1)

    const data = result.current.data
    if (!data) throw new Error('no data')
    act(() => source.emit(STREAM_EVENT.heartbeat, { server_id: 'srv', timestamp: data.to - 1 }))
    expect(result.current.data?.server.last_seen).toBe(data.to - 1)

    // a dropped connection: EventSource reconnects by itself, and what the stream missed comes with a refetch
    act(() => source.emit('error' as StreamEvent, {}))
    expect(result.current.live.connected).toBe(false)
    act(() => source.emit(STREAM_EVENT.ready, { server_id: 'srv' }))
    await waitFor(() => expect(calls).toHaveLength(2))

    // an overflow: the service drops this client, which reconnects and refetches
    act(() => source.emit(STREAM_EVENT.overflow, { reason: 'client fell behind; reconnect and refetch' }))
    expect(calls).toHaveLength(2)
    act(() => source.emit(STREAM_EVENT.ready, { server_id: 'srv' }))
    await waitFor(() => expect(calls).toHaveLength(3))
    await waitFor(() => expect(result.current.refreshing).toBe(false))

    // live data is never read from the browser's HTTP cache (a 1h answer may be kept 30 s, a 7d one 15 min)
    expect(inits.map((init) => init?.cache)).toEqual(['no-cache', 'no-cache', 'no-cache'])
  })

  it('revalidates a refetch with the service rather than reading the HTTP cache', async () => {
    const { fetch, inits } = fakeFetch((period) => report(period))
    const { result } = renderHook(() => useServerMetrics({ serverId: 'srv', baseUrl: 'http://metrics.test', fetch, defaultPeriod: '7d' }))
    await waitFor(() => expect(result.current.status).toBe('ready'))
    act(() => result.current.refetch())
    await waitFor(() => expect(inits).toHaveLength(2))
    expect(inits.map((init) => init?.cache)).toEqual([undefined, 'no-cache'])
  })

  it('folds in what arrived while a refetch was on its way, once', async () => {
    let release!: () => void
    const gate = new Promise<void>((r) => {
      release = r
    })
    const first = report('1h')
    const seen = first.server.last_seen as number
    const { fetch, calls } = fakeFetch(async (period, call) => {
      if (call === 1) return first
      await gate
      // the service had stored the batch received at seen + 1000 (5 calls) when it answered, not the later one
      const answer = report(period)
      answer.server.last_seen = seen + 1_000
      answer.calls.summary.calls += 5
      return answer
    })
    const { EventSource, sources } = fakeEventSource()
    const { result } = renderHook(() => useServerMetrics({ serverId: 'srv', baseUrl: 'http://metrics.test', fetch, EventSource, live: true, defaultPeriod: '1h' }))
    await waitFor(() => expect(result.current.status).toBe('ready'))
    const source = sources[0]
    if (!source) throw new Error('no stream opened')
    act(() => source.emit(STREAM_EVENT.ready, { server_id: 'srv' }))
    act(() => source.emit(STREAM_EVENT.overflow, { reason: 'behind' }))
    act(() => source.emit(STREAM_EVENT.ready, { server_id: 'srv' }))
    await waitFor(() => expect(calls).toHaveLength(2))
    const batch = (receivedAt: number, n: number) => ({ server_id: 'srv', received_at: receivedAt, points: [callsPoint(seen + 1_000, n)], events: [] })
    act(() => source.emit(STREAM_EVENT.metrics, batch(seen + 1_000, 5)))
    act(() => source.emit(STREAM_EVENT.metrics, batch(seen + 3_000, 7)))
    expect(result.current.data?.calls.summary.calls).toBe(first.calls.summary.calls + 12)
    await act(async () => release())
    await waitFor(() => expect(result.current.refreshing).toBe(false))
    // the answer holds the first batch; the second is folded in; neither counts twice
    expect(result.current.data?.calls.summary.calls).toBe(first.calls.summary.calls + 12)
    expect(result.current.data?.server.last_seen).toBe(seen + 3_000)
  })

  it('fetches the new window when live data moves it forward, at most once a bucket width', async () => {
    const { fetch, calls } = fakeFetch((period) => report(period))
    const { EventSource, sources } = fakeEventSource()
    const { result } = renderHook(() => useServerMetrics({ serverId: 'srv', baseUrl: 'http://metrics.test', fetch, EventSource, live: true, defaultPeriod: '1h' }))
    await waitFor(() => expect(result.current.status).toBe('ready'))
    const source = sources[0]
    const data = result.current.data
    if (!source || !data) throw new Error('no stream or no data')
    act(() => source.emit(STREAM_EVENT.ready, { server_id: 'srv' }))
    // within the window: folded in, no fetch
    act(() => source.emit(STREAM_EVENT.metrics, { server_id: 'srv', received_at: data.to - 1, points: [callsPoint(data.to - 1, 3)], events: [] }))
    expect(result.current.data?.calls.summary.calls).toBe(data.calls.summary.calls + 3)
    expect(calls).toHaveLength(1)
    // past its end: the oldest bucket falls off the charts, and the summaries and tables are fetched for the new window
    act(() => source.emit(STREAM_EVENT.metrics, { server_id: 'srv', received_at: data.to + 1_000, points: [callsPoint(data.to + 1_000, 4)], events: [] }))
    await waitFor(() => expect(calls).toHaveLength(2))
    await waitFor(() => expect(result.current.refreshing).toBe(false))
    act(() => source.emit(STREAM_EVENT.metrics, { server_id: 'srv', received_at: data.to + 2_000, points: [callsPoint(data.to + 2_000, 1)], events: [] }))
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(calls).toHaveLength(2)
  })
})
