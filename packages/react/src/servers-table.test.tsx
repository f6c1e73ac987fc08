import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { fakeServersApi, headline } from '../test/fixtures'
import { ServersTable } from './servers-table'

afterEach(cleanup)

const base = 'http://metrics.test'
const SERVERS = [
  headline('search-server', { calls: 1234, previous: { ...headline('x').previous, calls: 1000 } }),
  headline('weather', { calls: 10, error_rate: 0.5, p95_ms: null }),
  headline('files', { calls: 500, p95_ms: 80 }),
  headline('secret-thing', { is_private: true, calls: 7 }),
]
const rowNames = () => screen.getAllByRole('rowheader').map((th) => th.textContent)
const header = (name: string) => screen.getByRole('columnheader', { name: new RegExp(`^${name}`) })

describe('<ServersTable>', () => {
  it('lists servers by name with links, numbers and changes, and names the sorted column', async () => {
    const { fetch, calls } = fakeServersApi(SERVERS)
    render(<ServersTable baseUrl={base} fetch={fetch} href={(s) => `/servers/${s.id}`} />)
    expect(screen.getByRole('status').textContent).toBe('Loading servers…')
    await screen.findByRole('link', { name: 'Files' })
    expect(rowNames()).toEqual(['Files', 'Search Server', 'Secret Thing (private)', 'Weather'])
    expect(screen.getByRole('link', { name: 'Search Server' }).getAttribute('href')).toBe('/servers/search-server')
    expect(screen.getByRole('status').textContent).toBe('4 servers')
    expect(header('Server').getAttribute('aria-sort')).toBe('ascending')
    expect(header('Calls').getAttribute('aria-sort')).toBeNull()
    const search = screen.getByRole('row', { name: /Search Server/ })
    expect(within(search).getAllByRole('cell')[0]?.textContent).toBe('1,234change against the previous period: +23%')
    expect(within(search).getAllByRole('cell')[0]?.querySelector('.mcpdir-up')).not.toBeNull()
    const weather = screen.getByRole('row', { name: /Weather/ })
    expect(within(weather).getAllByRole('cell')[2]?.textContent).toBe('–')
    expect(calls[0]?.searchParams.toString()).toBe('period=7d&sort=name&order=asc&limit=50')
  })

  it('sorts by a column header: its own order first, the other on a second press', async () => {
    const { fetch, calls } = fakeServersApi(SERVERS)
    render(<ServersTable baseUrl={base} fetch={fetch} />)
    await screen.findByText('Files')
    fireEvent.click(within(header('Calls')).getByRole('button'))
    await waitFor(() => expect(rowNames()[0]).toBe('Search Server'))
    expect(rowNames()).toEqual(['Search Server', 'Files', 'Weather', 'Secret Thing (private)'])
    expect(header('Calls').getAttribute('aria-sort')).toBe('descending')
    expect(header('Server').getAttribute('aria-sort')).toBeNull()
    fireEvent.click(within(header('Calls')).getByRole('button'))
    await waitFor(() => expect(rowNames()[0]).toBe('Secret Thing (private)'))
    expect(header('Calls').getAttribute('aria-sort')).toBe('ascending')
    fireEvent.click(within(header('p95')).getByRole('button'))
    await waitFor(() => expect(header('p95').getAttribute('aria-sort')).toBe('ascending'))
    await waitFor(() => expect(rowNames().at(-1)).toBe('Weather')) // no p95: last
    expect(calls.map((u) => `${u.searchParams.get('sort')} ${u.searchParams.get('order')}`)).toEqual(['name asc', 'calls desc', 'calls asc', 'p95_ms asc'])
  })

  it('searches as you type, and says what matched', async () => {
    const { fetch, calls } = fakeServersApi(SERVERS)
    render(<ServersTable baseUrl={base} fetch={fetch} />)
    await screen.findByText('Files')
    fireEvent.change(screen.getByRole('searchbox', { name: 'Search servers' }), { target: { value: 'WEA' } })
    await waitFor(() => expect(rowNames()).toEqual(['Weather']))
    expect(screen.getByRole('status').textContent).toBe('1 server matching “WEA”')
    expect(calls.at(-1)?.searchParams.get('q')).toBe('WEA')
    fireEvent.change(screen.getByRole('searchbox'), { target: { value: 'nothing' } })
    await screen.findByText('No server matches “nothing”.')
  })

  it('loads more by cursor, moving focus to the first new row', async () => {
    const many = Array.from({ length: 60 }, (_, i) => headline(`server-${String(i).padStart(2, '0')}`))
    const { fetch, calls } = fakeServersApi(many)
    render(<ServersTable baseUrl={base} fetch={fetch} />)
    await screen.findByText('Server 00')
    expect(rowNames()).toHaveLength(50)
    expect(screen.getByText('50 of 60')).toBeTruthy()
    fireEvent.click(screen.getByRole('button', { name: 'Load more' }))
    await waitFor(() => expect(rowNames()).toHaveLength(60))
    expect(calls.at(-1)?.searchParams.get('cursor')).toBe('50')
    // focus moves in an effect that runs after the commit showing the new rows (it can come a moment later)
    await waitFor(() => expect(document.activeElement?.textContent).toBe('Server 50'))
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull()
  })

  it('changes period, sends the read token, and takes a theme', async () => {
    let auth: string | null = null
    const api = fakeServersApi(SERVERS)
    const fetch = ((input: RequestInfo | URL, init?: RequestInit) => {
      auth = new Headers(init?.headers).get('authorization')
      return api.fetch(input, init)
    }) as typeof globalThis.fetch
    render(<ServersTable baseUrl={base} fetch={fetch} readToken="admin-key" theme="dark" defaultSort="views" columns={['views', 'last_seen']} />)
    await screen.findByText('Files')
    expect(auth).toBe('Bearer admin-key')
    expect(screen.getByRole('region', { name: 'MCP servers' }).getAttribute('data-theme')).toBe('dark')
    expect(screen.getAllByRole('columnheader').map((th) => th.textContent)).toEqual(['Server', 'Views▼', 'Last seen'])
    fireEvent.click(screen.getByRole('radio', { name: '30d' }))
    await waitFor(() => expect(api.calls.at(-1)?.searchParams.get('period')).toBe('30d'))
    expect(within(screen.getByRole('row', { name: /Files/ })).getAllByRole('cell')[1]?.textContent).toBe('2026-03-10 12:00 UTC')
  })

  it('shows an error with a retry', async () => {
    const { fetch, calls } = fakeServersApi(SERVERS, { fail: (_, call) => call === 1 })
    render(<ServersTable baseUrl={base} fetch={fetch} />)
    const alert = await screen.findByRole('alert')
    expect(alert.textContent).toContain('list unavailable')
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Retry' })))
    await screen.findByText('Files')
    expect(calls).toHaveLength(2)
  })
})
