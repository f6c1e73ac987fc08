// The servers list, `GET /functions/v1/servers`: a directory's index of servers with the numbers it compares
// them by, sorted, searched and paged by cursor. Zod-free, so browser bundles can import it.
import type { Period } from './periods'

/** The numbers a directory compares servers by, over one period (tool calls, latency, availability, usage). */
export interface HeadlineNumbers {
  /** Tool calls (`mcp.tool.calls`). */
  calls: number
  /** Calls with outcome `error` or `tool_error`. */
  errors: number
  /** `errors / calls`; null without calls. */
  error_rate: number | null
  /** Tool-call latency percentiles in milliseconds (`mcp.tool.duration`); null without timings. */
  p50_ms: number | null
  p95_ms: number | null
  /** Share of ended minutes with a heartbeat (0–1), from the first heartbeat; null before it. */
  availability: number | null
  views: number
  installs: number
  /** Distinct daily visitor hashes (a returning visitor counts once a day). */
  unique_visitors: number
}

/** Every field of {@link HeadlineNumbers}, in the order tables show them. */
export const HEADLINE_FIELDS = [
  'calls',
  'errors',
  'error_rate',
  'p50_ms',
  'p95_ms',
  'availability',
  'views',
  'installs',
  'unique_visitors',
] as const satisfies readonly (keyof HeadlineNumbers)[]

/** One of {@link HEADLINE_FIELDS}. */
export type HeadlineField = (typeof HEADLINE_FIELDS)[number]

// Compile-time check that HEADLINE_FIELDS names every field of HeadlineNumbers (a missing one fails here).
type Exhaustive<Missing extends never> = Missing
type _EveryHeadlineField = Exhaustive<Exclude<keyof HeadlineNumbers, HeadlineField>>

/**
 * One server in the list: who it is, its {@link HeadlineNumbers} over the period, and the same numbers over
 * the period just before (`previous`), for "% change".
 */
export interface ServerHeadline extends HeadlineNumbers {
  id: string
  name: string
  is_private: boolean
  /** When the server last sent anything (epoch ms); null if never. */
  last_seen: number | null
  previous: HeadlineNumbers
}

/** What the list can be sorted by: `name`, `last_seen` and every headline field. */
export const SERVER_SORTS = ['name', 'last_seen', ...HEADLINE_FIELDS] as const

/** One of {@link SERVER_SORTS}. */
export type ServerSort = (typeof SERVER_SORTS)[number]

/** The list's orders: ascending and descending. */
export const SORT_ORDERS = ['asc', 'desc'] as const

/** `asc` or `desc`. */
export type SortOrder = (typeof SORT_ORDERS)[number]

/** The list's sort when none is asked for: by name, as a directory's index reads. */
export const DEFAULT_SERVER_SORT: ServerSort = 'name'

/**
 * The order of each sort when none is asked for: best or biggest first. Counts, availability and `last_seen`
 * descending; error rate and latency ascending (fastest, most reliable first); names ascending. Servers without
 * a value (no calls, no heartbeat, never seen) come last in either order.
 */
export const DEFAULT_SORT_ORDER: Readonly<Record<ServerSort, SortOrder>> = {
  name: 'asc',
  last_seen: 'desc',
  calls: 'desc',
  errors: 'desc',
  error_rate: 'asc',
  p50_ms: 'asc',
  p95_ms: 'asc',
  availability: 'desc',
  views: 'desc',
  installs: 'desc',
  unique_visitors: 'desc',
}

/** Servers per page when `limit` is not given. */
export const DEFAULT_SERVERS_LIMIT = 50
/** The largest `limit` accepted. */
export const MAX_SERVERS_LIMIT = 200
/** The longest search (`q`) accepted, in characters. */
export const MAX_SERVERS_QUERY_LENGTH = 100

/** True when `value` is one of {@link SERVER_SORTS}. */
export function isServerSort(value: unknown): value is ServerSort {
  return typeof value === 'string' && (SERVER_SORTS as readonly string[]).includes(value)
}

/** The query parameters of the list; every one is optional. */
export interface ServersListQuery {
  /** Default `7d`. */
  period?: Period
  /** Default {@link DEFAULT_SERVER_SORT}. */
  sort?: ServerSort
  /** Default {@link DEFAULT_SORT_ORDER} of the sort. */
  order?: SortOrder
  /** 1 to {@link MAX_SERVERS_LIMIT}; default {@link DEFAULT_SERVERS_LIMIT}. */
  limit?: number
  /** `next_cursor` of the previous page, asked for with the same period, sort, order and `q`. */
  cursor?: string
  /** Case-insensitive substring of the id or the name. */
  q?: string
}

/** {@link ServersListQuery} as URL query parameters (unset ones left out). */
export function serversListParams(query: ServersListQuery): URLSearchParams {
  const params = new URLSearchParams()
  for (const key of ['period', 'sort', 'order', 'limit', 'cursor', 'q'] as const) {
    const value = query[key]
    if (value !== undefined && value !== '') params.set(key, String(value))
  }
  return params
}

/** What `GET /functions/v1/servers` answers: one page of the list. */
export interface ServersListResponse {
  success: true
  period: Period
  sort: ServerSort
  order: SortOrder
  /** The period the numbers cover, epoch ms (`previous` covers the same length before `from`). */
  from: number
  to: number
  servers: ServerHeadline[]
  /** Pass as `cursor` (with the same period, sort, order and `q`) for the next page; null on the last page. */
  next_cursor: string | null
  /** Servers matching `q` that the caller may see, across all pages. */
  total: number
  /**
   * When the numbers were last recomputed (epoch ms). The service keeps them current in the background, so they
   * may be up to its refresh interval old, plus the answer's Cache-Control age.
   */
  computed_at: number
}
