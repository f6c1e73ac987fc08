import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseMetricsAggregate } from './aggregate'
import { parseCollectBatch } from './collect-payload'
import { parseUsageTrack } from './usage'

// Every request body shown in docs/protocol.md must be accepted by the schema it documents.
const doc = readFileSync(resolve(import.meta.dirname, '../../../../docs/protocol.md'), 'utf8')
const jsonBlocks = [...doc.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse((m[1] as string).replace(/…/g, '')))
const shellBodies = [...doc.matchAll(/(?:BODY=|-d )'(\{[^']*\})'/g)].map((m) => JSON.parse(m[1] as string))

describe('docs/protocol.md examples', () => {
  it('are all accepted', () => {
    const bodies = [...jsonBlocks, ...shellBodies].filter((b) => !('success' in b))
    expect(bodies.length).toBeGreaterThanOrEqual(5)
    for (const body of bodies) {
      const result =
        'action' in body
          ? parseUsageTrack(body)
          : 'date' in body || 'retentionDays' in body
            ? parseMetricsAggregate(body)
            : parseCollectBatch(body, { nowMs: Date.parse('2025-06-02T14:31:00Z') })
      expect(result, JSON.stringify(body)).toMatchObject({ ok: true })
    }
  })
})
