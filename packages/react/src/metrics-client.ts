import {
  type ErrorCode,
  type MetricsFetchResponse,
  type Period,
  parseErrorResponse,
  routeUrl,
  type ServersListQuery,
  type ServersListResponse,
  serversListParams,
  STREAM_EVENT,
  STREAM_EVENTS,
  STREAM_TOKEN_PARAM,
  type StreamMessages,
  type StreamTokenResponse,
  type UsageRecord,
} from '@mcpdir/metrics/protocol'

export interface MetricsClientOptions {
  /** The service's origin, e.g. `https://metrics.example.com`. */
  baseUrl: string
  /**
   * Read token of a private server (or the admin key): sent as `Authorization: Bearer`, never in a URL (the
   * live stream opens with a short-lived stream token asked for with it).
   */
  readToken?: string
  /** `fetch` to use; defaults to the global one. */
  fetch?: typeof fetch
  /** `EventSource` to use for `subscribe`; defaults to the global one. */
  EventSource?: typeof EventSource
}

export interface TrackResult {
  recorded: boolean
}

/**
 * What a failed call's `code` is: the service's error code (the protocol's `ERROR_CODES`), `network_error`
 * when no answer came, or `http_error` for an answer that is not the protocol's error envelope.
 */
export type MetricsClientErrorCode = ErrorCode | 'network_error' | 'http_error'

/** The error every client call rejects with: the service's error code and message, or a network failure. */
export class MetricsClientError extends Error {
  override readonly name = 'MetricsClientError'
  constructor(
    message: string,
    readonly status: number,
    readonly code: MetricsClientErrorCode,
  ) {
    super(message)
  }
}

/** Handlers of a live stream, one per SSE event of the protocol's `StreamMessages`, plus open and error. */
export type StreamHandlers = { [K in keyof StreamMessages]?: (data: StreamMessages[K]) => void } & {
  /** The stream opened (or reopened after a drop): its `ready` message arrived. */
  open?: () => void
  /** The stream broke; it reconnects by itself unless closed (and `open` follows once it is back). */
  error?: () => void
}

/** `EventSource.CLOSED`: the browser gave up reconnecting (an answer other than 200, such as an expired stream token). */
const CLOSED = 2
/** Reopening after the browser gave up: 1 s, doubling to at most 30 s, reset by a `ready`. */
const reopenDelay = (failures: number) => Math.min(30_000, 1_000 * 2 ** failures)

/** A browser-safe client for the service's public and read endpoints, typed from the protocol module. */
export function createMetricsClient(options: MetricsClientOptions) {
  const base = options.baseUrl.replace(/\/+$/, '')
  const doFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init))
  const auth: Record<string, string> = options.readToken ? { authorization: `Bearer ${options.readToken}` } : {}

  async function request<T>(url: string, init: RequestInit = {}): Promise<T> {
    let response: Response
    try {
      response = await doFetch(url, init)
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error
      throw new MetricsClientError(`network error: ${(error as Error).message}`, 0, 'network_error')
    }
    const json: unknown = await response.json().catch(() => undefined)
    if (!response.ok) {
      const error = parseErrorResponse(json)
      throw new MetricsClientError(error?.message ?? `HTTP ${response.status}`, response.status, error?.code ?? 'http_error')
    }
    return json as T
  }

  const client = {
    /** A server's metrics for a period (`metrics-fetch`). */
    fetchMetrics(serverId: string, period: Period, opts: { metrics?: string[]; signal?: AbortSignal; fresh?: boolean } = {}): Promise<MetricsFetchResponse> {
      const query = new URLSearchParams({ server_id: serverId, period })
      if (opts.metrics?.length) query.set('metrics', opts.metrics.join(','))
      // `fresh`: revalidate with the service (its ETag makes an unchanged answer a 304) instead of reading the
      // browser's HTTP cache, which may keep an answer for its Cache-Control age (up to an hour)
      return request(routeUrl(base, 'metricsFetch', query), { headers: auth, ...(opts.signal && { signal: opts.signal }), ...(opts.fresh && { cache: 'no-cache' }) })
    },

    /**
     * A short-lived token that opens a server's live stream (`metrics-stream/token`), asked for with `readToken`
     * in a header. `subscribe` gets one by itself; for clients of their own.
     */
    streamToken(serverId: string, opts: { signal?: AbortSignal } = {}): Promise<StreamTokenResponse> {
      return request(routeUrl(base, 'metricsStreamToken', { server_id: serverId }), { method: 'POST', headers: auth, ...(opts.signal && { signal: opts.signal }) })
    },

    /**
     * A page of the servers list with headline numbers (`servers`): public servers, private ones too with the
     * admin key as `readToken`. Sort, order, search (`q`) and page size as in `ServersListQuery`; pass the
     * answer's `next_cursor` as `cursor` (with the same other parameters) for the next page.
     */
    listServers(query: ServersListQuery = {}, opts: { signal?: AbortSignal } = {}): Promise<ServersListResponse> {
      return request(routeUrl(base, 'servers', serversListParams(query)), { headers: auth, ...(opts.signal && { signal: opts.signal }) })
    },

    /** The first page of the servers list for a period, by name. @deprecated Use `listServers`, which pages and sorts. */
    fetchServers(period: Period, opts: { signal?: AbortSignal } = {}): Promise<ServersListResponse> {
      return request(routeUrl(base, 'servers', { period }), { headers: auth, ...(opts.signal && { signal: opts.signal }) })
    },

    /** Records what a visitor did with a server (`usage-track`). */
    async trackUsage(record: UsageRecord | UsageRecord[]): Promise<TrackResult> {
      const body = Array.isArray(record) ? { records: record } : record
      const result = await request<{ recorded?: boolean }>(routeUrl(base, 'usageTrack'), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        keepalive: true,
      })
      return { recorded: result.recorded === true }
    },

    /**
     * Live messages of a server (`metrics-stream`); answers a function that closes the stream. With `readToken`
     * it first asks for a stream token (the credential stays in a header) and opens the stream with that. When
     * the browser gives up reconnecting (an answer other than 200: the token expired, the service restarted),
     * it opens anew after a while, with a new token.
     */
    subscribe(serverId: string, handlers: StreamHandlers): () => void {
      const Source = options.EventSource ?? globalThis.EventSource
      if (!Source) return () => {}
      let source: EventSource | undefined
      let timer: ReturnType<typeof setTimeout> | undefined
      let closed = false
      let failures = 0
      const reopen = () => {
        if (closed) return
        timer = setTimeout(() => void open(), reopenDelay(failures++))
      }
      const open = async () => {
        const query = new URLSearchParams({ server_id: serverId })
        if (options.readToken) {
          try {
            query.set(STREAM_TOKEN_PARAM, (await client.streamToken(serverId)).token)
          } catch {
            if (!closed) handlers.error?.()
            reopen()
            return
          }
        }
        if (closed) return
        const current = new Source(routeUrl(base, 'metricsStream', query))
        source = current
        for (const event of STREAM_EVENTS) {
          const handler = handlers[event] as ((data: unknown) => void) | undefined
          if (handler) current.addEventListener(event, (e) => handler(JSON.parse((e as MessageEvent<string>).data)))
        }
        current.addEventListener(STREAM_EVENT.ready, () => {
          failures = 0
          handlers.open?.()
        })
        // EventSource's own connection-error event (not a message of the stream)
        current.addEventListener('error', () => {
          handlers.error?.()
          if (current.readyState !== CLOSED || closed) return
          current.close()
          reopen()
        })
      }
      void open()
      return () => {
        closed = true
        clearTimeout(timer)
        source?.close()
      }
    },
  }
  return client
}

export type MetricsClient = ReturnType<typeof createMetricsClient>
