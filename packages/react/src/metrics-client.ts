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
  type StreamMessages,
  type UsageRecord,
} from '@mcpdir/metrics/protocol'

export interface MetricsClientOptions {
  /** The service's origin, e.g. `https://metrics.example.com`. */
  baseUrl: string
  /** Read token of a private server (or the admin key): sent as `Authorization: Bearer`. */
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
  /** The stream broke; EventSource reconnects by itself unless closed. */
  error?: () => void
}

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

  return {
    /** A server's metrics for a period (`metrics-fetch`). */
    fetchMetrics(serverId: string, period: Period, opts: { metrics?: string[]; signal?: AbortSignal } = {}): Promise<MetricsFetchResponse> {
      const query = new URLSearchParams({ server_id: serverId, period })
      if (opts.metrics?.length) query.set('metrics', opts.metrics.join(','))
      return request(routeUrl(base, 'metricsFetch', query), { headers: auth, ...(opts.signal && { signal: opts.signal }) })
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

    /** Live messages of a server (`metrics-stream`); answers a function that closes the stream. */
    subscribe(serverId: string, handlers: StreamHandlers): () => void {
      const Source = options.EventSource ?? globalThis.EventSource
      if (!Source) return () => {}
      const query = new URLSearchParams({ server_id: serverId })
      if (options.readToken) query.set('token', options.readToken)
      const source = new Source(routeUrl(base, 'metricsStream', query))
      for (const event of STREAM_EVENTS) {
        const handler = handlers[event] as ((data: unknown) => void) | undefined
        if (handler) source.addEventListener(event, (e) => handler(JSON.parse((e as MessageEvent<string>).data)))
      }
      source.addEventListener(STREAM_EVENT.ready, () => handlers.open?.())
      // EventSource's own connection-error event (not a message of the stream)
      source.addEventListener('error', () => handlers.error?.())
      return () => source.close()
    },
  }
}

export type MetricsClient = ReturnType<typeof createMetricsClient>
