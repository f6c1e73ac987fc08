import { describe, expect, it } from 'vitest'
import { nextAttemptAt, RETRY_FOR_MS, retryDelay } from './backoff'

describe('retry schedule', () => {
  it('doubles from 30 s to an hour, honours Retry-After up to the hour, and ends a day after the notification', () => {
    expect([1, 2, 3, 7, 8, 20].map(retryDelay)).toEqual([30_000, 60_000, 120_000, 1_920_000, 3_600_000, 3_600_000])
    expect(nextAttemptAt(0, 1, 1_000)).toBe(31_000)
    expect(nextAttemptAt(0, 1, 1_000, 120_000)).toBe(121_000)
    expect(nextAttemptAt(0, 1, 1_000, 10 * 3_600_000)).toBe(3_601_000)
    expect(nextAttemptAt(0, 20, RETRY_FOR_MS - 3_600_000)).toBe(RETRY_FOR_MS)
    expect(nextAttemptAt(0, 20, RETRY_FOR_MS - 3_599_999)).toBeNull()
  })
})
