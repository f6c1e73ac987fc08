import type { MetricsFetchResponse, Period, ServerHeadline, ServerSort, ServersListResponse, SortOrder } from '@mcpdir/metrics/protocol'
import { DEFAULT_SERVER_SORT, DEFAULT_SORT_ORDER, errorResponseBody, PERIOD_SPECS } from '@mcpdir/metrics/protocol'

const NOW = Date.parse('2026-03-10T12:00:00Z')

/** A plausible metrics-fetch answer for a period. */
export function report(period: Period = '7d', overrides: Partial<MetricsFetchResponse> = {}): MetricsFetchResponse {
  const { bucketMs, durationMs, tier } = PERIOD_SPECS[period]
  const to = Math.floor(NOW / bucketMs) * bucketMs + bucketMs
  const from = to - durationMs
  const t = (i: number) => to - (i + 1) * bucketMs
  return {
    success: true,
    server: { id: 'srv', name: 'Search Server', is_private: false, last_seen: NOW },
    period,
    tier,
    bucket_ms: bucketMs,
    from,
    to,
    metrics: [
      {
        name: 'mcp.tool.calls',
        type: 'counter',
        buckets: [0, 1, 2].map((i) => ({ t: t(i), count: 10, sum: 10 + i })),
        summary: { count: 30, sum: 1234 },
        previous: { count: 20, sum: 1000 },
      },
      {
        name: 'queue_depth',
        type: 'gauge',
        buckets: [{ t: t(0), count: 2, sum: 10, min: 4, max: 6, avg: 5, last: 6 }],
        summary: { count: 2, sum: 10, min: 4, max: 6, avg: 5, last: 6 },
        previous: null,
      },
    ],
    calls: {
      buckets: [0, 1, 2].map((i) => ({ t: t(i), calls: 10 + i, errors: i, p50: 80 + i, p95: 200 + i, p99: 400 })),
      summary: { calls: 1234, errors: 12, error_rate: 12 / 1234, p50: 81.5, p95: 201, p99: 400 },
      previous: { calls: 1000, errors: 20, error_rate: 0.02, p50: 90, p95: 250, p99: 500 },
    },
    breakdowns: {
      tools: [{ key: 'search', calls: 1000, errors: 10, error_rate: 0.01, p50: 80, p95: 190 }],
      resources: [],
      prompts: [],
      clients: [{ key: 'claude-ai', calls: 900, errors: 9, error_rate: 0.01, p50: null, p95: null }],
    },
    usage: {
      buckets: [{ t: t(0), views: 5, installs: 1, tests: 0, invokes: 0, unique_visitors: 4 }],
      totals: { views: 310, installs: 25, tests: 4, invokes: 18, unique_visitors: 190 },
      previous: { views: 280, installs: 19, tests: 2, invokes: 11, unique_visitors: 170 },
    },
    events: [{ type: 'deployment', timestamp: t(1), details: { version: '1.4.0' } }],
    availability: 0.998,
    previous_availability: 0.99,
    ...overrides,
  }
}

export function emptyReport(period: Period = '7d'): MetricsFetchResponse {
  const r = report(period)
  return {
    ...r,
    metrics: [],
    calls: { buckets: [], summary: { calls: 0, errors: 0, error_rate: null, p50: null, p95: null, p99: null }, previous: { calls: 0, errors: 0, error_rate: null, p50: null, p95: null, p99: null } },
    breakdowns: { tools: [], resources: [], prompts: [], clients: [] },
    usage: { buckets: [], totals: { views: 0, installs: 0, tests: 0, invokes: 0, unique_visitors: 0 }, previous: { views: 0, installs: 0, tests: 0, invokes: 0, unique_visitors: 0 } },
    events: [],
    availability: null,
    previous_availability: null,
  }
}

/** A fetch that answers metrics-fetch with `respond(period)`, recording every request (and its options in `inits`). */
export function fakeFetch(respond: (period: Period, call: number) => MetricsFetchResponse | Error | Promise<MetricsFetchResponse | Error>) {
  const calls: URL[] = []
  const inits: (RequestInit | undefined)[] = []
  const impl = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input))
    calls.push(url)
    inits.push(init)
    const answer = await respond(url.searchParams.get('period') as Period, calls.length)
    if (answer instanceof Error) return new Response(JSON.stringify(errorResponseBody('internal_error', answer.message)), { status: 500 })
    return new Response(JSON.stringify(answer), { status: 200, headers: { 'content-type': 'application/json' } })
  }) as typeof fetch
  return { fetch: impl, calls, inits }
}

/** A server of the list with its numbers; `previous` defaults to somewhat lower numbers. */
export function headline(id: string, overrides: Partial<ServerHeadline> = {}): ServerHeadline {
  const numbers = { calls: 100, errors: 2, error_rate: 0.02, p50_ms: 40, p95_ms: 120, availability: 0.99, views: 50, installs: 5, unique_visitors: 30 }
  return {
    id,
    name: id.replace(/(^|-)(\w)/g, (_, dash: string, c: string) => `${dash ? ' ' : ''}${c.toUpperCase()}`),
    is_private: false,
    last_seen: NOW,
    ...numbers,
    previous: { ...numbers, calls: 80, views: 40 },
    ...overrides,
  }
}

/**
 * A fetch that answers the servers list from `servers` as the service would (search, sort with servers
 * without a value last and ties by id, pages by an offset cursor), recording every request.
 */
export function fakeServersApi(servers: ServerHeadline[], options: { fail?: (url: URL, call: number) => boolean } = {}) {
  const calls: URL[] = []
  const impl = (async (input: RequestInfo | URL) => {
    const url = new URL(String(input))
    calls.push(url)
    if (options.fail?.(url, calls.length)) return new Response(JSON.stringify(errorResponseBody('internal_error', 'list unavailable')), { status: 500 })
    const p = url.searchParams
    const sort = (p.get('sort') ?? DEFAULT_SERVER_SORT) as ServerSort
    const order = (p.get('order') ?? DEFAULT_SORT_ORDER[sort]) as SortOrder
    const limit = Number(p.get('limit') ?? 50)
    const q = (p.get('q') ?? '').toLowerCase()
    const key = (s: ServerHeadline) => (sort === 'name' ? s.name.toLowerCase() : s[sort])
    const matching = servers
      .filter((s) => `${s.id}\n${s.name}`.toLowerCase().includes(q))
      .sort((a, b) => {
        const [x, y] = [key(a), key(b)]
        if (x === y) return a.id < b.id ? -1 : 1
        if (x === null) return 1
        if (y === null) return -1
        return (x < y ? -1 : 1) * (order === 'asc' ? 1 : -1)
      })
    const start = Number(p.get('cursor') ?? 0)
    const page = matching.slice(start, start + limit)
    const body: ServersListResponse = {
      success: true,
      period: (p.get('period') ?? '7d') as Period,
      sort,
      order,
      from: NOW - 7 * 86_400_000,
      to: NOW,
      servers: page,
      next_cursor: start + limit < matching.length ? String(start + limit) : null,
      total: matching.length,
      computed_at: NOW,
    }
    return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } })
  }) as typeof fetch
  return { fetch: impl, calls }
}
