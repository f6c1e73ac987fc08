import { describe, expect, it } from 'vitest'
import { parseUsageTrack } from './usage'

describe('parseUsageTrack', () => {
  it("accepts the seed's single record in either id spelling", () => {
    expect(parseUsageTrack({ serverId: 's1', action: 'view' })).toEqual({ ok: true, value: [{ serverId: 's1', action: 'view' }] })
    expect(parseUsageTrack({ server_id: 's1', action: 'invoke', toolId: 'search', details: { source: 'page' } })).toEqual({
      ok: true,
      value: [{ serverId: 's1', action: 'invoke', toolId: 'search', details: { source: 'page' } }],
    })
  })

  it('accepts a batch of records', () => {
    const result = parseUsageTrack({ records: [{ serverId: 'a', action: 'view' }, { serverId: 'b', action: 'install' }] })
    expect(result.ok && result.value).toHaveLength(2)
  })

  it('names what is wrong', () => {
    const missing = parseUsageTrack({ action: 'view' })
    expect(!missing.ok && missing.issues[0]?.path).toBe('serverId')
    const action = parseUsageTrack({ serverId: 's', action: 'like' })
    expect(!action.ok && action.issues[0]?.path).toBe('action')
    const big = parseUsageTrack({ serverId: 's', action: 'view', details: { note: 'x'.repeat(2000) } })
    expect(!big.ok && big.issues[0]?.path).toMatch(/^details/)
    const batch = parseUsageTrack({ records: [{ serverId: 's', action: 'view' }, { serverId: 's', action: 'nope' }] })
    expect(!batch.ok && batch.issues[0]?.path).toBe('records[1].action')
  })
})
