import type { Clock } from '../app/clock'
import { ApiError } from './api-error'

/**
 * Token buckets per key (an ingest key's hash, a client address), in memory. At most `maxKeys` buckets: the
 * least recently used is forgotten first, which only ever makes the limiter more lenient. Keys are never
 * credentials: a heap dump or a debugger shows what a bucket is for, not a key that can send data.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>()

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly clock: Clock,
    private readonly maxKeys = 10_000,
  ) {}

  /** The keys of the buckets held, least recently used first. */
  keys(): string[] {
    return [...this.buckets.keys()]
  }

  /** Takes a token for `key`, or throws a 429 with `Retry-After`. */
  take(key: string): void {
    const now = this.clock()
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now }
    this.buckets.delete(key)
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond)
    bucket.at = now
    this.buckets.set(key, bucket)
    if (this.buckets.size > this.maxKeys) this.buckets.delete(this.buckets.keys().next().value as string)
    if (bucket.tokens < 1) {
      const retryAfter = Math.max(1, Math.ceil((1 - bucket.tokens) / this.perSecond))
      throw new ApiError(429, 'rate_limited', `too many requests; retry in ${retryAfter} s`, undefined, {
        'retry-after': String(retryAfter),
      })
    }
    bucket.tokens -= 1
  }
}
