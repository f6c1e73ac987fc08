import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react'
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
