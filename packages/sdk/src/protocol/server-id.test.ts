import { describe, expect, it } from 'vitest'
import { parseCollectBatch } from './collect-payload'
import { MAX_SERVER_ID_LENGTH } from './limits'
import { isServerId, SERVER_ID_RULE, serverIdProblem } from './server-id'
import { parseUsageTrack } from './usage'

describe('the server-id rule', () => {
  it('accepts 1-128 letters, digits and _ . -, starting with a letter or digit', () => {
    for (const id of ['a', '9', 'server-123', 'Acme.docs_v2', 'x'.repeat(MAX_SERVER_ID_LENGTH)]) {
      expect(isServerId(id), id).toBe(true)
      expect(serverIdProblem(id), id).toBeUndefined()
    }
  })

  it('refuses everything else with one message', () => {
    for (const id of ['', '-a', '.a', '_a', 'a b', 'a/b', 'ä', 'x'.repeat(MAX_SERVER_ID_LENGTH + 1), 42, undefined, null]) {
      expect(isServerId(id), String(id)).toBe(false)
      expect(serverIdProblem(id), String(id)).toBe(SERVER_ID_RULE)
    }
    expect(SERVER_ID_RULE).toBe('server id must be 1-128 characters: a letter or digit, then letters, digits, _ . -')
  })

  it('is the rule of the payload schemas too', () => {
    const long = 'x'.repeat(MAX_SERVER_ID_LENGTH + 1)
    const collect = parseCollectBatch({ server_id: long, metrics: [{ name: 'a', value: 1, type: 'gauge' }] }, { nowMs: Date.now() })
    expect(collect).toMatchObject({ ok: false, issues: [{ path: 'server_id', message: SERVER_ID_RULE }] })
    expect(parseUsageTrack({ serverId: '-x', action: 'view' })).toMatchObject({ ok: false, issues: [{ path: 'serverId', message: SERVER_ID_RULE }] })
    expect(parseCollectBatch({ server_id: 'x'.repeat(MAX_SERVER_ID_LENGTH), events: [{ type: 'restart' }] }, { nowMs: Date.now() }).ok).toBe(true)
  })
})
