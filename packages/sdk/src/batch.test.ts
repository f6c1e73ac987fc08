import { describe, expect, it } from 'vitest'
import { batchBody, buildBatches, byteLength, splitBatch } from './batch'
import { parseCollectBatch } from './protocol/index'

const meta = { serverId: 'srv', sdk: { name: '@mcpdir/metrics', version: '1.0.0' } }
const points = Array.from({ length: 300 }, (_, i) => ({
  name: 'calls',
  type: 'counter' as const,
  tags: { tool: `tool-${i}`, note: 'é✓😀' },
  count: 1,
  sum: i,
  timestamp: Date.now(),
}))

describe('batches', () => {
  it('respect the byte and point bounds and parse as valid collect bodies', () => {
    const batches = buildBatches(points, [{ type: 'heartbeat' }], { maxBytes: 8 * 1024, maxPoints: 50 })
    expect(batches.length).toBeGreaterThanOrEqual(6)
    let seen = 0
    for (const batch of batches) {
      const body = batchBody(batch, meta)
      expect(byteLength(body)).toBeLessThanOrEqual(8 * 1024)
      expect(Buffer.byteLength(body)).toBe(byteLength(body))
      expect(batch.points.length).toBeLessThanOrEqual(50)
      const parsed = parseCollectBatch(JSON.parse(body), { nowMs: Date.now() })
      expect(parsed.ok).toBe(true)
      if (parsed.ok) seen += parsed.value.points.length
    }
    expect(seen).toBe(300)
    expect(new Set(batches.map((b) => b.id)).size).toBe(batches.length)
  })

  it('split in halves with derived ids until one item is left', () => {
    const [batch] = buildBatches(points.slice(0, 3), [{ type: 'heartbeat' }], { maxBytes: 1e6 })
    const [a, b] = splitBatch(batch!)!
    expect(a.id).toBe(`${batch!.id}.1`)
    expect(b.id).toBe(`${batch!.id}.2`)
    expect([...a.points, ...b.points]).toEqual(batch!.points)
    expect(a.events).toEqual(batch!.events)
    expect(splitBatch({ id: 'x', points: ['{}'], events: [], bytes: 3 })).toBeUndefined()
  })
})
