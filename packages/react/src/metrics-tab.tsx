'use client'
import { type Breakdown, isBuiltInMetric, type MetricSeries, type MetricsFetchResponse, type Period, SDK_METRIC_PREFIX } from '@mcpdir/metrics/protocol'
import { useMemo } from 'react'
import { Chart, type ChartSeries } from './chart'
import { formatChange, formatDuration, formatNumber, formatPercent } from './format'
import { PeriodSelector } from './period-selector'
import { Sparkline } from './sparkline'
import { TAB_CSS } from './styles'
import { type UseServerMetricsOptions, useServerMetrics } from './use-server-metrics'

export interface MetricsTabProps extends Omit<UseServerMetricsOptions, 'defaultPeriod'> {
  /** Period shown first. Default `7d`. */
  defaultPeriod?: Period
  /** Force a theme; by default the tab follows the system (or a `data-theme` on an ancestor). */
  theme?: 'light' | 'dark'
}

/** Every bucket start of the period, so charts show gaps where nothing arrived. */
function axis(data: MetricsFetchResponse): number[] {
  const times: number[] = []
  for (let t = data.from; t < data.to; t += data.bucket_ms) times.push(t)
  return times
}

function align<T extends { t: number }>(times: number[], buckets: T[], pick: (b: T) => number | null | undefined, missing: number | null) {
  const byTime = new Map(buckets.map((b) => [b.t, b]))
  return times.map((t) => {
    const b = byTime.get(t)
    return b ? (pick(b) ?? null) : missing
  })
}

function Card({ label, value, change, trend, invert = false }: { label: string; value: string; change?: ReturnType<typeof formatChange>; trend?: (number | null)[]; invert?: boolean }) {
  const good = change && change.direction !== 'flat' && change.direction !== 'none' ? (change.direction === 'up') !== invert : undefined
  return (
    <div className="mcpdir-card">
      <dt>{label}</dt>
      <dd>
        {value}
        {change?.text ? (
          <span className={`mcpdir-change ${good === undefined ? '' : good ? 'mcpdir-up' : 'mcpdir-down'}`} title="against the previous period">
            {change.text}
          </span>
        ) : null}
      </dd>
      {trend ? <Sparkline values={trend} /> : null}
    </div>
  )
}

function BreakdownTable({ title, keyLabel, rows }: { title: string; keyLabel: string; rows: Breakdown[] }) {
  if (rows.length === 0) return null
  // client errors (the callers' mistakes) are not errors of the server: a column of their own
  const clientErrors = rows.some((r) => r.client_errors !== undefined)
  return (
    <section className="mcpdir-panel" aria-label={title}>
      <h3>{title}</h3>
      <table>
        <thead>
          <tr>
            <th scope="col">{keyLabel}</th>
            <th scope="col">Calls</th>
            <th scope="col">Errors</th>
            {clientErrors ? <th scope="col">Client errors</th> : null}
            <th scope="col">Error rate</th>
            <th scope="col">p95</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key}>
              <th scope="row">{r.key}</th>
              <td>{formatNumber(r.calls)}</td>
              <td>{formatNumber(r.errors)}</td>
              {clientErrors ? <td>{formatNumber(r.client_errors ?? 0)}</td> : null}
              <td>{formatPercent(r.error_rate)}</td>
              <td>{formatDuration(r.p95)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  )
}

/** How a custom metric is charted: counters as bars of their sum, gauges by average and max, timers by p50 / p95. */
function customSeries(metric: MetricSeries, times: number[]): ChartSeries[] {
  if (metric.type === 'counter') return [{ label: metric.name, values: align(times, metric.buckets, (b) => b.sum, 0), color: '--mcpdir-c1', bars: true }]
  if (metric.type === 'gauge') {
    return [
      { label: 'average', values: align(times, metric.buckets, (b) => b.avg, null), color: '--mcpdir-c1' },
      { label: 'max', values: align(times, metric.buckets, (b) => b.max, null), color: '--mcpdir-c2' },
    ]
  }
  return [
    { label: 'p50', values: align(times, metric.buckets, (b) => b.p50, null), color: '--mcpdir-c1' },
    { label: 'p95', values: align(times, metric.buckets, (b) => b.p95, null), color: '--mcpdir-c2' },
  ]
}

function Report({ data, authorView }: { data: MetricsFetchResponse; authorView: boolean }) {
  const view = useMemo(() => {
    const times = axis(data)
    const calls = data.calls
    const usage = data.usage
    return {
      times,
      latency: [
        { label: 'p50', values: align(times, calls.buckets, (b) => b.p50, null), color: '--mcpdir-c1' },
        { label: 'p95', values: align(times, calls.buckets, (b) => b.p95, null), color: '--mcpdir-c2' },
        { label: 'p99', values: align(times, calls.buckets, (b) => b.p99, null), color: '--mcpdir-c3' },
      ],
      volume: [
        { label: 'calls', values: align(times, calls.buckets, (b) => b.calls, 0), color: '--mcpdir-c1', bars: true },
        { label: 'errors', values: align(times, calls.buckets, (b) => b.errors, 0), color: '--mcpdir-c4', bars: true },
        ...(calls.summary.client_errors === undefined
          ? []
          : [{ label: 'client errors', values: align(times, calls.buckets, (b) => b.client_errors ?? 0, 0), color: '--mcpdir-c3', bars: true }]),
      ],
      usage: [
        { label: 'views', values: align(times, usage.buckets, (b) => b.views, 0), color: '--mcpdir-c1' },
        { label: 'installs', values: align(times, usage.buckets, (b) => b.installs, 0), color: '--mcpdir-c2' },
        { label: 'tests', values: align(times, usage.buckets, (b) => b.tests, 0), color: '--mcpdir-c3' },
      ],
      custom: data.metrics
        .filter((m) => !isBuiltInMetric(m.name))
        .map((m) => ({ metric: m, series: customSeries(m, times) })),
      sdk: data.metrics.filter((m) => m.name.startsWith(SDK_METRIC_PREFIX)),
    }
  }, [data])
  const { summary, previous } = data.calls
  const u = data.usage
  const durationFormat = formatDuration
  const countFormat = formatNumber

  return (
    <>
      <dl className="mcpdir-cards">
        <Card label="Tool calls" value={formatNumber(summary.calls)} change={formatChange(summary.calls, previous.calls)} trend={view.volume[0]?.values} />
        <Card label="Error rate" value={formatPercent(summary.error_rate)} change={formatChange(summary.error_rate, previous.error_rate)} trend={view.volume[1]?.values} invert />
        {summary.client_errors === undefined ? null : (
          <Card label="Client errors" value={`${formatNumber(summary.client_errors)} · ${formatPercent(summary.calls > 0 ? summary.client_errors / summary.calls : null)}`} trend={view.volume[2]?.values} />
        )}
        <Card label="p50 latency" value={formatDuration(summary.p50)} change={formatChange(summary.p50, previous.p50)} trend={view.latency[0]?.values} invert />
        <Card label="p95 latency" value={formatDuration(summary.p95)} change={formatChange(summary.p95, previous.p95)} trend={view.latency[1]?.values} invert />
        <Card label="Availability" value={formatPercent(data.availability)} change={formatChange(data.availability, data.previous_availability)} />
        <Card label="Views" value={`${formatNumber(u.totals.views)} · ${formatNumber(u.totals.unique_visitors)} visitors`} change={formatChange(u.totals.views, u.previous.views)} trend={view.usage[0]?.values} />
        <Card label="Installs" value={formatNumber(u.totals.installs)} change={formatChange(u.totals.installs, u.previous.installs)} trend={view.usage[1]?.values} />
      </dl>
      <div className="mcpdir-grid">
        <Chart title="Latency" times={view.times} bucketMs={data.bucket_ms} series={view.latency} format={durationFormat} events={data.events} />
        <Chart title="Requests and errors" times={view.times} bucketMs={data.bucket_ms} series={view.volume} format={countFormat} events={data.events} />
        <Chart title="Usage" times={view.times} bucketMs={data.bucket_ms} series={view.usage} format={countFormat} events={data.events} />
        {view.custom.map(({ metric, series }) => (
          <Chart
            key={metric.name}
            title={metric.name}
            times={view.times}
            bucketMs={data.bucket_ms}
            series={series}
            format={metric.type === 'timer' ? durationFormat : countFormat}
            events={data.events}
          />
        ))}
      </div>
      <div className="mcpdir-grid">
        <BreakdownTable title="Tools" keyLabel="Tool" rows={data.breakdowns.tools} />
        <BreakdownTable title="Clients" keyLabel="Client" rows={data.breakdowns.clients} />
        {authorView ? <BreakdownTable title="Resources" keyLabel="Resource" rows={data.breakdowns.resources} /> : null}
        {authorView ? <BreakdownTable title="Prompts" keyLabel="Prompt" rows={data.breakdowns.prompts} /> : null}
      </div>
      {data.events.length > 0 ? (
        <section className="mcpdir-panel" aria-label="Events">
          <h3>Events</h3>
          <ul className="mcpdir-events">
            {data.events.slice(0, 20).map((e) => (
              <li key={`${e.timestamp}-${e.type}`}>
                <time dateTime={new Date(e.timestamp).toISOString()}>{new Date(e.timestamp).toISOString().slice(0, 16).replace('T', ' ')}</time> {e.type.replace('_', ' ')}
                {Object.keys(e.details).length > 0 ? <span className="mcpdir-muted"> {Object.entries(e.details).map(([k, v]) => `${k}: ${v}`).join(', ')}</span> : null}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {authorView ? (
        <section className="mcpdir-panel" aria-label="SDK health">
          <h3>SDK health</h3>
          {view.sdk.length === 0 ? (
            <p className="mcpdir-muted">The SDK dropped nothing in this period.</p>
          ) : (
            <table>
              <tbody>
                {view.sdk.map((m) => (
                  <tr key={m.name}>
                    <th scope="row">{m.name.slice(SDK_METRIC_PREFIX.length).replace('_', ' ')}</th>
                    <td>{formatNumber(m.summary?.sum)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      ) : null}
    </>
  )
}

function Empty({ serverId }: { serverId: string }) {
  return (
    <div className="mcpdir-empty" role="status">
      <p>
        <strong>No metrics yet.</strong> Is this your server? Add the SDK and instrument it in three lines:
      </p>
      <pre>{`npm i @mcpdir/metrics

import { createMetrics } from '@mcpdir/metrics'
import { instrument } from '@mcpdir/metrics/mcp'
instrument(server, createMetrics())`}</pre>
      <p className="mcpdir-muted">
        Then set MCPDIR_SERVER_ID={serverId}, MCPDIR_API_KEY, MCPDIR_SIGNING_SECRET and MCPDIR_METRICS_ENDPOINT in the server's
        environment.
      </p>
    </div>
  )
}

/**
 * A server's metrics: summary cards, latency, volume and usage charts, per-tool and per-client tables, and
 * events, for a chosen period; live when `live` is set. Drop it into a server page of a directory site.
 */
export function MetricsTab({ theme, ...options }: MetricsTabProps) {
  const state = useServerMetrics(options)
  const { data } = state
  return (
    <section className="mcpdir-tab" data-theme={theme} aria-label="Server metrics" aria-busy={state.status === 'loading' || state.refreshing}>
      <style>{TAB_CSS}</style>
      <div className="mcpdir-head">
        <div>
          <h2>{data?.server.name ?? options.serverId}</h2>
          <span className="mcpdir-muted">
            {data?.server.last_seen ? `last seen ${new Date(data.server.last_seen).toISOString().slice(0, 16).replace('T', ' ')} UTC` : 'not seen yet'}
          </span>{' '}
          {options.live ? (
            <span className="mcpdir-live" data-on={state.live.connected} role="status">
              {state.live.paused ? 'paused' : state.live.connected ? 'live' : 'connecting'}
            </span>
          ) : null}
        </div>
        <PeriodSelector value={state.period} onChange={state.setPeriod} />
      </div>
      {state.status === 'error' ? (
        <div className="mcpdir-error" role="alert">
          <p>Metrics could not be loaded: {state.error?.message}</p>
          <button type="button" className="mcpdir-btn" onClick={state.refetch}>
            Retry
          </button>
        </div>
      ) : state.status === 'loading' ? (
        <div className="mcpdir-cards" aria-label="Loading metrics">
          {Array.from({ length: 7 }, (_, i) => (
            <div key={i} className="mcpdir-skeleton" />
          ))}
        </div>
      ) : data && state.isEmpty ? (
        <Empty serverId={options.serverId} />
      ) : data ? (
        <Report data={data} authorView={Boolean(options.readToken)} />
      ) : null}
    </section>
  )
}
