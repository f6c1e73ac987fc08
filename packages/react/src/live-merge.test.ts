import { describe, expect, it } from 'vitest'
import { report } from '../test/fixtures'
import { mergeLive } from './live-merge'

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
})
