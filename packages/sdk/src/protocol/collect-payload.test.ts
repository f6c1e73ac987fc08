import { describe, expect, it } from 'vitest'
import { parseCollectBatch } from './collect-payload'
import { MAX_POINTS_PER_BATCH, MAX_TAGS_PER_POINT } from './limits'
import { Sketch } from './sketch'

const now = Date.parse('2025-06-02T14:31:00Z')

// The payload from the seed's README, as is.
const seedPayload = {
  server_id: 'server-123',
  metrics: [
    { name: 'response_time', value: 120.5, type: 'gauge', tags: { endpoint: 'query' }, timestamp: '2025-06-02T14:30:00Z' },
  ],
}

function issuesOf(input: unknown, options = {}) {
  const result = parseCollectBatch(input, { nowMs: now, ...options })
  if (result.ok) throw new Error('expected the batch to be refused')
  return result.issues
}

describe('parseCollectBatch', () => {
  it("accepts the seed's payload and normalizes it", () => {
    const result = parseCollectBatch(seedPayload, { nowMs: now })
    expect(result).toEqual({
      ok: true,
      value: {
        serverId: 'server-123',
        points: [
          {
            name: 'response_time',
            type: 'gauge',
            tags: { endpoint: 'query' },
            timestamp: Date.parse('2025-06-02T14:30:00Z'),
            count: 1,
            sum: 120.5,
            min: 120.5,
            max: 120.5,
            last: 120.5,
          },
        ],
        events: [],
      },
    })
  })

  it("maps the seed database's type spellings", () => {
    const metrics = ['count', 'histogram', 'distribution', 'counter', 'gauge', 'timer'].map((type) => ({
      name: 'm',
      value: 2,
      type,
    }))
    const result = parseCollectBatch({ server_id: 's', metrics }, { nowMs: now })
    expect(result.ok && result.value.points.map((p) => p.type)).toEqual(['counter', 'timer', 'timer', 'counter', 'gauge', 'timer'])
    expect(result.ok && result.value.points[1]?.sketch?.counts).toEqual([1])
  })

  it('accepts pre-aggregated points and events, sorting tags', () => {
    const sketch = Sketch.of([10, 20, 30]).toJSON()
    const result = parseCollectBatch(
      {
        server_id: 's',
        batch_id: 'b-1',
        sdk: { name: '@mcpdir/metrics', version: '0.1.0' },
        metrics: [
          { name: 'calls', type: 'counter', count: 4, sum: 4, tags: { z: '1', a: '2' } },
          { name: 'mem', type: 'gauge', count: 2, sum: 30, min: 10, max: 20, last: 20 },
          { name: 'latency', type: 'timer', count: 3, sum: 60, min: 10, max: 30, sketch },
        ],
        events: [{ type: 'deployment', details: { version: '1.4.0' } }],
      },
      { nowMs: now },
    )
    if (!result.ok) throw new Error(JSON.stringify(result.issues))
    expect(Object.keys(result.value.points[0]?.tags ?? {})).toEqual(['a', 'z'])
    expect(result.value.points[2]?.sketch).toEqual(sketch)
    expect(result.value.events).toEqual([{ type: 'deployment', timestamp: now, details: { version: '1.4.0' } }])
    expect(result.value.batchId).toBe('b-1')
  })

  it('names the path and reason of each problem', () => {
    expect(issuesOf({ server_id: 's', metrics: [{ name: 'a', value: 'x', type: 'gauge' }] })[0]).toMatchObject({
      path: 'metrics[0].value',
    })
    expect(issuesOf({ server_id: 's', metrics: [{ name: 'a', value: 1, type: 'meter' }] })[0]?.path).toBe('metrics[0].type')
    expect(issuesOf({ server_id: 's', metrics: [{ name: '9lives', value: 1, type: 'gauge' }] })[0]?.path).toBe('metrics[0].name')
    expect(issuesOf({ server_id: 's', metrics: [{ name: 'a', type: 'gauge' }] })[0]).toMatchObject({
      path: 'metrics[0].value',
      message: expect.stringContaining('required'),
    })
    expect(issuesOf({ server_id: 's', metrics: [{ name: 'a', type: 'timer', value: -1 }] })[0]?.path).toBe('metrics[0].value')
    expect(issuesOf({ server_id: 's', metrics: [] })[0]?.message).toMatch(/at least one/)
    expect(issuesOf({ metrics: [{ name: 'a', value: 1, type: 'gauge' }] })[0]?.path).toBe('server_id')
    expect(issuesOf('not an object')[0]?.path).toBe('')
  })

  it('refuses aggregated timers whose sketch does not match the count', () => {
    const sketch = Sketch.of([1, 2]).toJSON()
    const issues = issuesOf({ server_id: 's', metrics: [{ name: 't', type: 'timer', count: 3, sum: 6, min: 1, max: 3, sketch }] })
    expect(issues[0]?.path).toBe('metrics[0].sketch')
  })

  it('enforces the limits', () => {
    const point = { name: 'a', value: 1, type: 'counter' }
    expect(issuesOf({ server_id: 's', metrics: Array(MAX_POINTS_PER_BATCH + 1).fill(point) })[0]?.path).toBe('metrics')
    const tags = Object.fromEntries(Array.from({ length: MAX_TAGS_PER_POINT + 1 }, (_, i) => [`k${i}`, 'v']))
    expect(issuesOf({ server_id: 's', metrics: [{ ...point, tags }] })[0]?.path).toBe('metrics[0].tags')
    expect(issuesOf({ server_id: 's', metrics: [{ ...point, value: 1e300 }] })[0]?.path).toBe('metrics[0].value')
    expect(issuesOf({ server_id: 's', metrics: [{ ...point, tags: { a: 'x'.repeat(201) } }] })[0]?.path).toBe('metrics[0].tags.a')
    expect(issuesOf({ server_id: 's', metrics: [{ ...point, tags: { a: 'line\nbreak' } }] })[0]?.path).toBe('metrics[0].tags.a')
    const proto = JSON.parse('{"server_id":"s","metrics":[{"name":"a","value":1,"type":"counter","tags":{"__proto__":"x"}}]}')
    expect(issuesOf(proto)[0]?.path).toMatch(/^metrics\[0\]\.tags/)
  })

  it('refuses timestamps older than raw retention or more than 5 minutes ahead', () => {
    const at = (timestamp: string | number) => ({ server_id: 's', metrics: [{ name: 'a', value: 1, type: 'gauge', timestamp }] })
    expect(issuesOf(at(now - 8 * 86_400_000))[0]).toMatchObject({ path: 'metrics[0].timestamp', code: 'too_old' })
    expect(issuesOf(at(now + 6 * 60_000))[0]).toMatchObject({ path: 'metrics[0].timestamp', code: 'too_new' })
    expect(issuesOf(at('2025-06-02 14:30'))[0]?.path).toMatch(/^metrics\[0\]\.timestamp/)
    expect(parseCollectBatch(at(now + 4 * 60_000), { nowMs: now }).ok).toBe(true)
    expect(parseCollectBatch(at(now - 6 * 86_400_000), { nowMs: now }).ok).toBe(true)
  })

  it('takes the server id from the path and refuses a mismatch', () => {
    const body = { metrics: [{ name: 'a', value: 1, type: 'gauge' }] }
    const result = parseCollectBatch(body, { nowMs: now, serverId: 'from-path' })
    expect(result.ok && result.value.serverId).toBe('from-path')
    expect(issuesOf({ ...body, server_id: 'other' }, { serverId: 'from-path' })[0]?.path).toBe('server_id')
  })
})
