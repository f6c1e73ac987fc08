import { MCP_METRICS, Sketch, type SketchJSON, sketchPercentiles, STREAM_EVENT, type StreamPoint } from '@mcpdir/metrics/protocol'
import { describe, expect, it } from 'vitest'
import { report } from '../test/fixtures'
import { mergeLive } from './live-merge'

/** A timer point as the service streams it: its own avg and percentiles, and its sketch. */
function timerPoint(name: string, timestamp: number, values: number[]): StreamPoint {
  const sketch = Sketch.of(values)
  const min = Math.min(...values)
  const max = Math.max(...values)
  const sum = values.reduce((a, b) => a + b, 0)
  return { name, type: 'timer', tags: { tool: 'search', outcome: 'ok' }, timestamp, count: values.length, sum, min, max, last: values.at(-1) as number, avg: sum / values.length, ...sketchPercentiles(sketch, min, max), sketch: sketch.toJSON() as SketchJSON }
}

const pick = <T extends object, K extends keyof T>(o: T, ...keys: K[]) => Object.fromEntries(keys.map((k) => [k, o[k]])) as Pick<T, K>

const batch = (points: StreamPoint[], receivedAt: number) => ({ server_id: 'srv', received_at: receivedAt, points, events: [] })

describe('mergeLive', () => {
  const base = report('1h')
  const last = base.to - base.bucket_ms

  it('adds a batch to its bucket, the series summary and the call totals, without changing the input', () => {
    const before = structuredClone(base)
    const next = mergeLive(base, 'metrics', {
      server_id: 'srv',
      received_at: last + 5_000,
      points: [
        { name: 'mcp.tool.calls', type: 'counter', tags: { tool: 'search', outcome: 'error' }, timestamp: last + 1_000, count: 2, sum: 2 },
        { name: 'new_metric', type: 'gauge', tags: {}, timestamp: last + 1_000, count: 1, sum: 7, min: 7, max: 7, last: 7 },
      ],
      events: [{ type: 'restart', timestamp: last + 1_000, details: {} }],
    })
    expect(base).toEqual(before)
    const calls = next.metrics.find((m) => m.name === 'mcp.tool.calls')
    expect(calls?.buckets.find((b) => b.t === last)).toEqual({ t: last, count: 12, sum: 12 })
    expect(next.calls.summary.calls).toBe(1236)
    expect(next.calls.summary.errors).toBe(14)
    expect(next.calls.buckets.find((b) => b.t === last)).toMatchObject({ calls: 12, errors: 2 })
    expect(next.metrics.find((m) => m.name === 'new_metric')?.buckets).toEqual([{ t: last, count: 1, sum: 7, min: 7, max: 7, last: 7, avg: 7 }])
    expect(next.events[0]?.type).toBe('restart')
    expect(next.server.last_seen).toBe(last + 5_000)
  })

  it('counts client errors apart from errors', () => {
    const next = mergeLive(base, 'metrics', batch([
      { name: 'mcp.tool.calls', type: 'counter', tags: { tool: 'search', outcome: 'client_error' }, timestamp: last + 1_000, count: 3, sum: 3 },
      { name: 'mcp.tool.calls', type: 'counter', tags: { tool: 'search', outcome: 'cancelled' }, timestamp: last + 1_000, count: 1, sum: 1 },
    ], last + 5_000))
    expect(next.calls.summary).toMatchObject({ calls: 1238, errors: 12, client_errors: 3 })
    expect(next.calls.buckets.find((b) => b.t === last)).toMatchObject({ calls: 14, errors: 0, client_errors: 3 })
  })

  it('moves the window forward when data arrives after its end', () => {
    const later = base.to + 2 * base.bucket_ms
    const next = mergeLive(base, 'metrics', {
      server_id: 'srv',
      received_at: later,
      points: [{ name: 'mcp.tool.calls', type: 'counter', tags: {}, timestamp: later, count: 1, sum: 1 }],
      events: [],
    })
    expect(next.to).toBe(base.to + 3 * base.bucket_ms)
    expect(next.from).toBe(base.from + 3 * base.bucket_ms)
    expect(next.calls.buckets.at(-1)).toMatchObject({ t: later, calls: 1 })
  })

  it('counts usage and heartbeats', () => {
    const next = mergeLive(mergeLive(base, 'usage', { server_id: 'srv', timestamp: last, actions: ['view', 'install'] }), 'heartbeat', { server_id: 'srv', timestamp: last + 30_000 })
    expect(next.usage.totals.views).toBe(311)
    expect(next.usage.totals.installs).toBe(26)
    expect(next.server.last_seen).toBe(last + 30_000)
  })

  it('reads the percentiles of a bucket it built from the merged sketches, not from a blend', () => {
    const later = base.to + base.bucket_ms // a bucket the fetched report does not have
    const first = [10, 10, 10, 10]
    const second = [1000]
    const exact = sketchPercentiles(Sketch.of([...first, ...second]), 10, 1000)
    let next = mergeLive(base, STREAM_EVENT.metrics, batch([timerPoint(MCP_METRICS.tool.duration, later, first), timerPoint('render_ms', later, first)], later))
    // messages in between carry the sketches along
    next = mergeLive(next, STREAM_EVENT.heartbeat, { server_id: 'srv', timestamp: later })
    next = mergeLive(next, STREAM_EVENT.usage, { server_id: 'srv', timestamp: later, actions: ['view'] })
    next = mergeLive(next, STREAM_EVENT.metrics, batch([timerPoint(MCP_METRICS.tool.duration, later + 1_000, second), timerPoint('render_ms', later + 1_000, second)], later + 1_000))

    const blended = (10 * 4 + 1000) / 5
    expect(exact.p50).toBeLessThan(11)
    const render = next.metrics.find((m) => m.name === 'render_ms')
    expect(render?.buckets).toEqual([{ t: later, count: 5, sum: 1040, min: 10, max: 1000, last: 1000, avg: 208, ...exact }])
    expect(render?.summary).toMatchObject(exact)
    const duration = next.metrics.find((m) => m.name === MCP_METRICS.tool.duration)
    expect(duration?.buckets.find((b) => b.t === later)).toMatchObject(exact)
    expect(next.calls.buckets.find((b) => b.t === later)).toMatchObject(exact)
    expect(next.calls.buckets.find((b) => b.t === later)?.p50).not.toBe(blended)
  })

  it('leaves earlier reports and their sketches as they were', () => {
    const later = base.to + base.bucket_ms
    const one = mergeLive(base, STREAM_EVENT.metrics, batch([timerPoint('render_ms', later, [10, 10, 10])], later))
    const before = structuredClone(one)
    const a = mergeLive(one, STREAM_EVENT.metrics, batch([timerPoint('render_ms', later, [1000])], later))
    const b = mergeLive(one, STREAM_EVENT.metrics, batch([timerPoint('render_ms', later, [1000])], later))
    expect(one).toEqual(before)
    expect(a).toEqual(b)
    expect(a.metrics.find((m) => m.name === 'render_ms')?.buckets[0]).toMatchObject(sketchPercentiles(Sketch.of([10, 10, 10, 1000]), 10, 1000))
  })

  it('blends the percentiles of a bucket that had fetched data (it has no sketch)', () => {
    const fetched = base.calls.buckets.find((b) => b.t === last)
    const next = mergeLive(base, STREAM_EVENT.metrics, batch([timerPoint(MCP_METRICS.tool.duration, last + 1_000, [1000])], last + 2_000))
    const calls = next.calls.buckets.find((b) => b.t === last)
    const weight = fetched?.calls ?? 0
    expect(calls?.p50).toBeCloseTo((((fetched?.p50 as number) * weight) + 1000) / (weight + 1), 6)
  })

  it('folds calls into the tool, client, resource and prompt tables as into the cards, so they agree', () => {
    const sum = (rows: { calls: number }[]) => rows.reduce((total, r) => total + r.calls, 0)
    const t = last + 1_000
    const calls = (tags: Record<string, string>, n: number, name: string = MCP_METRICS.tool.calls): StreamPoint => ({ name, type: 'counter', tags, timestamp: t, count: n, sum: n })
    const next = mergeLive(base, STREAM_EVENT.metrics, batch([
      calls({ tool: 'search', client: 'claude-ai', outcome: 'ok' }, 5),
      calls({ tool: 'search', client: 'claude-ai', outcome: 'error' }, 2),
      calls({ tool: 'search', client: 'claude-ai', outcome: 'client_error' }, 1),
      calls({ tool: 'fetch', client: 'cursor', outcome: 'ok' }, 4),
      { ...timerPoint(MCP_METRICS.tool.duration, t, [30, 30, 30, 3000]), tags: { tool: 'fetch', client: 'cursor', outcome: 'ok' } },
      calls({ resource: 'file:///a', client: 'cursor', outcome: 'ok' }, 6, MCP_METRICS.resource.calls),
      calls({ prompt: 'summarise', client: 'cursor', outcome: 'tool_error' }, 2, MCP_METRICS.prompt.calls),
    ], t + 1_000))
    const added = next.calls.summary.calls - base.calls.summary.calls
    expect(added).toBe(12)
    // every table moved by what the card moved (resources and prompts are not tool calls: their own tables)
    expect(sum(next.breakdowns.tools) - sum(base.breakdowns.tools)).toBe(added)
    expect(sum(next.breakdowns.clients) - sum(base.breakdowns.clients)).toBe(added)
    expect(next.breakdowns.tools).toEqual([
      { key: 'search', calls: 1008, errors: 12, client_errors: 1, error_rate: 12 / 1008, p50: 80, p95: 190 },
      { key: 'fetch', calls: 4, errors: 0, error_rate: 0, ...pick(sketchPercentiles(Sketch.of([30, 30, 30, 3000]), 30, 3000), 'p50', 'p95') },
    ])
    expect(next.breakdowns.clients.map((r) => [r.key, r.calls, r.errors])).toEqual([['claude-ai', 908, 11], ['cursor', 4, 0]])
    expect(next.breakdowns.resources).toEqual([{ key: 'file:///a', calls: 6, errors: 0, error_rate: 0, p50: null, p95: null }])
    expect(next.breakdowns.prompts).toEqual([{ key: 'summarise', calls: 2, errors: 2, error_rate: 1, p50: null, p95: null }])
    expect(base.breakdowns.tools).toHaveLength(1)
  })

  it('ignores the messages about the connection', () => {
    expect(mergeLive(base, STREAM_EVENT.ready, { server_id: 'srv' })).toBe(base)
    expect(mergeLive(base, STREAM_EVENT.overflow, { reason: 'client fell behind' })).toBe(base)
  })
})
