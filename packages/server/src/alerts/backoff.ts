// When a failed delivery is tried again: exponential backoff from 30 s, doubling up to an hour between attempts,
// at least what the receiver's Retry-After asks (capped at the hour too), for a day after the notification was
// made; then it is given up. No jitter: attempts are spread by when their notifications were made.

export const RETRY_FIRST_DELAY_MS = 30_000
export const RETRY_MAX_DELAY_MS = 3_600_000
export const RETRY_FOR_MS = 86_400_000

/** The delay after failed attempt number `attempt` (1-based), before Retry-After. */
export function retryDelay(attempt: number): number {
  return Math.min(RETRY_FIRST_DELAY_MS * 2 ** Math.max(0, attempt - 1), RETRY_MAX_DELAY_MS)
}

/**
 * When to try again after attempt `attempt` failed at `at`, for a notification made at `createdAt`; null when
 * that would be more than a day after it was made (give up).
 */
export function nextAttemptAt(createdAt: number, attempt: number, at: number, retryAfterMs = 0): number | null {
  const next = at + Math.max(retryDelay(attempt), Math.min(retryAfterMs, RETRY_MAX_DELAY_MS))
  return next <= createdAt + RETRY_FOR_MS ? next : null
}
