import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react'
import type { Breakdown } from '@mcpdir/metrics/protocol'
import { afterEach, describe, expect, it } from 'vitest'
import { emptyReport, fakeFetch, report } from '../test/fixtures'
import { MetricsTab } from './metrics-tab'

afterEach(cleanup)

const base = 'http://metrics.test'
const card = (label: string) =>
  [...document.querySelectorAll('.mcpdir-card')].find((c) => c.querySelector('dt')?.textContent === label)?.textContent ?? ''

describe('<MetricsTab>', () => {
  it('shows a loading skeleton, then the summary with changes against the previous period', async () => {
    let release!: () => void
    const gate = new Promise<void>((r) => {
      release = r
    })
    const { fetch } = fakeFetch(async (period) => {
      await gate
      return report(period)
    })
    render(<MetricsTab serverId="srv" baseUrl={base} fetch={fetch} />)
    expect(screen.getByLabelText('Loading metrics')).toBeTruthy()
    await act(async () => release())
    await screen.findByText('Search Server')
    expect(card('Tool calls')).toBe('Tool calls1,234+23%')
    expect(card('Error rate')).toBe('Error rate0.97%−51%')
    expect(card('p95 latency')).toBe('p95 latency201 ms−20%')
    expect(card('Availability')).toBe('Availability99.8%+0.8%')
    expect(card('Views')).toBe('Views310 · 190 visitors+11%')
    expect(card('Installs')).toBe('Installs25+32%')
    expect(screen.getByRole('table', { name: 'Latency' })).toBeTruthy()
    expect(screen.getByRole('rowheader', { name: 'search' })).toBeTruthy()
    expect(screen.getByRole('rowheader', { name: 'claude-ai' })).toBeTruthy()
    expect(screen.getByRole('heading', { name: 'queue_depth' })).toBeTruthy()
    expect(screen.queryByLabelText('SDK health')).toBeNull()
  })

  it('refetches when the period changes, by click and by keyboard', async () => {
    const { fetch, calls } = fakeFetch((period) => report(period))
    render(<MetricsTab serverId="srv" baseUrl={base} fetch={fetch} defaultPeriod="1d" />)
    await screen.findByText('Search Server')
    expect(calls.map((u) => u.searchParams.get('period'))).toEqual(['1d'])
    fireEvent.click(screen.getByRole('radio', { name: '1h' }))
    await waitFor(() => expect(calls.map((u) => u.searchParams.get('period'))).toEqual(['1d', '1h']))
    const selected = screen.getByRole('radio', { name: '1h' })
    expect(selected.getAttribute('aria-checked')).toBe('true')
    expect(selected.tabIndex).toBe(0)
    fireEvent.keyDown(selected, { key: 'ArrowRight' })
    await waitFor(() => expect(calls.at(-1)?.searchParams.get('period')).toBe('6h'))
    expect(document.activeElement?.textContent).toBe('6h')
    fireEvent.keyDown(document.activeElement as Element, { key: 'End' })
    await waitFor(() => expect(calls.at(-1)?.searchParams.get('period')).toBe('90d'))
  })

  it('tells an author how to instrument when there is no data', async () => {
    const { fetch } = fakeFetch((period) => emptyReport(period))
    render(<MetricsTab serverId="my-server" baseUrl={base} fetch={fetch} />)
    const empty = await screen.findByRole('status', { name: '' })
    expect(empty.textContent).toContain('npm i @mcpdir/metrics')
    expect(empty.textContent).toContain('MCPDIR_SERVER_ID=my-server')
  })

  it('shows an error with a retry that refetches', async () => {
    const { fetch, calls } = fakeFetch((period, call) => (call === 1 ? new Error('database unavailable') : report(period)))
    render(<MetricsTab serverId="srv" baseUrl={base} fetch={fetch} />)
    const alert = await screen.findByRole('alert')
    expect(alert.textContent).toContain('database unavailable')
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }))
    await screen.findByText('Search Server')
    expect(calls).toHaveLength(2)
  })

  it('shows client errors apart from the server errors the error rate counts', async () => {
    const withClientErrors = (period: '7d') => {
      const r = report(period)
      r.calls.summary = { ...r.calls.summary, client_errors: 50 }
      r.calls.buckets = r.calls.buckets.map((b) => ({ ...b, client_errors: 7 }))
      r.breakdowns.tools = [{ ...(r.breakdowns.tools[0] as Breakdown), client_errors: 40 }]
      r.breakdowns.clients = [{ ...(r.breakdowns.clients[0] as Breakdown), client_errors: 33 }]
      return r
    }
    const { fetch } = fakeFetch(() => withClientErrors('7d'))
    render(<MetricsTab serverId="srv" baseUrl={base} fetch={fetch} />)
    await screen.findByText('Search Server')
    expect(card('Error rate')).toBe('Error rate0.97%−51%') // 12 server errors of 1 234 calls, the 50 client errors aside
    expect(card('Client errors')).toBe('Client errors50 · 4.05%')
    const tools = screen.getByRole('region', { name: 'Tools' })
    expect([...tools.querySelectorAll('th')].map((th) => th.textContent)).toEqual(['Tool', 'Calls', 'Errors', 'Client errors', 'Error rate', 'p95', 'search'])
    expect([...tools.querySelectorAll('td')].map((td) => td.textContent)).toEqual(['1,000', '10', '40', '1%', '190 ms'])
    const clients = screen.getByRole('region', { name: 'Clients' })
    expect(clients.querySelectorAll('td')[2]?.textContent).toBe('33')
    expect(screen.getByRole('table', { name: 'Requests and errors' }).textContent).toContain('client errors')
  })

  it('shows no client errors when the report has none', async () => {
    const { fetch } = fakeFetch((period) => report(period))
    render(<MetricsTab serverId="srv" baseUrl={base} fetch={fetch} />)
    await screen.findByText('Search Server')
    expect(card('Client errors')).toBe('')
    expect(screen.queryByRole('columnheader', { name: 'Client errors' })).toBeNull()
  })

  it('sends the read token and shows the author view with it', async () => {
    let auth: string | null = null
    const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
      auth = new Headers(init?.headers).get('authorization')
      return new Response(JSON.stringify(report(new URL(String(input)).searchParams.get('period') as '7d')), { status: 200 })
    }) as typeof globalThis.fetch
    render(<MetricsTab serverId="srv" baseUrl={base} fetch={fetch} readToken="mcpr_token" />)
    await screen.findByLabelText('SDK health')
    expect(auth).toBe('Bearer mcpr_token')
  })
})
