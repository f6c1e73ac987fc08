// Keeps the minute, hour and day tiers current. Ingest marks the minutes a batch touched as dirty; this
// rolls each dirty minute up again from its raw points, then the hours and days above it, replacing what
// was there, so re-aggregating any range is idempotent and late points land in their own buckets. Work is
// done in small steps with the event loop free between them, so ingest never waits long.
//
// Sources: minute ← raw; hour ← minute while all its minutes are kept, else ← raw; day ← hour. A bucket
// whose source may already be partly purged by retention is left as it is rather than recomputed short.
import { TIER_MS } from '@mcpdir/metrics/protocol'
import { rollUp } from './aggregations'
import type { Clock } from '../app/clock'
import type { RetentionConfig } from '../app/config'
import type { Store } from '../store/store'

const MINUTE = TIER_MS.minute
const HOUR = TIER_MS.hour
const DAY = TIER_MS.day
const STEP = 200

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve))

export class Rollups {
  private running: Promise<number> | undefined

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly retention: RetentionConfig,
  ) {}

  /** Rolls up every dirty minute (and the hours and days above); resolves with how many minutes. */
  runPending(): Promise<number> {
    this.running ??= this.drain().finally(() => {
      this.running = undefined
    })
    return this.running
  }

  private async drain(): Promise<number> {
    let done = 0
    for (;;) {
      const dirty = await this.store.takeDirtyMinutes(STEP)
      if (dirty.length === 0) return done
      const hours = new Map<string, { serverId: string; start: number }>()
      for (const { serverId, minute } of dirty) {
        await this.rollMinute(serverId, minute)
        const start = Math.floor(minute / HOUR) * HOUR
        hours.set(`${serverId}\u0000${start}`, { serverId, start })
      }
      const days = new Map<string, { serverId: string; start: number }>()
      for (const { serverId, start } of hours.values()) {
        await this.rollHour(serverId, start)
        const day = Math.floor(start / DAY) * DAY
        days.set(`${serverId}\u0000${day}`, { serverId, start: day })
      }
      for (const { serverId, start } of days.values()) await this.rollDay(serverId, start)
      done += dirty.length
      await yieldToEventLoop()
    }
  }

  private async rollMinute(serverId: string, start: number): Promise<void> {
    if (start < this.clock() - this.retention.rawMs) return
    await this.store.withBucketLock(serverId, 'minute', start, async () => {
      const rows = rollUp(await this.store.rawRows(serverId, start, start + MINUTE), MINUTE)
      await this.store.replaceTierRows(serverId, 'minute', start, start + MINUTE, rows)
    })
  }

  private async rollHour(serverId: string, start: number): Promise<void> {
    const now = this.clock()
    if (start < now - this.retention.rawMs) return
    const minutesKept = start >= now - this.retention.minuteMs
    await this.store.withBucketLock(serverId, 'hour', start, async () => {
      const source = minutesKept
        ? await this.store.tierRows(serverId, 'minute', start, start + HOUR)
        : await this.store.rawRows(serverId, start, start + HOUR)
      await this.store.replaceTierRows(serverId, 'hour', start, start + HOUR, rollUp(source, HOUR))
    })
  }

  private async rollDay(serverId: string, start: number): Promise<void> {
    if (start < this.clock() - this.retention.hourMs) return
    await this.store.withBucketLock(serverId, 'day', start, async () => {
      const rows = rollUp(await this.store.tierRows(serverId, 'hour', start, start + DAY), DAY)
      await this.store.replaceTierRows(serverId, 'day', start, start + DAY, rows)
    })
  }

  /** Re-aggregates a UTC day from its raw points, for every server; answers the day rows it holds. */
  async reaggregateDay(dayStart: number): Promise<number> {
    await this.store.markDirtyMinutes(undefined, dayStart, dayStart + DAY)
    await this.runPending()
    let rows = 0
    for (const server of await this.store.listServers()) {
      rows += (await this.store.tierRows(server.id, 'day', dayStart, dayStart + DAY)).length
    }
    return rows
  }
}
