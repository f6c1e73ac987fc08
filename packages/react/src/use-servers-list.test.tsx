import { act, cleanup, renderHook, waitFor } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { fakeServersApi, headline } from '../test/fixtures'
import { createMetricsClient } from './metrics-client'
import { useServersList } from './use-servers-list'

afterEach(cleanup)

const base = 'http://metrics.test'
const SERVERS = ['a', 'b', 'c', 'd', 'e'].map((id, i) => headline(id, { calls: i }))

describe('servers list client', () => {
  it('asks for a page with the query as URL parameters', async () => {
    const { fetch, calls } = fakeServersApi(SERVERS)
    const client = createMetricsClient({ baseUrl: `${base}/`, fetch, readToken: 'k' })
    const page = await client.listServers({ period: '30d', sort: 'calls', limit: 2, q: 'a' })
    expect(page).toMatchObject({ total: 1, next_cursor: null, servers: [{ id: 'a' }] })
    await client.listServers({ sort: 'calls', order: 'asc', cursor: '2' })
    await client.fetchServers('1d')
    expect(calls.map((u) => `${u.pathname}?${u.searchParams}`)).toEqual([
      '/functions/v1/servers?period=30d&sort=calls&limit=2&q=a',
      '/functions/v1/servers?sort=calls&order=asc&cursor=2',
      '/functions/v1/servers?period=1d',
    ])
  })
})

describe('useServersList', () => {
  it('drops the answer to a query that was replaced while on its way', async () => {
    const api = fakeServersApi(SERVERS)
    let release!: () => void
    const gate = new Promise<void>((r) => {
      release = r
    })
    const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
      if (new URL(String(input)).searchParams.get('sort') === 'name') await gate
      return api.fetch(input, init)
    }) as typeof globalThis.fetch
    const { result, rerender } = renderHook((props: { sort: 'name' | 'calls' }) => useServersList({ baseUrl: base, fetch, sort: props.sort }), {
      initialProps: { sort: 'name' },
    })
    expect(result.current.status).toBe('loading')
    rerender({ sort: 'calls' })
    await waitFor(() => expect(result.current.status).toBe('ready'))
    await act(async () => release())
    expect(result.current.servers.map((s) => s.id)).toEqual(['e', 'd', 'c', 'b', 'a'])
    expect(result.current.response?.sort).toBe('calls')
  })

  it('appends pages, reports a failed one, and loads it on the next try', async () => {
    let failNext = false
    const { fetch } = fakeServersApi(SERVERS, {
      fail: (url) => {
        const fail = failNext && url.searchParams.has('cursor')
        if (fail) failNext = false
        return fail
      },
    })
    const { result } = renderHook(() => useServersList({ baseUrl: base, fetch, pageSize: 2 }))
    await waitFor(() => expect(result.current.status).toBe('ready'))
    expect(result.current).toMatchObject({ total: 5, hasMore: true })
    failNext = true
    act(() => result.current.loadMore())
    await waitFor(() => expect(result.current.error?.message).toBe('list unavailable'))
    expect(result.current.servers.map((s) => s.id)).toEqual(['a', 'b'])
    act(() => result.current.loadMore())
    await waitFor(() => expect(result.current.servers).toHaveLength(4))
    expect(result.current.error).toBeUndefined()
    act(() => result.current.loadMore())
    await waitFor(() => expect(result.current.hasMore).toBe(false))
    expect(result.current.servers.map((s) => s.id)).toEqual(['a', 'b', 'c', 'd', 'e'])
  })
})
