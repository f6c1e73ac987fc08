'use client'
import { DEFAULT_PERIOD, type MetricsFetchResponse, type Period, STREAM_EVENT, type StreamDataEvent, type StreamMessages } from '@mcpdir/metrics/protocol'
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
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

/** A data message of the stream, as it arrived. */
type LiveMessage = { [K in StreamDataEvent]: { event: K; data: StreamMessages[K] } }[StreamDataEvent]

/**
 * A fetched report with the stream messages that arrived while it was on its way folded in, those it does not
 * hold yet: batches received after the server's `last_seen` (the answer was made before them), and
 * heartbeats (folding one in twice changes nothing). Usage messages cannot be told apart and are left to the
 * next fetch.
 */
function catchUp(report: MetricsFetchResponse, arrived: readonly LiveMessage[]): MetricsFetchResponse {
  const seen = report.server.last_seen ?? Number.NEGATIVE_INFINITY
  let merged = report
  for (const message of arrived) {
    if (message.event === STREAM_EVENT.metrics && message.data.received_at > seen) merged = mergeLive(merged, message.event, message.data)
    else if (message.event === STREAM_EVENT.heartbeat) merged = mergeLive(merged, message.event, message.data)
  }
  return merged
}

/**
 * A server's metrics for a period, refetched when the period changes, and kept current from the live
 * stream when `live` is set. The headless half of `MetricsTab`, for sites that draw their own.
 *
 * Live messages are folded into every part of the report (summaries, buckets and the per-tool, per-client,
 * resource and prompt breakdowns), so every number shown comes from the same data. The report is fetched again,
 * bypassing the browser's HTTP cache, whenever live data could have gone stale: after the stream reconnects
 * (a dropped connection or an `overflow`: what it missed comes with the fetch), when the page is shown again, and
 * when live data moves the period's window forward (the buckets that fall off leave the summaries and tables
 * too); messages that arrive while a fetch is on its way are folded into its answer.
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

  // the stream messages that arrive while a fetch is on its way, for `catchUp`
  const inFlight = useRef<LiveMessage[] | undefined>(undefined)
  // the window end of the last fetched answer (with what arrived meanwhile), and when live data last moved past it
  const fetchedTo = useRef<number | undefined>(undefined)
  const movedAt = useRef(Number.NEGATIVE_INFINITY)

  useEffect(() => {
    const controller = new AbortController()
    const arrived: LiveMessage[] = []
    inFlight.current = arrived
    setPending(true)
    client
      // live data and refetches must not be answered from the browser's HTTP cache (it may be up to an hour old)
      .fetchMetrics(serverId, period, { signal: controller.signal, fresh: live || nonce > 0 })
      .then((next) => {
        const merged = catchUp(next, arrived)
        fetchedTo.current = merged.to
        setData(merged)
        setError(undefined)
      })
      .catch((e: Error) => {
        if (e.name !== 'AbortError') setError(e)
      })
      .finally(() => {
        if (inFlight.current === arrived) inFlight.current = undefined
        if (!controller.signal.aborted) setPending(false)
      })
    return () => controller.abort()
  }, [client, serverId, period, nonce, live])

  useEffect(() => {
    if (typeof document === 'undefined') return
    const update = () => setHidden(document.visibilityState === 'hidden')
    update()
    document.addEventListener('visibilitychange', update)
    return () => document.removeEventListener('visibilitychange', update)
  }, [])

  useEffect(() => {
    if (!live || hidden) return
    const apply = <K extends StreamDataEvent>(event: K) => (message: StreamMessages[K]) => {
      inFlight.current?.push({ event, data: message } as LiveMessage)
      setData((current) => (current && current.period === period ? mergeLive(current, event, message) : current))
    }
    // The first `ready` of a subscription comes with (or after) its fetch. Any later one is a reconnect, after a
    // dropped connection or an `overflow` (the service drops a client that fell behind): what the stream missed
    // meanwhile comes with a refetch.
    let opened = false
    const close = client.subscribe(serverId, {
      open: () => {
        setConnected(true)
        if (opened) setNonce((n) => n + 1)
        opened = true
      },
      error: () => setConnected(false),
      [STREAM_EVENT.metrics]: apply(STREAM_EVENT.metrics),
      [STREAM_EVENT.heartbeat]: apply(STREAM_EVENT.heartbeat),
      [STREAM_EVENT.usage]: apply(STREAM_EVENT.usage),
    })
    return () => {
      close()
      setConnected(false)
    }
  }, [client, serverId, period, live, hidden])

  // Live data moved the window past the fetched one: the buckets that fell off are still in the summaries and
  // breakdowns, so fetch the new window (at most once a bucket width, so clocks that disagree cannot loop).
  const current = data && data.period === period ? data : undefined
  useEffect(() => {
    if (!current || fetchedTo.current === undefined || current.to <= fetchedTo.current || inFlight.current) return
    const now = Date.now()
    if (now - movedAt.current < current.bucket_ms) return
    movedAt.current = now
    setNonce((n) => n + 1)
  }, [current])

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
