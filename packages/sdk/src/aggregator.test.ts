import { describe, expect, it, vi } from 'vitest'
import { Aggregator } from './aggregator'
import { createReporter } from './errors'
import { MAX_ABS_VALUE, Sketch } from './protocol/index'

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

  it('refuses invalid names, tags and values without throwing, reporting each kind once (values once per name)', () => {
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
    // 9bad (once for both), the tag key, the tag value; then the values of ok (once for both), t, g and huge
    expect(onError).toHaveBeenCalledTimes(7)
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

describe('Aggregator record sites (issue 17)', () => {
  const invalid = (agg: Aggregator) => agg.collect(1).find((p) => p.name === 'mcpdir.sdk.invalid_values')?.sum ?? 0

  it('counts counter(name, null) on the untagged series instead of throwing', () => {
    const agg = make()
    const tags = null as unknown as undefined
    expect(() => agg.counter('x', tags).inc()).not.toThrow()
    agg.counter('x').inc()
    expect(agg.counter('x', tags)).toBe(agg.counter('x'))
    expect(agg.collect(1)).toEqual([{ name: 'x', type: 'counter', timestamp: 1, count: 2, sum: 2 }])
  })

  it('drops BigInt values (inc(10n), record(5n), set(1n)) instead of throwing on the BigInt mix', () => {
    const onError = vi.fn()
    const agg = make(100, onError)
    const big = (n: bigint) => n as unknown as number
    expect(() => agg.counter('y').inc(big(10n))).not.toThrow()
    expect(() => agg.timer('t').record(big(5n))).not.toThrow()
    expect(() => agg.gauge('g').set(big(1n))).not.toThrow()
    agg.counter('y').inc(2)
    agg.timer('t').record(4)
    const points = agg.collect(1)
    expect(points.find((p) => p.name === 'y')).toMatchObject({ count: 1, sum: 2 })
    expect(points.find((p) => p.name === 't')).toMatchObject({ count: 1, sum: 4, min: 4, max: 4 })
    expect(points.find((p) => p.name === 'g')).toBeUndefined()
    expect(points.find((p) => p.name === 'mcpdir.sdk.invalid_values')?.sum).toBe(3)
    expect(onError.mock.calls.map(([e]) => e.code)).toEqual(['invalid_metric', 'invalid_metric', 'invalid_metric'])
  })

  it('drops a non-number, non-finite or out-of-range value at the record site, counted, reported once per name', () => {
    const onError = vi.fn()
    const agg = make(100, onError)
    const gauge = agg.gauge('g')
    for (const bad of ['7', null, {}, true, Symbol('s'), Number.POSITIVE_INFINITY, -Number.MAX_VALUE, 2 * MAX_ABS_VALUE]) {
      expect(() => gauge.set(bad as number)).not.toThrow()
    }
    gauge.set(-3)
    gauge.set(5)
    const counter = agg.counter('c')
    for (const bad of ['1', Number.NaN, Number.POSITIVE_INFINITY, -1, 2 * MAX_ABS_VALUE]) counter.inc(bad as number)
    counter.inc()
    const points = agg.collect(1)
    expect(points.find((p) => p.name === 'g')).toEqual({ name: 'g', type: 'gauge', timestamp: 1, count: 2, sum: 2, min: -3, max: 5, last: 5 })
    expect(points.find((p) => p.name === 'c')).toMatchObject({ count: 1, sum: 1 })
    expect(points.find((p) => p.name === 'mcpdir.sdk.invalid_values')?.sum).toBe(13)
    expect(onError).toHaveBeenCalledTimes(2)
    expect(onError.mock.calls[0]?.[0]).toMatchObject({ code: 'invalid_metric', message: expect.stringContaining('metric g') })
  })

  it('sends a counter or gauge window whose sum passes the protocol limit as several points, dropping nothing', () => {
    const onError = vi.fn()
    const agg = make(100, onError)
    agg.counter('big').inc(MAX_ABS_VALUE)
    agg.counter('big').inc(MAX_ABS_VALUE)
    agg.counter('big').inc(1)
    for (let i = 0; i < 4; i++) agg.gauge('level').set(-0.75 * MAX_ABS_VALUE)
    agg.timer('slow').record(MAX_ABS_VALUE)
    agg.timer('slow').record(MAX_ABS_VALUE)
    const points = agg.collect(1)
    const big = points.filter((p) => p.name === 'big')
    expect(big.map((p) => p.count)).toEqual([1, 1, 1])
    expect(big.every((p) => (p.sum as number) <= MAX_ABS_VALUE)).toBe(true)
    expect(big.reduce((n, p) => n + (p.sum as number), 0)).toBe(2 * MAX_ABS_VALUE + 1)
    const level = points.filter((p) => p.name === 'level')
    expect(level).toHaveLength(3)
    expect(level.reduce((n, p) => n + (p.count as number), 0)).toBe(4)
    expect(level.every((p) => p.sum === -MAX_ABS_VALUE && p.min === -0.75 * MAX_ABS_VALUE && p.last === -0.75 * MAX_ABS_VALUE)).toBe(true)
    // a timer's sketch cannot be split: its window is dropped, counted and reported
    expect(points.find((p) => p.name === 'slow')).toBeUndefined()
    expect(points.find((p) => p.name === 'mcpdir.sdk.invalid_values')?.sum).toBe(2)
    expect(onError.mock.calls.map(([e]) => e.message)).toEqual([expect.stringContaining('metric slow')])
  })

  it('answers tags that throw (proxies, getters) or are not objects with a handle that records nothing', () => {
    const onError = vi.fn()
    const agg = make(100, onError)
    const trap = () => {
      throw new Error('trap')
    }
    const proxy = new Proxy({}, { ownKeys: trap, get: trap, has: trap, getOwnPropertyDescriptor: trap, getPrototypeOf: trap })
    const getter = Object.defineProperty({}, 'k', { enumerable: true, get: trap })
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    for (const tags of [proxy, getter, cyclic, 'abc', 5, Symbol('t'), 1n, { k: { toString: trap } }, { k: Symbol('v') }]) {
      expect(() => agg.counter('c', tags as never).inc()).not.toThrow()
      expect(() => agg.timer('t', tags as never).record(1)).not.toThrow()
    }
    expect(invalid(agg)).toBe(18)
    expect(onError.mock.calls.every(([e]) => e.code === 'invalid_metric')).toBe(true)
  })

  it('never throws on a name that cannot be printed', () => {
    const agg = make(100, vi.fn())
    for (const name of [1n, Symbol('n'), { toString: () => { throw new Error('x') } }, new Proxy({}, { get: () => { throw new Error('x') } })]) {
      expect(() => agg.counter(name as never).inc()).not.toThrow()
    }
    expect(invalid(agg)).toBe(4)
  })

  it('resolves time() given something other than a function, recording nothing', async () => {
    const agg = make(100, vi.fn())
    await expect(agg.timer('t').time(5 as never)).resolves.toBeUndefined()
    expect(agg.collect(1).filter((p) => p.name === 't')).toEqual([])
  })
})
