'use client'
import { DEFAULT_PERIOD, type MetricsFetchResponse, type Period, STREAM_EVENT, type StreamDataEvent, type StreamMessages } from '@mcpdir/metrics/protocol'
import { useCallback, useEffect, useMemo, useState } from 'react'
import { mergeLive } from './live-merge'
import { createMetricsClient, type MetricsClientOptions } from './metrics-client'

export interface UseServerMetricsOptions extends MetricsClientOptions {
  serverId: string
  /** Period shown first. Default `7d`. */
  defaultPeriod?: Period
  /** Follow the live stream: new data appears without refetching (paused while the page is hidden). */
  live?: boolean
}

export interface ServerMetricsState {
  /** `loading` until the first answer for a period; `refreshing` while a newer one is on its way. */
  status: 'loading' | 'ready' | 'error'
  refreshing: boolean
  data: MetricsFetchResponse | undefined
  error: Error | undefined
  /** True when the server has sent nothing in the period (and its previous one). */
  isEmpty: boolean
  period: Period
  setPeriod(period: Period): void
  refetch(): void
  /** Live stream state: `connected` while messages can arrive; `paused` while the page is hidden. */
  live: { connected: boolean; paused: boolean }
}

export function isEmptyReport(data: MetricsFetchResponse): boolean {
  const usage = data.usage.totals
  return (
    data.metrics.length === 0 &&
    data.events.length === 0 &&
    data.availability === null &&
    usage.views + usage.installs + usage.tests + usage.invokes === 0
  )
}

/**
 * A server's metrics for a period, refetched when the period changes, and kept current from the live
 * stream when `live` is set. The headless half of `MetricsTab`, for sites that draw their own.
 */
export function useServerMetrics(options: UseServerMetricsOptions): ServerMetricsState {
  const { serverId, baseUrl, readToken, fetch: fetchImpl, EventSource: eventSource, live = false } = options
  const client = useMemo(
    () => createMetricsClient({ baseUrl, ...(readToken && { readToken }), ...(fetchImpl && { fetch: fetchImpl }), ...(eventSource && { EventSource: eventSource }) }),
    [baseUrl, readToken, fetchImpl, eventSource],
  )
  const [period, setPeriod] = useState<Period>(options.defaultPeriod ?? DEFAULT_PERIOD)
  const [data, setData] = useState<MetricsFetchResponse>()
  const [error, setError] = useState<Error>()
  const [pending, setPending] = useState(true)
  const [nonce, setNonce] = useState(0)
  const [connected, setConnected] = useState(false)
  const [hidden, setHidden] = useState(false)

  useEffect(() => {
    const controller = new AbortController()
    setPending(true)
    client
      .fetchMetrics(serverId, period, { signal: controller.signal })
      .then((next) => {
        setData(next)
        setError(undefined)
      })
      .catch((e: Error) => {
        if (e.name !== 'AbortError') setError(e)
      })
      .finally(() => {
        if (!controller.signal.aborted) setPending(false)
      })
    return () => controller.abort()
  }, [client, serverId, period, nonce])

  useEffect(() => {
    if (typeof document === 'undefined') return
    const update = () => setHidden(document.visibilityState === 'hidden')
    update()
    document.addEventListener('visibilitychange', update)
    return () => document.removeEventListener('visibilitychange', update)
  }, [])

  useEffect(() => {
    if (!live || hidden) return
    const apply = <K extends StreamDataEvent>(event: K) => (message: StreamMessages[K]) =>
      setData((current) => (current && current.period === period ? mergeLive(current, event, message) : current))
    // After an `overflow` the service drops this client; EventSource reconnects by itself, and what the stream
    // missed comes with a refetch once it is back.
    let overflowed = false
    const close = client.subscribe(serverId, {
      open: () => {
        setConnected(true)
        if (overflowed) setNonce((n) => n + 1)
        overflowed = false
      },
      error: () => setConnected(false),
      [STREAM_EVENT.metrics]: apply(STREAM_EVENT.metrics),
      [STREAM_EVENT.heartbeat]: apply(STREAM_EVENT.heartbeat),
      [STREAM_EVENT.usage]: apply(STREAM_EVENT.usage),
      [STREAM_EVENT.overflow]: () => {
        overflowed = true
      },
    })
    return () => {
      close()
      setConnected(false)
    }
  }, [client, serverId, period, live, hidden])

  // Coming back to a hidden page: catch up on what the paused stream missed.
  const [wasHidden, setWasHidden] = useState(false)
  useEffect(() => {
    if (hidden) setWasHidden(true)
    else if (wasHidden && live) {
      setWasHidden(false)
      setNonce((n) => n + 1)
    }
  }, [hidden, wasHidden, live])

  const refetch = useCallback(() => setNonce((n) => n + 1), [])
  const current = data && data.period === period ? data : undefined
  return {
    status: error && !pending ? 'error' : current ? 'ready' : 'loading',
    refreshing: pending && current !== undefined,
    data: current,
    error,
    isEmpty: current ? isEmptyReport(current) : false,
    period,
    setPeriod,
    refetch,
    live: { connected, paused: live && hidden },
  }
}
