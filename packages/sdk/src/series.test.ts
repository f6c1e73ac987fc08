// The record sites compare against the protocol's MAX_ABS_VALUE written as a literal (see series.ts): these
// tests hold each of them to the protocol's bound, exactly.
import { describe, expect, it, vi } from 'vitest'
import { Aggregator } from './aggregator'
import { createReporter } from './errors'
import { MAX_ABS_VALUE } from './protocol/index'

/** The next double above `x` (x > 0). */
const above = (x: number) => x + 2 ** (Math.floor(Math.log2(x)) - 52)

describe('record sites', () => {
  it('accept values up to the protocol bound, and refuse the next number above it', () => {
    const agg = new Aggregator({ maxSeries: 100 }, createReporter(vi.fn(), false), () => 0)
    expect(above(MAX_ABS_VALUE)).toBeGreaterThan(MAX_ABS_VALUE)
    agg.counter('c').inc(MAX_ABS_VALUE)
    agg.counter('c2').inc(above(MAX_ABS_VALUE))
    agg.gauge('g').set(MAX_ABS_VALUE)
    agg.gauge('g2').set(-MAX_ABS_VALUE)
    agg.gauge('g3').set(above(MAX_ABS_VALUE))
    agg.gauge('g4').set(-above(MAX_ABS_VALUE))
    agg.timer('t').record(MAX_ABS_VALUE)
    agg.timer('t2').record(above(MAX_ABS_VALUE))
    const points = agg.collect(1)
    expect(points.filter((p) => !p.name.startsWith('mcpdir.')).map((p) => p.name)).toEqual(['c', 'g', 'g2', 't'])
    expect(points.find((p) => p.name === 'mcpdir.sdk.invalid_values')?.sum).toBe(4)
  })
})
