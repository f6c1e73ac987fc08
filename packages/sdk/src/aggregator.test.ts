import { describe, expect, it, vi } from 'vitest'
import { Aggregator } from './aggregator'
import { createReporter } from './errors'
import { Sketch } from './protocol/index'

const make = (maxSeries = 100, onError = vi.fn()) =>
  new Aggregator({ maxSeries }, createReporter(onError, false), () => performance.now())

describe('Aggregator', () => {
  it('returns the same handle for the same name and tags, whatever their order', () => {
    const agg = make()
    const a = agg.counter('requests', { endpoint: 'query', method: 'GET' })
    expect(agg.counter('requests', { endpoint: 'query', method: 'GET' })).toBe(a)
    expect(agg.counter('requests', { method: 'GET', endpoint: 'query' })).toBe(a)
    expect(agg.counter('requests', { endpoint: 'other', method: 'GET' })).not.toBe(a)
    expect(agg.gauge('requests', { endpoint: 'query', method: 'GET' })).not.toBe(a)
  })

  it('pre-aggregates a window: counters sum, gauges last/min/max, timers count/sum/min/max/sketch', () => {
    const agg = make()
    agg.counter('calls').inc()
    agg.counter('calls').inc(4)
    for (const v of [5, 2, 9, 7]) agg.gauge('queue').set(v)
    for (const v of [10, 30, 20]) agg.timer('latency', { tool: 't' }).record(v)
    const points = agg.collect(1_000)
    expect(points).toEqual([
      { name: 'calls', type: 'counter', timestamp: 1_000, count: 2, sum: 5 },
      { name: 'queue', type: 'gauge', timestamp: 1_000, count: 4, sum: 23, min: 2, max: 9, last: 7 },
      {
        name: 'latency',
        type: 'timer',
        tags: { tool: 't' },
        timestamp: 1_000,
        count: 3,
        sum: 60,
        min: 10,
        max: 30,
        sketch: Sketch.of([10, 30, 20]).toJSON(),
      },
    ])
    expect(agg.collect(2_000)).toEqual([])
  })

  it('keeps held handles working across windows', () => {
    const agg = make()
    const held = agg.counter('held')
    held.inc()
    agg.collect(1)
    held.inc(2)
    expect(agg.collect(2)).toEqual([{ name: 'held', type: 'counter', timestamp: 2, count: 1, sum: 2 }])
  })

  it('folds series beyond maxSeries into the name overflow series and counts it', () => {
    const agg = make(3)
    for (let i = 0; i < 10; i++) agg.counter('hits', { user: `u${i}` }).inc()
    const points = agg.collect(1)
    const hits = points.filter((p) => p.name === 'hits')
    expect(hits).toHaveLength(4)
    expect(hits.find((p) => p.tags?.overflow === 'true')?.sum).toBe(7)
    expect(hits.reduce((n, p) => n + (p.sum as number), 0)).toBe(10)
    expect(points.find((p) => p.name === 'mcpdir.sdk.dropped_series')?.sum).toBe(7)
  })

  it('stays bounded in memory when tag values churn, and re-registers handles it forgot', () => {
    const agg = make(10)
    const held = agg.counter('held')
    for (let w = 0; w < 50; w++) {
      for (let i = 0; i < 10; i++) agg.counter('churn', { id: `${w}-${i}` }).inc()
      agg.collect(w)
    }
    const internals = agg as unknown as { known: Map<string, unknown>; trieNodes: number }
    expect(internals.known.size).toBeLessThanOrEqual(20)
    expect(internals.trieNodes).toBeLessThanOrEqual(80 + 30)
    held.inc(3)
    agg.counter('held').inc(1)
    const points = agg.collect(99)
    expect(points.filter((p) => p.name === 'held')).toEqual([{ name: 'held', type: 'counter', timestamp: 99, count: 2, sum: 4 }])
  })

  it('refuses invalid names, tags and values without throwing, reporting each kind once', () => {
    const onError = vi.fn()
    const agg = make(100, onError)
    agg.counter('9bad').inc()
    agg.counter('9bad').inc()
    agg.counter('ok', { 'bad key': 'x' }).inc()
    agg.counter('ok', { k: 'line\nbreak' }).inc()
    agg.counter('ok').inc(-1)
    agg.counter('ok').inc(Number.NaN)
    agg.timer('t').record(-5)
    agg.gauge('g').set(Number.NaN)
    agg.gauge('huge').set(1e300)
    expect(onError).toHaveBeenCalledTimes(3)
    const points = agg.collect(1)
    expect(points.filter((p) => !p.name.startsWith('mcpdir.sdk.')).map((p) => p.name)).toEqual([])
    expect(points.find((p) => p.name === 'mcpdir.sdk.invalid_values')?.sum).toBe(9)
  })

  it('times functions, tagging the outcome and rethrowing', async () => {
    const agg = make()
    const timer = agg.timer('work', { kind: 'a' })
    expect(await timer.time(async () => 42)).toBe(42)
    const error = new Error('boom')
    await expect(timer.time(() => Promise.reject(error))).rejects.toBe(error)
    await expect(timer.time(() => { throw error })).rejects.toBe(error)
    const points = agg.collect(1)
    expect(points.map((p) => [p.tags, p.count])).toEqual([
      [{ kind: 'a', outcome: 'ok' }, 1],
      [{ kind: 'a', outcome: 'error' }, 2],
    ])
  })

  it('asks for an early flush when the window reaches flushAt', () => {
    const onWindowFull = vi.fn()
    const agg = new Aggregator({ maxSeries: 100, flushAt: 5, onWindowFull }, createReporter(undefined, false), () => 0)
    for (let i = 0; i < 12; i++) agg.counter('c', { i: String(i) }).inc()
    expect(onWindowFull).toHaveBeenCalledTimes(1)
  })
})
