import { describe, expect, it } from 'vitest'
import { generateKey, hashKey, isWellFormedKey, newCredentials } from './keys'

describe('keys', () => {
  it('are prefixed, 41 characters, and carry a checksum that catches typos', () => {
    const key = generateKey('ingest')
    expect(key).toMatch(/^mcpm_[0-9A-Za-z]{36}$/)
    expect(isWellFormedKey('ingest', key)).toBe(true)
    expect(isWellFormedKey('read', key)).toBe(false)
    const typo = key.slice(0, 10) + (key[10] === 'a' ? 'b' : 'a') + key.slice(11)
    expect(isWellFormedKey('ingest', typo)).toBe(false)
    expect(isWellFormedKey('ingest', `${key}x`)).toBe(false)
    expect(new Set(Array.from({ length: 100 }, () => generateKey('read'))).size).toBe(100)
  })

  it('are stored only as SHA-256, secrets as whsec_', () => {
    const { stored, shown } = newCredentials(true)
    expect(stored.ingestKeyHash).toBe(hashKey(shown.ingestKey))
    expect(JSON.stringify(stored)).not.toContain(shown.ingestKey)
    expect(JSON.stringify(stored)).not.toContain(shown.readToken)
    expect(shown.signingSecret).toMatch(/^whsec_/)
    expect(newCredentials(false).shown.readToken).toBeUndefined()
  })
})
