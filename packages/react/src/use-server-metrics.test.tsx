import { STREAM_EVENT, type StreamEvent } from '@mcpdir/metrics/protocol'
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

describe('useServerMetrics live', () => {
  it('folds stream messages in, and refetches when the stream is back after an overflow', async () => {
    const { fetch, calls } = fakeFetch((period) => report(period))
    const { EventSource, sources } = fakeEventSource()
    const { result } = renderHook(() => useServerMetrics({ serverId: 'srv', baseUrl: 'http://metrics.test', fetch, EventSource, live: true, defaultPeriod: '1h' }))
    await waitFor(() => expect(result.current.status).toBe('ready'))
    const source = sources[0]
    if (!source) throw new Error('no stream opened')
    act(() => source.emit(STREAM_EVENT.ready, { server_id: 'srv' }))
    expect(result.current.live.connected).toBe(true)

    const data = result.current.data
    if (!data) throw new Error('no data')
    act(() => source.emit(STREAM_EVENT.heartbeat, { server_id: 'srv', timestamp: data.to - 1 }))
    expect(result.current.data?.server.last_seen).toBe(data.to - 1)

    act(() => source.emit(STREAM_EVENT.overflow, { reason: 'client fell behind; reconnect and refetch' }))
    expect(calls).toHaveLength(1)
    act(() => source.emit(STREAM_EVENT.ready, { server_id: 'srv' }))
    await waitFor(() => expect(calls).toHaveLength(2))
    act(() => source.emit(STREAM_EVENT.ready, { server_id: 'srv' }))
    expect(calls).toHaveLength(2)
  })
})
