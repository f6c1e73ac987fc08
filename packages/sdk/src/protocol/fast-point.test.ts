import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { metricPointInputSchema, parseCollectBatch } from './collect-payload'
import { fastPoint } from './fast-point'
import { Sketch } from './sketch'

const name = fc.constantFrom('mcp.tool.calls', 'a', 'x'.repeat(128), 'x'.repeat(129), '9bad', 'has space', '', 'ok:name/x-y')
const tagKey = fc.constantFrom('tool', 'outcome', 'a', '__proto__', 'constructor', '9x', 'k'.repeat(64), 'k'.repeat(65), '')
const tagValue = fc.oneof(fc.constantFrom('ok', '', 'v'.repeat(200), 'v'.repeat(201), 'line\nbreak', 'é✓'), fc.integer())
const tags = fc.oneof(fc.constant(undefined), fc.dictionary(tagKey, tagValue, { maxKeys: 18 }), fc.constant([]), fc.constant(null))
const number = fc.oneof(
  fc.double({ min: -2e15, max: 2e15, noNaN: false }),
  fc.integer({ min: -5, max: 5 }),
  fc.constantFrom(1e15, -1e15, 1e16, Number.POSITIVE_INFINITY, 0.5, '3', null),
)
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined })
const sketch = fc.oneof(
  fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 20 }).map((xs) => Sketch.of(xs).toJSON()),
  fc.record({ alpha: fc.constantFrom(0.01, 0.02), zero: fc.integer({ min: -1, max: 3 }), keys: fc.array(fc.integer({ min: -3000, max: 3000 }), { maxLength: 4 }), counts: fc.array(fc.integer({ min: -1, max: 3 }), { maxLength: 4 }) }),
)

const anyPoint = fc.record(
  {
    name,
    type: fc.constantFrom('counter', 'gauge', 'timer', 'count', 'histogram', 'distribution', 'meter', 1),
    value: maybe(number),
    count: maybe(fc.oneof(fc.integer({ min: -2, max: 10 }), fc.constantFrom(1.5, 1e16))),
    sum: maybe(number),
    min: maybe(number),
    max: maybe(number),
    last: maybe(number),
    sketch: maybe(sketch),
    tags,
    timestamp: maybe(fc.oneof(fc.integer({ min: -1, max: 9e15 }), fc.constantFrom(1.5, 'not a date'))),
    extra: maybe(fc.string()),
  },
  { requiredKeys: ['name', 'type'] },
)

// what the SDK sends: valid aggregated points with numeric timestamps
const sdkPoint = fc
  .record({
    kind: fc.constantFrom('counter', 'gauge', 'timer'),
    values: fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 10 }),
    tags: fc.dictionary(fc.constantFrom('tool', 'client', 'outcome', 'shard'), fc.string({ maxLength: 50 }).filter((v) => !/[\u0000-\u001f\u007f]/.test(v)), { maxKeys: 4 }),
    timestamp: fc.integer({ min: 0, max: 8e15 }),
  })
  .map(({ kind, values, tags, timestamp }) => {
    const sum = values.reduce((a, b) => a + b, 0)
    const base = { name: 'work.items', type: kind, count: values.length, sum, tags, timestamp }
    if (kind === 'counter') return base
    const min = Math.min(...values)
    const max = Math.max(...values)
    return kind === 'gauge' ? { ...base, min, max, last: values.at(-1) } : { ...base, min, max, sketch: Sketch.of(values).toJSON() }
  })

describe('fastPoint', () => {
  it('never accepts what the schema refuses, and reads accepted points as the schema does', () => {
    fc.assert(
      fc.property(anyPoint, (input) => {
        const fast = fastPoint(input)
        if (fast === undefined) return true
        const parsed = metricPointInputSchema.safeParse(input)
        expect(parsed.success, JSON.stringify(input)).toBe(true)
        return true
      }),
      { numRuns: 20_000 },
    )
  })

  it('accepts every point the SDK sends, so the fast path is the one taken', () => {
    fc.assert(
      fc.property(sdkPoint, (input) => {
        expect(metricPointInputSchema.safeParse(input).success).toBe(true)
        expect(fastPoint(input)).toBeDefined()
      }),
      { numRuns: 2_000 },
    )
  })

  it('gives the same batch through either path', () => {
    fc.assert(
      fc.property(fc.array(sdkPoint, { minLength: 1, maxLength: 20 }), (metrics) => {
        const now = Date.parse('2030-01-01T00:00:00Z')
        const viaFast = parseCollectBatch({ server_id: 's', metrics: metrics.map((m) => ({ ...m, timestamp: now })) }, { nowMs: now })
        // a string timestamp sends the whole batch down the schema path
        const viaSchema = parseCollectBatch(
          { server_id: 's', metrics: metrics.map((m, i) => ({ ...m, timestamp: i === 0 ? new Date(now).toISOString() : now })) },
          { nowMs: now },
        )
        expect(viaFast).toEqual(viaSchema)
      }),
      { numRuns: 300 },
    )
  })

  it('remembers only what passed, and only for the check it passed, past its bound too', () => {
    const point = (name: string, tags: Record<string, string>) => fastPoint({ name, type: 'counter', count: 1, sum: 1, tags })
    const long = 'v'.repeat(100)
    // a valid tag value is not thereby a valid tag key (at most 64 characters), nor a metric name
    expect(point('m', { k: long })).toBeDefined()
    expect(point('m', { [long]: 'x' })).toBeUndefined()
    expect(point('m', { k: 'has space' })).toBeDefined()
    expect(point('has space', {})).toBeUndefined()
    expect(point('has space', {})).toBeUndefined()
    // more distinct names than it keeps: still right for old and new ones
    for (let i = 0; i < 10_000; i++) expect(point(`name.${i}`, { tool: `t${i}` })).toBeDefined()
    expect(point('name.0', { tool: 't0' })).toBeDefined()
    expect(point('9bad', { tool: 't0' })).toBeUndefined()
    expect(point('name.1', { 'bad key': 't0' })).toBeUndefined()
  })
})
