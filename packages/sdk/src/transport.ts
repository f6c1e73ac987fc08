// Sends one request. undici (keep-alive pool, its fast `request` API) where it loads; the global `fetch`
// elsewhere (edge runtimes, browsers) or when the host passes its own.

export interface SendResult {
  status: number
  /** `Retry-After` in milliseconds, when the service sent one. */
  retryAfterMs?: number
}

export type Transport = (url: string, headers: Record<string, string>, body: string) => Promise<SendResult>

/** `Retry-After` as seconds or an HTTP date, in milliseconds from `nowMs`. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (!value) return undefined
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000
  const at = Date.parse(value)
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs)
}

export function fetchTransport(fetchImpl: typeof fetch, timeoutMs: number): Transport {
  return async (url, headers, body) => {
    const response = await fetchImpl(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) })
    await response.arrayBuffer().catch(() => undefined)
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), Date.now())
    return retryAfterMs === undefined ? { status: response.status } : { status: response.status, retryAfterMs }
  }
}

/** undici when it can be loaded, else the global fetch. */
export async function defaultTransport(timeoutMs: number): Promise<Transport> {
  try {
    const undici = await import('undici')
    const agent = new undici.Agent({ keepAliveTimeout: 30_000, connections: 4 })
    return async (url, headers, body) => {
      const response = await undici.request(url, {
        method: 'POST',
        headers,
        body,
        dispatcher: agent,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      })
      await response.body.dump()
      const header = response.headers['retry-after']
      const retryAfterMs = parseRetryAfter(Array.isArray(header) ? header[0] : header, Date.now())
      return retryAfterMs === undefined ? { status: response.statusCode } : { status: response.statusCode, retryAfterMs }
    }
  } catch {
    return fetchTransport((input, init) => globalThis.fetch(input, init), timeoutMs)
  }
}
