'use client'
import {
  DEFAULT_PERIOD,
  DEFAULT_SERVER_SORT,
  DEFAULT_SORT_ORDER,
  MAX_SERVERS_QUERY_LENGTH,
  type Period,
  type ServerHeadline,
  type ServerSort,
  type SortOrder,
} from '@mcpdir/metrics/protocol'
import { useEffect, useRef, useState } from 'react'
import { formatChange, formatDuration, formatNumber, formatPercent } from './format'
import { PeriodSelector } from './period-selector'
import { SERVERS_CSS } from './styles'
import { type UseServersListOptions, useServersList } from './use-servers-list'

/** A column of the table after the server's name. */
export type ServersTableColumn = Exclude<ServerSort, 'name'>

export interface ServersTableProps extends Omit<UseServersListOptions, 'period' | 'sort' | 'order' | 'q'> {
  /** Period shown first. Default `7d`. */
  defaultPeriod?: Period
  /** Show the period selector. Default true. */
  periodSelector?: boolean
  /** Sort shown first. Default `name`. */
  defaultSort?: ServerSort
  /** Order shown first; default the sort's own (`DEFAULT_SORT_ORDER`). */
  defaultOrder?: SortOrder
  /** The columns after the server's name, in order. Default calls, error rate, p95, availability, views, installs. */
  columns?: readonly ServersTableColumn[]
  /** Where each server's name links to (its page on your site); no link when it answers undefined. */
  href?: (server: ServerHeadline) => string | undefined
  /** Show each number's change against the previous period under it. Default true. */
  showChange?: boolean
  /** The table's name for assistive technology. Default "MCP servers". */
  caption?: string
  /** Force a theme; by default it follows the system (or a `data-theme` on an ancestor). */
  theme?: 'light' | 'dark'
}

const DEFAULT_COLUMNS: readonly ServersTableColumn[] = ['calls', 'error_rate', 'p95_ms', 'availability', 'views', 'installs']

const LABELS: Record<ServerSort, string> = {
  name: 'Server',
  last_seen: 'Last seen',
  calls: 'Calls',
  errors: 'Errors',
  error_rate: 'Error rate',
  p50_ms: 'p50',
  p95_ms: 'p95',
  availability: 'Availability',
  views: 'Views',
  installs: 'Installs',
  unique_visitors: 'Visitors',
}

/** Fields where a rise is bad news. */
const LOWER_IS_BETTER: ReadonlySet<ServerSort> = new Set(['errors', 'error_rate', 'p50_ms', 'p95_ms'])

function formatCell(column: ServersTableColumn, value: number | null): string {
  if (column === 'last_seen') return value === null ? 'never' : `${new Date(value).toISOString().slice(0, 16).replace('T', ' ')} UTC`
  if (column === 'error_rate' || column === 'availability') return formatPercent(value)
  if (column === 'p50_ms' || column === 'p95_ms') return formatDuration(value)
  return formatNumber(value)
}

function Cell({ server, column, showChange }: { server: ServerHeadline; column: ServersTableColumn; showChange: boolean }) {
  const value = server[column]
  const previous = column === 'last_seen' ? null : server.previous[column]
  // nothing before and nothing now is no news: no "0%" under every idle server's zeros
  const change = showChange && !(value === 0 && previous === 0) ? formatChange(value, previous) : undefined
  const good = change && (change.direction === 'up' || change.direction === 'down') ? (change.direction === 'up') !== LOWER_IS_BETTER.has(column) : undefined
  return (
    <td>
      {formatCell(column, value)}
      {change?.text ? (
        <span className={`mcpdir-change ${good === undefined ? '' : good ? 'mcpdir-up' : 'mcpdir-down'}`} title="against the previous period">
          <span className="mcpdir-sr">change against the previous period: </span>
          {change.text}
        </span>
      ) : null}
    </td>
  )
}

/**
 * A directory's index of servers: a sortable, searchable table of every server with its headline numbers and
 * their change against the previous period, a page at a time ("Load more"). Column headers are sort buttons
 * (`aria-sort` on the sorted one); each name links where `href` says. Themed like the MetricsTab.
 */
export function ServersTable({
  theme,
  defaultPeriod = DEFAULT_PERIOD,
  periodSelector = true,
  defaultSort = DEFAULT_SERVER_SORT,
  defaultOrder,
  columns = DEFAULT_COLUMNS,
  href,
  showChange = true,
  caption = 'MCP servers',
  ...options
}: ServersTableProps) {
  const [period, setPeriod] = useState<Period>(defaultPeriod)
  const [sort, setSort] = useState<{ by: ServerSort; order: SortOrder }>({ by: defaultSort, order: defaultOrder ?? DEFAULT_SORT_ORDER[defaultSort] })
  const [text, setText] = useState('')
  const [q, setQ] = useState('')
  useEffect(() => {
    const timer = setTimeout(() => setQ(text.trim()), 250)
    return () => clearTimeout(timer)
  }, [text])
  const state = useServersList({ ...options, period, sort: sort.by, order: sort.order, q })

  // After "Load more", focus moves to the first new row, so reading goes on where the new rows start.
  const [focusRow, setFocusRow] = useState<number>()
  const body = useRef<HTMLTableSectionElement>(null)
  useEffect(() => {
    if (focusRow === undefined || state.servers.length <= focusRow) return
    body.current?.querySelectorAll<HTMLElement>('tr > th')[focusRow]?.focus()
    setFocusRow(undefined)
  }, [focusRow, state.servers.length])

  const sortBy = (by: ServerSort) => setSort((s) => (s.by === by ? { by, order: s.order === 'asc' ? 'desc' : 'asc' } : { by, order: DEFAULT_SORT_ORDER[by] }))
  const header = (by: ServerSort) => {
    const active = sort.by === by
    return (
      <th key={by} scope="col" aria-sort={active ? (sort.order === 'asc' ? 'ascending' : 'descending') : undefined}>
        <button type="button" className="mcpdir-sort" data-active={active} onClick={() => sortBy(by)}>
          {LABELS[by]}
          <span aria-hidden="true">{active ? (sort.order === 'asc' ? '▲' : '▼') : ''}</span>
        </button>
      </th>
    )
  }
  const loading = state.status === 'loading'
  const summary = loading
    ? 'Loading servers…'
    : state.status === 'error'
      ? ''
      : `${formatNumber(state.total)} ${state.total === 1 ? 'server' : 'servers'}${q ? ` matching “${q}”` : ''}`

  return (
    <section className="mcpdir-tab mcpdir-servers" data-theme={theme} aria-label={caption} aria-busy={loading || state.loadingMore}>
      <style>{SERVERS_CSS}</style>
      <div className="mcpdir-head">
        <input
          type="search"
          className="mcpdir-search"
          aria-label="Search servers"
          placeholder="Search servers"
          maxLength={MAX_SERVERS_QUERY_LENGTH}
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
        {periodSelector ? <PeriodSelector value={period} onChange={setPeriod} /> : null}
      </div>
      <p className="mcpdir-muted" role="status">
        {summary}
      </p>
      {state.status === 'error' ? (
        <div className="mcpdir-error" role="alert">
          <p>Servers could not be loaded: {state.error?.message}</p>
          <button type="button" className="mcpdir-btn" onClick={state.refetch}>
            Retry
          </button>
        </div>
      ) : (
        <table>
          <caption className="mcpdir-sr">
            {caption}, last {period}, sorted by {LABELS[sort.by]} {sort.order === 'asc' ? 'ascending' : 'descending'}
          </caption>
          <thead>
            <tr>{[header('name'), ...columns.map(header)]}</tr>
          </thead>
          <tbody ref={body}>
            {state.servers.map((server) => {
              const link = href?.(server)
              return (
                <tr key={server.id}>
                  <th scope="row" tabIndex={-1}>
                    {link ? <a href={link}>{server.name}</a> : server.name}
                    {server.is_private ? <span className="mcpdir-muted"> (private)</span> : null}
                  </th>
                  {columns.map((column) => (
                    <Cell key={column} server={server} column={column} showChange={showChange} />
                  ))}
                </tr>
              )
            })}
            {state.status === 'ready' && state.servers.length === 0 ? (
              <tr>
                <td colSpan={columns.length + 1}>{q ? `No server matches “${q}”.` : 'No servers yet.'}</td>
              </tr>
            ) : null}
          </tbody>
        </table>
      )}
      {state.status === 'ready' && state.hasMore ? (
        <div className="mcpdir-more">
          {state.error ? <span role="alert">Could not load more: {state.error.message}</span> : null}
          <button
            type="button"
            className="mcpdir-btn"
            disabled={state.loadingMore}
            onClick={() => {
              setFocusRow(state.servers.length)
              state.loadMore()
            }}
          >
            {state.loadingMore ? 'Loading…' : 'Load more'}
          </button>
          <span className="mcpdir-muted">
            {formatNumber(state.servers.length)} of {formatNumber(state.total)}
          </span>
        </div>
      ) : null}
    </section>
  )
}
