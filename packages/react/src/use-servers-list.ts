'use client'
import {
  DEFAULT_PERIOD,
  DEFAULT_SERVER_SORT,
  DEFAULT_SERVERS_LIMIT,
  DEFAULT_SORT_ORDER,
  type Period,
  type ServerHeadline,
  type ServerSort,
  type ServersListResponse,
  type SortOrder,
} from '@mcpdir/metrics/protocol'
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { createMetricsClient, type MetricsClientOptions } from './metrics-client'

export interface UseServersListOptions extends Omit<MetricsClientOptions, 'EventSource'> {
  /** Default `7d`. */
  period?: Period
  /** Default `name`. */
  sort?: ServerSort
  /** Default: the sort's own (`DEFAULT_SORT_ORDER`). */
  order?: SortOrder
  /** Search: a case-insensitive part of the id or the name. */
  q?: string
  /** Servers per page, 1–200. Default 50. */
  pageSize?: number
}

export interface ServersListState {
  /** `loading` until the first page of the current query arrives. */
  status: 'loading' | 'ready' | 'error'
  /** Every page loaded so far, in order. */
  servers: ServerHeadline[]
  /** Servers matching the query, across all pages. */
  total: number
  /** True while there are pages not loaded yet. */
  hasMore: boolean
  loadingMore: boolean
  error: Error | undefined
  /** The last page's answer (its period window and `computed_at`). */
  response: ServersListResponse | undefined
  /** Loads the next page (does nothing while one is on its way, or at the end). */
  loadMore(): void
  /** Loads the first page again. */
  refetch(): void
}

interface Loaded {
  /** The query the pages belong to. */
  key: string
  servers: ServerHeadline[]
  last: ServersListResponse
}

/**
 * The servers list, a page at a time: the first page is fetched again whenever the period, sort, order or
 * search change (an earlier answer still on its way is dropped), `loadMore` appends the next by cursor. The
 * headless half of `ServersTable`.
 */
export function useServersList(options: UseServersListOptions): ServersListState {
  const { baseUrl, readToken, fetch: fetchImpl, period = DEFAULT_PERIOD, sort = DEFAULT_SERVER_SORT, q = '' } = options
  const order = options.order ?? DEFAULT_SORT_ORDER[sort]
  const limit = options.pageSize ?? DEFAULT_SERVERS_LIMIT
  const client = useMemo(
    () => createMetricsClient({ baseUrl, ...(readToken && { readToken }), ...(fetchImpl && { fetch: fetchImpl }) }),
    [baseUrl, readToken, fetchImpl],
  )
  const query = useMemo(() => ({ period, sort, order, limit, ...(q.trim() && { q: q.trim() }) }), [period, sort, order, limit, q])
  // what the loaded pages belong to: another service, credential or query starts over
  const key = JSON.stringify([baseUrl, readToken ?? '', query])
  const [loaded, setLoaded] = useState<Loaded>()
  const [error, setError] = useState<{ key: string; error: Error }>()
  const [loadingMore, setLoadingMore] = useState(false)
  const [nonce, setNonce] = useState(0)
  const more = useRef<AbortController | undefined>(undefined)

  useEffect(() => {
    const controller = new AbortController()
    more.current?.abort()
    setLoadingMore(false)
    setError(undefined)
    client
      .listServers(query, { signal: controller.signal })
      .then((page) => {
        if (!controller.signal.aborted) setLoaded({ key, servers: page.servers, last: page })
      })
      .catch((e: Error) => {
        if (!controller.signal.aborted) setError({ key, error: e })
      })
    return () => controller.abort()
  }, [client, query, key, nonce])

  useEffect(() => () => more.current?.abort(), [])

  const current = loaded?.key === key ? loaded : undefined
  const cursor = current?.last.next_cursor ?? null
  const loadMore = useCallback(() => {
    if (!current || cursor === null || more.current) return
    const controller = new AbortController()
    more.current = controller
    setLoadingMore(true)
    client
      .listServers({ ...query, cursor }, { signal: controller.signal })
      .then((page) => {
        if (controller.signal.aborted) return
        setLoaded((now) => {
          if (now?.key !== current.key) return now
          const seen = new Set(now.servers.map((s) => s.id))
          return { key: now.key, servers: [...now.servers, ...page.servers.filter((s) => !seen.has(s.id))], last: page }
        })
        setError(undefined)
      })
      .catch((e: Error) => {
        if (!controller.signal.aborted) setError({ key: current.key, error: e })
      })
      .finally(() => {
        if (more.current === controller) more.current = undefined
        if (!controller.signal.aborted) setLoadingMore(false)
      })
  }, [client, query, current, cursor])

  const refetch = useCallback(() => setNonce((n) => n + 1), [])
  const failed = error?.key === key ? error.error : undefined
  return {
    status: current ? 'ready' : failed ? 'error' : 'loading',
    servers: current?.servers ?? [],
    total: current?.last.total ?? 0,
    hasMore: cursor !== null,
    loadingMore,
    error: failed,
    response: current?.last,
    loadMore,
    refetch,
  }
}
