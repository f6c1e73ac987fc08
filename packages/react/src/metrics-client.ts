import type { UsageRecord } from '@mcpdir/metrics/protocol'

export interface MetricsClientOptions {
  /** The service's origin, e.g. `https://metrics.example.com`. */
  baseUrl: string
  /** `fetch` to use; defaults to the global one. */
  fetch?: typeof fetch
}

export interface TrackResult {
  recorded: boolean
}

/** The error every client call rejects with: the service's error code and message, or a network failure. */
export class MetricsClientError extends Error {
  override readonly name = 'MetricsClientError'
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
  ) {
    super(message)
  }
}

/** A browser-safe client for the service's public endpoints, typed from the protocol module. */
export function createMetricsClient(options: MetricsClientOptions) {
  const base = options.baseUrl.replace(/\/+$/, '')
  const doFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init))

  async function post<T>(path: string, body: unknown): Promise<T> {
    let response: Response
    try {
      response = await doFetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        keepalive: true,
      })
    } catch (error) {
      throw new MetricsClientError(`network error: ${(error as Error).message}`, 0, 'network_error')
    }
    const json = (await response.json().catch(() => undefined)) as
      | { error?: { code?: string; message?: string } }
      | undefined
    if (!response.ok) {
      const error = json?.error
      throw new MetricsClientError(error?.message ?? `HTTP ${response.status}`, response.status, error?.code ?? 'http_error')
    }
    return json as T
  }

  return {
    /** Records what a visitor did with a server (`usage-track`). */
    async trackUsage(record: UsageRecord | UsageRecord[]): Promise<TrackResult> {
      const body = Array.isArray(record) ? { records: record } : record
      const result = await post<{ recorded?: boolean }>('/functions/v1/usage-track', body)
      return { recorded: result.recorded === true }
    },
  }
}

export type MetricsClient = ReturnType<typeof createMetricsClient>
