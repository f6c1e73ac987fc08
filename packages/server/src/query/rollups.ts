// Keeps the coarser tiers current. Ingest merges each batch into its 1-minute rows in the transaction that
// stores it, and marks the minutes it touched dirty; this packs each dirty minute's chart rows from those rows,
// then rolls the 5m, 15m, 1h, 6h, 1d and 1w buckets holding it up again (with their chart rows), finest first, each
// from the next finer tier, replacing what was there. So late
// points land in their own buckets, and rebuilding any bucket again is idempotent. Work is done in small
// steps with the event loop free between them, so ingest never waits long.
//
// Sources: a bucket is rebuilt from the coarsest finer tier that still holds all of it (retention has not
// begun to purge it), else from raw points while they are kept; a bucket whose sources may already be partly
// purged is left as it is rather than recomputed short.
import { type Tier, TIER_MS, TIERS } from '@mcpdir/metrics/protocol'
import type { Clock } from '../app/clock'
import { type RetentionConfig, tierRetentionMs } from '../app/config'
import type { Store } from '../store/store'

const MINUTE = TIER_MS['1m']
const HOUR = TIER_MS['1h']
const DAY = TIER_MS['1d']
const STEP = 200
/** The tiers rolled up from dirty minutes (the 1m tier is merged at ingest). */
const ROLLED = TIERS.filter((tier) => tier !== '1m')

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve))

export class Rollups {
  private running: Promise<number> | undefined
  /** Steps in progress (each takes up to STEP dirty minutes and rolls them up): a read waits for these only. */
  private readonly steps = new Set<Promise<number>>()

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly retention: RetentionConfig,
  ) {}

  /** Rolls up the buckets of every dirty minute; resolves with how many minutes. */
  runPending(): Promise<number> {
    this.running ??= this.drain().finally(() => {
      this.running = undefined
    })
    return this.running
  }

  /**
   * Makes one server's chart rows and coarser tiers current, as a read of them needs: waits for the steps in
   * progress (one of them may hold minutes of this server it has taken but not rolled up yet), then rolls up the
   * dirty minutes left for this server alone. Other servers' minutes are left to the background run, so a read
   * waits for at most one step, never for the whole directory's backlog. (With several replicas, another
   * process's step can still be in progress: its buckets, and its minutes' 1m chart rows, are behind until it
   * ends, which the next rollup version voids the cached answer for.)
   */
  async runPendingFor(serverId: string): Promise<number> {
    await Promise.allSettled([...this.steps])
    return this.drain(serverId)
  }

  private async drain(serverId?: string): Promise<number> {
    let done = 0
    for (;;) {
      // registered as soon as it has taken its minutes (synchronously on SQLite), so no read can miss it
      const step = this.step(serverId)
      this.steps.add(step)
      let taken: number
      try {
        taken = await step
      } finally {
        this.steps.delete(step)
      }
      if (taken === 0) return done
      done += taken
      await yieldToEventLoop()
    }
  }

  private async step(serverId: string | undefined): Promise<number> {
    const dirty = await this.store.takeDirtyMinutes(STEP, serverId)
    if (dirty.length > 0) await this.rollStep(dirty)
    return dirty.length
  }

  private async rollStep(dirty: readonly { serverId: string; minute: number }[]): Promise<void> {
    try {
      // the 1m tier's chart rows, from the rows ingest merged into
      for (const { serverId, minute } of dirty) {
        if (!this.purging('1m', minute, this.clock())) await this.store.rebuildCharts(serverId, '1m', minute, minute + MINUTE)
      }
      // finest first: each tier is rebuilt from one already current
      for (const tier of ROLLED) {
        const width = TIER_MS[tier]
        const buckets = new Map<string, { serverId: string; start: number }>()
        for (const { serverId, minute } of dirty) {
          const start = Math.floor(minute / width) * width
          buckets.set(`${serverId}\u0000${start}`, { serverId, start })
        }
        for (const { serverId, start } of buckets.values()) await this.rollBucket(serverId, tier, start)
      }
    } catch (error) {
      // the minutes were taken: mark them again, so a later run does what this one could not
      for (const { serverId, minute } of dirty) await this.store.markDirtyMinutes(serverId, minute, minute + MINUTE).catch(() => 0)
      throw error
    }
  }

  /** Where a bucket of `tier` starting at `start` can be rebuilt from now, if anywhere. */
  sourceFor(tier: Tier, start: number, now: number): Tier | 'raw' | undefined {
    for (const finer of TIERS.slice(0, TIERS.indexOf(tier)).reverse()) {
      const kept = tierRetentionMs(this.retention, finer)
      if (kept === null || start >= now - kept) return finer
    }
    return start >= now - this.retention.rawMs ? 'raw' : undefined
  }

  /** Whether retention is purging the bucket of `tier` starting at `start` (all of it is past the tier's age). */
  private purging(tier: Tier, start: number, now: number): boolean {
    const kept = tierRetentionMs(this.retention, tier)
    return kept !== null && start + TIER_MS[tier] <= now - kept
  }

  private async rollBucket(serverId: string, tier: Tier, start: number): Promise<void> {
    const now = this.clock()
    // a bucket retention is purging anyway (late data) is neither rebuilt nor ever read as a source
    if (this.purging(tier, start, now)) return
    const source = this.sourceFor(tier, start, now)
    if (source) await this.store.rebuildTier(serverId, tier, start, start + TIER_MS[tier], source)
  }

  /**
   * Re-aggregates a UTC day from its raw points, for every server: the 1-minute rows whose raw points are all
   * still kept are rebuilt from them, then every coarser bucket holding one. Answers the day's `1d` rows.
   */
  async reaggregateDay(dayStart: number): Promise<number> {
    const end = dayStart + DAY
    // points are accepted while younger than raw retention less a margin, so these minutes hold all of theirs
    const from = Math.max(dayStart, Math.ceil((this.clock() - this.retention.rawMs) / MINUTE) * MINUTE)
    const servers = await this.store.serversWithPoints(dayStart, end)
    for (const serverId of servers) {
      // an hour at a time, so memory stays bounded however busy the server
      for (let start = from; start < end; start = Math.floor(start / HOUR) * HOUR + HOUR) {
        await this.store.rebuildTier(serverId, '1m', start, Math.min(end, Math.floor(start / HOUR) * HOUR + HOUR), 'raw')
        await yieldToEventLoop()
      }
    }
    await this.store.markDirtyMinutes(undefined, dayStart, end)
    await this.runPending()
    let rows = 0
    for (const serverId of servers) rows += (await this.store.tierRows(serverId, '1d', dayStart, end)).length
    return rows
  }
}
