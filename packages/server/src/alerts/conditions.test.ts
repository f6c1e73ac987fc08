import { describe, expect, it } from 'vitest'
import { beyond, stepMinutes } from './conditions'

describe('rule conditions', () => {
  const rule = { condition: 'above' as const, threshold: 0.1, windowMs: 3 * 60_000 }
  const state = { status: 'ok' as const, since: 0, pendingSince: null, evaluatedTo: null, value: null, digestWeek: null, version: 0 }
  const minutes = (...values: (number | undefined)[]) => values.map((value, i) => ({ minute: i * 60_000, value }))

  it('compare strictly: at the threshold is within it', () => {
    expect(beyond('above', 0.1, 0.1)).toBe(false)
    expect(beyond('below', 1, 1)).toBe(false)
    expect(beyond('below', 1, 0)).toBe(true)
  })

  it('fire once beyond the threshold for the whole window, minutes without calls neither breaking nor confirming it', () => {
    expect(stepMinutes(rule, state, minutes(0.5, 0.5)).transition).toBeUndefined()
    expect(stepMinutes(rule, state, minutes(0.5, undefined, 0.5))).toMatchObject({ next: { status: 'firing', pendingSince: 0, evaluatedTo: 180_000 }, transition: { type: 'alert.firing', at: 180_000, value: 0.5 } })
    expect(stepMinutes(rule, state, minutes(0.5, 0.05, 0.5, 0.5)).transition).toBeUndefined()
    // it stops at its transition; the next evaluation goes on from there
    expect(stepMinutes(rule, state, minutes(0.5, 0.5, 0.5, 0.01)).next.evaluatedTo).toBe(180_000)
  })

  it('resolve at the first minute within the threshold', () => {
    const firing = { ...state, status: 'firing' as const, pendingSince: 0 }
    expect(stepMinutes(rule, firing, minutes(0.5, undefined, 0.5)).transition).toBeUndefined()
    expect(stepMinutes(rule, firing, minutes(0.5, 0.1))).toMatchObject({ next: { status: 'ok', since: 120_000, pendingSince: null }, transition: { type: 'alert.resolved', at: 120_000, value: 0.1 } })
  })
})
