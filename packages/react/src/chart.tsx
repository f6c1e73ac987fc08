'use client'
import type { FetchedEvent } from '@mcpdir/metrics/protocol'
import { useEffect, useRef, useState } from 'react'
import type uPlot from 'uplot'
import { formatBucketTime } from './format'

export interface ChartSeries {
  label: string
  values: (number | null)[]
  /** A CSS colour or variable name, e.g. `--mcpdir-c1`. */
  color: string
  bars?: boolean
}

export interface ChartProps {
  title: string
  /** Bucket starts, epoch ms. */
  times: number[]
  bucketMs: number
  series: ChartSeries[]
  format: (value: number | null | undefined) => string
  /** Drawn as markers on the time axis. */
  events?: FetchedEvent[]
  height?: number
}

/** Canvas 2D support (absent in some test DOMs and locked-down browsers): without it, only the table shows. */
function canDraw(): boolean {
  try {
    return document.createElement('canvas').getContext('2d') !== null
  } catch {
    return false
  }
}

/**
 * Indices of the values with no value beside them. A line needs two neighbouring values, so these draw nothing
 * as a line (a new server's one bucket in a 7d chart, a gauge reported once): they are drawn as points.
 */
export function isolatedIndices(values: readonly (number | null | undefined)[]): number[] {
  const isolated: number[] = []
  const missing = (i: number) => values[i] === null || values[i] === undefined
  for (let i = 0; i < values.length; i++) if (!missing(i) && missing(i - 1) && missing(i + 1)) isolated.push(i)
  return isolated
}

/** An axis tick as text: zero is `0` in any unit (`0 µs` reads as a measurement). */
export function tickLabel(format: (value: number) => string, value: number): string {
  return value === 0 ? '0' : format(value)
}

/** uPlot's `points.filter`: every point where uPlot shows them anyway (`show`), else the isolated ones. */
const pointsFilter = (isolated: number[]) => (_u: uPlot, _series: number, show: boolean) => (show || isolated.length === 0 ? null : isolated)

function resolveColor(el: Element, color: string): string {
  return color.startsWith('--') ? getComputedStyle(el).getPropertyValue(color).trim() || '#888' : color
}

/**
 * A uPlot chart with an accessible data table beside it. uPlot is loaded when the chart mounts, so nothing
 * touches `window` during import or server rendering.
 */
export function Chart({ title, times, bucketMs, series, format, events = [], height = 180 }: ChartProps) {
  const box = useRef<HTMLDivElement>(null)
  const plot = useRef<uPlot | undefined>(undefined)
  const [failed, setFailed] = useState(false)

  useEffect(() => {
    const el = box.current
    if (!el) return
    if (!canDraw()) {
      setFailed(true)
      return
    }
    let cancelled = false
    let observer: ResizeObserver | undefined
    import('uplot')
      .then(({ default: UPlot }) => {
        if (cancelled) return
        const stroke = (c: string) => resolveColor(el, c)
        const muted = resolveColor(el, '--mcpdir-muted')
        const grid = resolveColor(el, '--mcpdir-border')
        const axis = { stroke: muted, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } }
        const markers: uPlot.Plugin = {
          hooks: {
            draw: [
              (u) => {
                const { ctx } = u
                ctx.save()
                ctx.strokeStyle = resolveColor(el, '--mcpdir-c4')
                ctx.setLineDash([4, 4])
                for (const event of events) {
                  const x = u.valToPos(event.timestamp / 1000, 'x', true)
                  if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue
                  ctx.beginPath()
                  ctx.moveTo(x, u.bbox.top)
                  ctx.lineTo(x, u.bbox.top + u.bbox.height)
                  ctx.stroke()
                }
                ctx.restore()
              },
            ],
          },
        }
        const bars = UPlot.paths.bars?.({ size: [0.6, 64] })
        const options: uPlot.Options = {
          width: Math.max(el.clientWidth, 200),
          height,
          plugins: [markers],
          scales: { x: { time: true } },
          axes: [axis, { ...axis, values: (_u, ticks) => ticks.map((t) => tickLabel(format, t)), size: 64 }],
          series: [
            {},
            ...series.map((s) => ({
              label: s.label,
              stroke: stroke(s.color),
              width: 2,
              ...(s.bars && bars
                ? { paths: bars, fill: stroke(s.color) }
                : // uPlot shows points only where they are sparse enough (`show`); `filter` adds the isolated ones
                  { points: { size: 6, fill: stroke(s.color), filter: pointsFilter(isolatedIndices(s.values)) } }),
              value: (_u: uPlot, v: number | null) => format(v),
              spanGaps: false,
            })),
          ],
          legend: { live: false },
        }
        const data = [times.map((t) => t / 1000), ...series.map((s) => s.values)] as uPlot.AlignedData
        plot.current = new UPlot(options, data, el)
        observer = new ResizeObserver(() => plot.current?.setSize({ width: Math.max(el.clientWidth, 200), height }))
        observer.observe(el)
      })
      .catch(() => setFailed(true))
    return () => {
      cancelled = true
      observer?.disconnect()
      plot.current?.destroy()
      plot.current = undefined
    }
  }, [times, series, events, format, height])

  return (
    <figure className="mcpdir-panel" aria-label={title} style={{ margin: '0 0 16px' }}>
      <h3>{title}</h3>
      <div ref={box} className="mcpdir-chart" aria-hidden="true" data-chart={title} style={{ minHeight: height }}>
        {failed && <p className="mcpdir-muted">The chart could not be drawn; the table below has the data.</p>}
      </div>
      <details>
        <summary>Data table</summary>
        <table>
          <caption className="mcpdir-sr">{title}</caption>
          <thead>
            <tr>
              <th scope="col">Time</th>
              {series.map((s) => (
                <th key={s.label} scope="col">
                  {s.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {times.map((t, i) => (
              <tr key={t}>
                <th scope="row">{formatBucketTime(t, bucketMs)}</th>
                {series.map((s) => (
                  <td key={s.label}>{format(s.values[i])}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  )
}
