import type { Clock } from '../app/clock'

interface Entry {
  serverId: string
  /**
   * The server's last-received time and rollup version the answer was made from, and the end of its window:
   * newer data, rollups finished since (by any replica), or a window that has moved on void it.
   */
  version: string
  expires: number
  body: string
  etag: string
}

/**
 * Answers of metrics-fetch, kept for the period's Cache-Control age (at most 60 s) and dropped as soon as the
 * server has sent data or its rollups were rewritten (through any replica: both are checked on every read)
 * or usage was recorded for it through this process. Usage recorded through another replica shows after at most
 * the cache age, as the answer's own Cache-Control already allows. Long periods read many rollup rows and merge their sketches: this makes a dashboard's
 * repeated and concurrent reads cheap. Bounded: the oldest entries go first.
 */
export class ReportCache {
  private readonly entries = new Map<string, Entry>()
  private bytes = 0

  constructor(
    private readonly clock: Clock,
    /** Bound on the cached answers' total size (UTF-16 length, about bytes for JSON). */
    private readonly maxBytes = 32 * 1024 * 1024,
  ) {}

  private remove(key: string): void {
    const entry = this.entries.get(key)
    if (!entry) return
    this.bytes -= entry.body.length
    this.entries.delete(key)
  }

  get(key: string, version: string): Entry | undefined {
    const entry = this.entries.get(key)
    if (!entry) return undefined
    if (entry.expires <= this.clock() || entry.version !== version) {
      this.remove(key)
      return undefined
    }
    return entry
  }

  set(key: string, serverId: string, version: string, ttlMs: number, body: string, etag: string): void {
    this.remove(key)
    if (body.length > this.maxBytes / 4) return // one huge answer must not push out everything else
    this.entries.set(key, { serverId, version, expires: this.clock() + ttlMs, body, etag })
    this.bytes += body.length
    while (this.bytes > this.maxBytes) this.remove(this.entries.keys().next().value as string)
  }

  clear(): void {
    this.entries.clear()
    this.bytes = 0
  }

  invalidate(serverId: string): void {
    for (const [key, entry] of this.entries) if (entry.serverId === serverId) this.remove(key)
  }
}
