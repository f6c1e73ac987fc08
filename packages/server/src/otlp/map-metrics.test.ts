import { describe, expect, it } from 'vitest'
import { decodeRequest } from './decode'
import { mapRequest } from './map-metrics'
import { gaugeMetric, histogramMetric, otlpRequest, sumMetric } from './otlp-test-helpers'

const NOW = Date.parse('2026-03-10T12:00:00Z')
const map = (json: Record<string, unknown>) => mapRequest(decodeRequest(new TextEncoder().encode(JSON.stringify(json)), 'json'), { nowMs: NOW, maxAgeMs: 7 * 86_400_000 - 3_600_000 })

describe('mapRequest', () => {
  it('maps each kind and temporality as the table says', () => {
    const mapped = map(
      otlpRequest([
        gaugeMetric('g', [{ timeMs: NOW, value: 2.5 }], 'ms'),
        sumMetric('d', 'delta', [{ timeMs: NOW, value: 4, attributes: { a: '1' } }, { timeMs: NOW, value: 0 }]),
        sumMetric('c', 'cumulative', [{ startMs: NOW - 1000, timeMs: NOW, value: 9 }]),
        sumMetric('u', 'cumulative', [{ startMs: NOW - 1000, timeMs: NOW, value: -3 }], { monotonic: false }),
        histogramMetric('h', 'delta', [1], [{ timeMs: NOW, values: [0.5, 2] }], 's'),
        histogramMetric('hc', 'cumulative', [1], [{ startMs: NOW - 1000, timeMs: NOW, values: [0.5] }], 'ms'),
      ]),
    )
    expect(mapped.rejected).toBe(0)
    expect(mapped.points.map((p) => [p.name, p.type, p.sum])).toEqual([
      ['g', 'gauge', 2.5],
      ['d', 'counter', 4], // the zero increase stores nothing
      ['u', 'gauge', -3],
      ['h', 'timer', 2500],
    ])
    expect(mapped.points[1]?.tags).toEqual({ a: '1' })
    expect(mapped.cumulative.map((c) => [c.target.name, c.state.value.kind, c.countsWhole])).toEqual([
      ['c', 'number', true],
      ['hc', 'histogram', true],
    ])
    expect(mapped.versions).toEqual([])
  })

  it('keys a cumulative series by service instance, scope, name, attributes and start time', () => {
    const key = (resource: Record<string, string>, attributes: Record<string, string>, startMs: number, name = 'c') =>
      map(otlpRequest([sumMetric(name, 'cumulative', [{ startMs, timeMs: NOW, value: 1, attributes }])], resource)).cumulative[0]?.key
    const base = key({ 'service.name': 's' }, { a: '1', b: '2' }, NOW - 1000)
    expect(key({ 'service.name': 's' }, { b: '2', a: '1' }, NOW - 1000)).toBe(base) // attribute order does not matter
    // other resource attributes may come and go (a version, a late detector) without making the series new
    expect(key({ 'service.name': 's', 'service.version': '2', 'host.name': 'h' }, { a: '1', b: '2' }, NOW - 1000)).toBe(base)
    for (const other of [
      key({ 'service.name': 's', 'service.instance.id': 'i2' }, { a: '1', b: '2' }, NOW - 1000),
      key({ 'service.name': 's' }, { a: '1', b: '3' }, NOW - 1000),
      key({ 'service.name': 's' }, { a: '1', b: '2' }, NOW - 999),
      key({ 'service.name': 's' }, { a: '1', b: '2' }, NOW - 1000, 'c2'),
    ]) {
      expect(other).not.toBe(base)
    }
    expect(base).toMatch(/^[A-Za-z0-9_-]{24}$/)
  })

  it('refuses points it cannot store, with reasons, and skips points without a recorded value', () => {
    const json = otlpRequest([
      sumMetric('bad name!', 'delta', [{ timeMs: NOW, value: 1 }]),
      sumMetric('updown', 'delta', [{ timeMs: NOW, value: 1 }], { monotonic: false }),
      sumMetric('neg', 'delta', [{ timeMs: NOW, value: -1 }]),
      sumMetric('ahead', 'delta', [{ timeMs: NOW + 6 * 60_000, value: 1 }]),
      sumMetric('tags', 'delta', [{ timeMs: NOW, value: 1, attributes: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v'])) }]),
      sumMetric('huge', 'delta', [{ timeMs: NOW, value: 1e16 }]),
      { name: 'nosum', unit: 's', histogram: { aggregationTemporality: 1, dataPoints: [{ timeUnixNano: `${NOW}000000`, count: '1', explicitBounds: [], bucketCounts: [] }] } },
      sumMetric('stale', 'delta', [{ timeMs: NOW, value: 1 }]),
    ])
    ;(json as any).resourceMetrics[0].scopeMetrics[0].metrics[7].sum.dataPoints[0].flags = 1
    const mapped = map(json)
    expect(mapped.points).toEqual([])
    expect(mapped.rejected).toBe(7)
    expect(mapped.reasons).toHaveLength(5)
    expect(mapped.reasons[0]).toMatch(/^bad name! \(resourceMetrics\[0\]\.scopeMetrics\[0\]\.metrics\[0\]\): the name is not a metric name/)
    expect(mapped.reasons.slice(1).join('\n')).toMatch(/non-monotonic delta Sum[\s\S]*cannot be negative[\s\S]*5 minutes ahead[\s\S]*at most 16/)
  })

  it('adds the configured resource attributes as tags of every point, the point\'s own attributes first', () => {
    const json = otlpRequest(
      [
        gaugeMetric('g', [{ timeMs: NOW, value: 1, attributes: { region: 'point' } }]),
        histogramMetric('mcp.server.operation.duration', 'delta', [1], [{ timeMs: NOW, values: [0.5], attributes: { 'mcp.method.name': 'tools/list' } }]),
      ],
      { 'service.name': 's', 'deployment.environment.name': 'prod', region: 'eu', 'host.name': 'h1' },
    )
    const mapped = mapRequest(decodeRequest(new TextEncoder().encode(JSON.stringify(json)), 'json'), {
      nowMs: NOW,
      maxAgeMs: 86_400_000,
      resourceTags: ['deployment.environment.name', 'region', 'absent'],
    })
    expect(mapped.points[0]?.tags).toEqual({ 'deployment.environment.name': 'prod', region: 'point' })
    expect(mapped.points.slice(1).map((p) => p.tags['deployment.environment.name'])).toEqual(['prod', 'prod'])
    expect(mapped.points[1]?.tags).not.toHaveProperty('host.name')
    // without the setting, resource attributes are never tags
    expect(map(json).points[0]?.tags).toEqual({ region: 'point' })
  })

  it("notes each resource's service.version once", () => {
    const mapped = map({
      resourceMetrics: [
        { resource: { attributes: [{ key: 'service.name', value: { stringValue: 'a' } }, { key: 'service.version', value: { stringValue: '2.0' } }] }, scopeMetrics: [] },
        { resource: { attributes: [{ key: 'service.name', value: { stringValue: 'a' } }, { key: 'service.version', value: { stringValue: '2.0' } }] }, scopeMetrics: [] },
        { resource: { attributes: [] }, scopeMetrics: [] },
      ],
    })
    expect(mapped.versions).toEqual([{ service: 'a', version: '2.0' }])
  })
})
