// The short soak profile (the long one is `npm run soak`): sustained mixed traffic with the WAL kept small
// by checkpoints and memory within bounds.
import { describe, expect, it } from 'vitest'
// @ts-expect-error the soak script is plain JavaScript, run by node directly
import { soak } from '../soak/soak.mjs'

describe('soak (short profile)', () => {
  it('keeps the WAL small and flat, and memory bounded, under sustained mixed traffic', async () => {
    const result = await soak({ seconds: 20, sampleMs: 1_000 })
    expect(result.points).toBeGreaterThan(10_000)
    expect(result.walMaxMB).toBeLessThanOrEqual(16)
    expect(result.walSecondHalfSlopeMBPerMin).toBeLessThan(2)
    expect(result.rssEndMB).toBeLessThan(400)
  }, 120_000)
})
