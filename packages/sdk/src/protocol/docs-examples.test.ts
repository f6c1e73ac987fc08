import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseMetricsAggregate } from './aggregate'
import { parseCollectBatch } from './collect-payload'
import { HEADLINE_FIELDS, isServerSort, SERVER_SORTS, type ServersListResponse } from './servers-list'
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

  it('show the servers list answer with every field of its types', () => {
    const list = jsonBlocks.find((b) => 'next_cursor' in b) as ServersListResponse | undefined
    expect(list).toBeDefined()
    const keys: (keyof ServersListResponse)[] = ['success', 'period', 'sort', 'order', 'from', 'to', 'servers', 'next_cursor', 'total', 'computed_at']
    expect(Object.keys(list ?? {}).sort()).toEqual(keys.sort())
    expect(isServerSort(list?.sort)).toBe(true)
    expect(list?.servers.length).toBeGreaterThan(0)
    for (const server of list?.servers ?? []) {
      expect(Object.keys(server).sort()).toEqual(['id', 'name', 'is_private', 'last_seen', 'previous', ...HEADLINE_FIELDS].sort())
      expect(Object.keys(server.previous).sort()).toEqual([...HEADLINE_FIELDS].sort())
    }
    for (const sort of SERVER_SORTS) expect(doc).toContain(sort)
  })
})
