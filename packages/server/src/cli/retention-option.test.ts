import { describe, expect, it } from 'vitest'
import { DEFAULT_RETENTION } from '../app/config'
import { parseRetention } from './retention-option'

describe('parseRetention', () => {
  it('overrides the defaults it names', () => {
    expect(parseRetention('raw=3d, minute=1d,day=400d')).toEqual({ ...DEFAULT_RETENTION, rawMs: 3 * 86_400_000, minuteMs: 86_400_000, dayMs: 400 * 86_400_000 })
    expect(parseRetention('')).toEqual(DEFAULT_RETENTION)
    expect(parseRetention('day=forever').dayMs).toBeNull()
  })

  it('names what is wrong', () => {
    expect(() => parseRetention('rawx=1d')).toThrow('expected one of raw')
    expect(() => parseRetention('raw=7 days')).toThrow('30m, 12h or 7d')
    expect(() => parseRetention('raw=forever')).toThrow('only day')
    expect(() => parseRetention('minute=10d')).toThrow('may not outlive')
    expect(() => parseRetention('raw=1h')).toThrow('at least 2h')
  })
})
