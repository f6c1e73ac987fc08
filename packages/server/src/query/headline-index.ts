// The servers list's numbers, kept in this process per period and refreshed as data arrives, so a list request
// reads memory only (servers-list-query.ts) and never builds reports.
//
// A refresh rolls up pending minutes, reads `store.listServers()` once and recomputes (headlines.ts) only the
// servers whose numbers may have moved:
// - data arrived or rollups were rewritten, through any replica: their `lastReceivedAt` / `rollupVersion` changed;
// - usage was recorded through this process (`invalidate`, from usage-track);
// - the period's window moved on (once per bucket of the period: a minute for 1h, an hour for 7d), for
//   servers that are not idle, within a time budget per refresh (`windowBudgetMs`), longest behind first, so a
//   large directory's short periods cannot keep the process busy; the rest keep their numbers a refresh longer.
//   Idle servers, with no data in the period nor the one before, keep their numbers and cost nothing: one
//   comparison each;
// - with several replicas (PostgreSQL), a few servers per refresh in turn (`sweepPerRefresh`), since usage
//   recorded through another replica changes no version.
// A period's index is built on its first request (which waits for it) and dropped after an hour unread.
//
// Staleness allowed. Each replica keeps its own index, so replicas may answer differently for a while:
// - data received through any replica, usage recorded through this one, servers registered, disabled or removed:
//   in the list within one refresh interval (`headlineRefreshMs`, default 15 s) plus the refresh's own run time,
//   and in a client within that plus the answer's Cache-Control max-age (30 s);
// - usage recorded through another replica: when the server is next recomputed for any reason above, at the
//   latest after ceil(servers / sweepPerRefresh) refreshes (1 000 servers, 100 a refresh: 150 s);
// - time: the numbers cover the window as of the last refresh; a server that fell silent has its availability
//   recomputed when the window moves, so it lags by one bucket of the period (1/60–1/180 of it), plus the
//   refreshes its turn waits when window catch-up exceeds its budget (about servers × 4 ms / budget).
import type { Period } from '@mcpdir/metrics/protocol'
import type { Logger } from 'pino'
import type { Clock } from '../app/clock'
import type { ServerRecord, Store } from '../store/store'
import { computeHeadline, sameHeadline } from './headlines'
import type { HeadlineSnapshot, ListEntry } from './servers-list-query'
import { periodWindow } from './server-report'

/** What a {@link HeadlineIndex} reads from, logs to and how often it refreshes. */
export interface HeadlineIndexOptions {
  store: Store
  clock: Clock
  /** Where failed refreshes are logged (they are never thrown at readers). */
  logger: Logger
  /** Rolls up pending minutes before a refresh reads (the service's `Rollups`). */
  rollUpPending: () => Promise<unknown>
  /** How often the index should be refreshed; a read of an older index starts a refresh in the background. */
  refreshMs: number
  /** Servers recomputed per refresh whatever their version, in turn (usage through other replicas); 0 for none. */
  sweepPerRefresh?: number
  /** Periods kept built by every refresh even when unread (the service keeps the default period warm). */
  keep?: readonly Period[]
  /** Work per refresh and period on servers whose numbers are only behind the moving window, ms. Default no limit. */
  windowBudgetMs?: number
}

interface Entry {
  listEntry: ListEntry
  /** `lastReceivedAt:rollupVersion` when computed. */
  version: string
  /** The end of the window it was computed for. */
  to: number
  idle: boolean
}

interface PeriodState {
  period: Period
  entries: Map<string, Entry>
  snapshot: HeadlineSnapshot | undefined
  lastReadAt: number
}

/** Servers computed at once (PostgreSQL answers them concurrently); the event loop is let go between groups. */
const GROUP = 8
/** A period's index unread this long stops being refreshed and is dropped. */
const UNREAD_DROP_MS = 60 * 60_000

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve))
const versionOf = (server: ServerRecord) => `${server.lastReceivedAt}:${server.rollupVersion}`
const listEntry = (headline: ListEntry['headline']): ListEntry => ({ headline, search: `${headline.id}\n${headline.name}`.toLowerCase() })

/** Headline numbers of every server, per period, maintained in the background. */
export class HeadlineIndex {
  private readonly periods = new Map<Period, PeriodState>()
  private dirty = new Set<string>()
  private running: Promise<void> | undefined
  private queued: Promise<void> | undefined
  private refreshedAt = Number.NEGATIVE_INFINITY
  private sweepAt = 0

  constructor(private readonly options: HeadlineIndexOptions) {}

  /** Usage was recorded for a server through this process: recompute it at the next refresh. */
  invalidate(serverId: string): void {
    this.dirty.add(serverId)
  }

  /**
   * The current snapshot of a period, built first if this is its first read (concurrent first reads wait for
   * one build). An index older than the refresh interval starts a refresh in the background and is answered as
   * it is.
   */
  async snapshot(period: Period): Promise<HeadlineSnapshot> {
    const now = this.options.clock()
    let state = this.periods.get(period)
    if (!state) this.periods.set(period, (state = { period, entries: new Map(), snapshot: undefined, lastReadAt: now }))
    state.lastReadAt = now
    if (!state.snapshot) {
      await this.refresh()
      if (!state.snapshot) throw new Error(`the ${period} headline index was not built`)
    } else if (!this.running && now - this.refreshedAt >= this.options.refreshMs) {
      this.refresh().catch((error: unknown) => this.options.logger.error({ err: error }, 'headline refresh failed'))
    }
    return state.snapshot
  }

  /**
   * Brings every period's index up to date. Runs one at a time: called while one runs, it answers a run that
   * starts after it (so whatever changed before the call is in).
   */
  refresh(): Promise<void> {
    if (this.running) {
      this.queued ??= this.running
        .catch(() => {})
        .then(() => {
          this.queued = undefined
          return this.refresh()
        })
      return this.queued
    }
    this.running = this.run().finally(() => {
      this.running = undefined
    })
    return this.running
  }

  /** Resolves once no refresh is running or queued (one started by a read, say). */
  async settled(): Promise<void> {
    while (this.running || this.queued) await (this.queued ?? this.running)?.catch(() => {})
  }

  private async run(): Promise<void> {
    const { store, clock, keep = [] } = this.options
    const dirty = this.dirty
    this.dirty = new Set()
    const startedAt = clock()
    try {
      await this.options.rollUpPending()
      const servers = await store.listServers()
      const now = clock()
      this.sweep(servers, dirty)
      for (const period of keep) if (!this.periods.has(period)) this.periods.set(period, { period, entries: new Map(), snapshot: undefined, lastReadAt: now })
      for (const state of [...this.periods.values()]) {
        if (now - state.lastReadAt > UNREAD_DROP_MS && !keep.includes(state.period)) this.periods.delete(state.period)
        else await this.refreshPeriod(state, servers, dirty, now)
      }
    } catch (error) {
      for (const id of dirty) this.dirty.add(id)
      throw error
    } finally {
      this.refreshedAt = startedAt // a failed refresh is retried after the interval too, not on every read
    }
  }

  /** Marks the next `sweepPerRefresh` servers (in id order, wrapping around) for recomputation. */
  private sweep(servers: readonly ServerRecord[], dirty: Set<string>): void {
    const count = Math.min(this.options.sweepPerRefresh ?? 0, servers.length)
    for (let i = 0; i < count; i++) dirty.add((servers[(this.sweepAt + i) % servers.length] as ServerRecord).id)
    if (servers.length > 0) this.sweepAt = (this.sweepAt + count) % servers.length
  }

  private async refreshPeriod(state: PeriodState, servers: readonly ServerRecord[], dirty: ReadonlySet<string>, now: number): Promise<void> {
    const { to, from } = periodWindow(state.period, now)
    const next = new Map<string, Entry>()
    const todo: ServerRecord[] = [] // new, or data arrived: always recomputed
    const behind: ServerRecord[] = [] // only the window moved: recomputed within the budget
    let changed = state.snapshot === undefined || state.snapshot.to !== to
    for (const server of servers) {
      if (server.disabled) continue
      const old = state.entries.get(server.id)
      if (!old || old.version !== versionOf(server) || dirty.has(server.id)) {
        todo.push(server)
        continue
      }
      const { headline } = old.listEntry
      if (headline.name === server.name && headline.is_private === server.isPrivate) next.set(server.id, old)
      else {
        next.set(server.id, { ...old, listEntry: listEntry({ ...headline, name: server.name, is_private: server.isPrivate }) })
        changed = true
      }
      // An idle entry stays valid as the window moves on: its version is unchanged, so nothing was received
      // since, and it had no usage in its own (earlier) windows, nor through this process since (not dirty).
      if (old.to !== to && !old.idle) behind.push(server)
    }
    behind.sort((a, b) => (state.entries.get(a.id) as Entry).to - (state.entries.get(b.id) as Entry).to)
    const groups: { group: ServerRecord[]; budgeted: boolean }[] = []
    for (let i = 0; i < todo.length; i += GROUP) groups.push({ group: todo.slice(i, i + GROUP), budgeted: false })
    for (let i = 0; i < behind.length; i += GROUP) groups.push({ group: behind.slice(i, i + GROUP), budgeted: true })
    let budgetEnd: number | undefined
    for (const { group, budgeted } of groups) {
      if (budgeted) {
        budgetEnd ??= performance.now() + (this.options.windowBudgetMs ?? Number.POSITIVE_INFINITY)
        if (performance.now() >= budgetEnd) break
      }
      const computed = await Promise.allSettled(group.map((server) => computeHeadline(this.options.store, server, state.period, now)))
      computed.forEach((result, j) => {
        const server = group[j] as ServerRecord
        const old = state.entries.get(server.id)
        if (result.status === 'rejected') {
          // keep what there was, and try again next time
          this.options.logger.error({ err: result.reason, serverId: server.id, period: state.period }, 'headline failed')
          this.dirty.add(server.id)
          if (old) next.set(server.id, old)
          return
        }
        const { headline, idle } = result.value
        const same = old !== undefined && sameHeadline(old.listEntry.headline, headline)
        if (!same) changed = true
        next.set(server.id, { listEntry: same ? old.listEntry : listEntry(headline), version: versionOf(server), to: result.value.to, idle })
      })
      await yieldToEventLoop()
    }
    changed ||= next.size !== state.entries.size || [...state.entries.keys()].some((id) => !next.has(id))
    state.entries = next
    if (changed || !state.snapshot) {
      state.snapshot = { period: state.period, from, to, computedAt: now, entries: [...next.values()].map((e) => e.listEntry) }
    }
  }
}
