import type { EventDetails, MetricPoint, ServerEvent, Tier, UsageAction } from '@mcpdir/metrics/protocol'
import type { AggregateRow } from '../query/aggregations'
import type { TierSpan } from '../query/tier-cover'
import type { AlertStore } from './alert-store'

export interface ServerRecord {
  id: string
  name: string
  isPrivate: boolean
  requireSignature: boolean
  disabled: boolean
  createdAt: number
  lastReceivedAt: number | null
  /** Bumped whenever the server's rollups are rewritten (by any replica). */
  rollupVersion: number
}

export type KeyKind = 'ingest' | 'read'

/** What a server is created or rotated with. Keys arrive hashed; the signing secret must stay readable. */
export interface ServerCredentials {
  ingestKeyHash: string
  ingestKeyPrefix: string
  signingSecret: string
  readTokenHash?: string
  readTokenPrefix?: string
}

export interface NewServer {
  id: string
  name: string
  isPrivate: boolean
  requireSignature: boolean
}

export interface UsageRow {
  serverId: string
  action: UsageAction
  toolId?: string
  details?: EventDetails
  visitorHash: string
  timestamp: number
}

export interface IngestResult {
  duplicate: boolean
  /** Points stored by this call (0 for a duplicate). */
  processed: number
}

/** A value an ingest keeps between batches under a key of its own (OTLP: a cumulative series' last point). */
export interface IngestState {
  key: string
  value: string
}

/**
 * What a batch derives from state kept between its server's batches, inside its ingest transaction and under the
 * server's lock (so replicas take turns): OTLP's cumulative series turned into deltas, versions into events.
 */
export interface StatefulIngest {
  /** The keys whose stored values `derive` reads. */
  keys: readonly string[]
  /** The server's state not written since this time is forgotten at this ingest. */
  forgetBefore: number
  /**
   * Given the stored values of `keys` (missing ones absent), the points and events to store beside the batch's
   * own, and the state to keep (each key once). Pure: a transaction that is retried calls it again.
   */
  derive(stored: ReadonlyMap<string, string>): { points: MetricPoint[]; events: ServerEvent[]; states: IngestState[] }
}

/**
 * One step of a purge: `rows` deleted (a step of `limit` rows may leave more; for a tier, the larger of its rows
 * and its chart rows deleted), and `deleted`, what they held: raw points for `raw`, tier rows otherwise.
 */
export interface PurgeStep {
  rows: number
  deleted: number
}

/** What retention purges, each with its own age limit: raw points, each tier, events, usage, heartbeats. */
export type RetentionTarget = 'raw' | Tier | 'events' | 'usage' | 'heartbeats'

/** Usage counted per server, bucket width, bucket and action as it is recorded (one width's rows). */
export interface UsageCountRow {
  /** Bucket start, epoch ms (a multiple of the width). */
  bucket: number
  action: UsageAction
  count: number
}

/** The unique visitors of one bucket: a `VisitorSketch` (query/visitor-sketch.ts) as its bytes. */
export interface UsageVisitorsRow {
  bucket: number
  sketch: Uint8Array
}

/** A server's pre-aggregated usage at one width over a range of buckets. */
export interface UsageAggregates {
  counts: UsageCountRow[]
  visitors: UsageVisitorsRow[]
}

/** Thrown by stores for a request that conflicts with what is stored (a server id taken). */
export class StoreConflictError extends Error {
  override readonly name = 'StoreConflictError'
}

/**
 * Thrown by a store for an ingest asked of it once `close()` began, and for any call once it has closed: nothing of
 * it was done, and the service answers 503 (a retry reaches another replica, or this one restarted).
 */
export class StoreClosedError extends Error {
  override readonly name = 'StoreClosedError'
  constructor() {
    super('the store is closed')
  }
}

/**
 * Where the service keeps everything. One async interface, so the embedded SQLite store and the PostgreSQL
 * store are interchangeable and pass one conformance suite. Alert rules, deliveries and leases: `AlertStore`.
 */
export interface Store extends AlertStore {
  /** Which implementation this is, for health output and logs. */
  readonly kind: 'sqlite' | 'postgres'
  /** Resolves when the database answers a trivial query; rejects otherwise. */
  ping(): Promise<void>
  /** Closes the database. Safe to call twice. */
  close(): Promise<void>
  /**
   * Listens for errors the store meets outside any call (PostgreSQL: a pooled connection lost while idle,
   * which the pool replaces); answers a function that stops listening. `createApp` logs them through its
   * logger. Optional: a store without background connections need not have it.
   */
  onError?(listener: (error: Error) => void): () => void

  createServer(server: NewServer, credentials: ServerCredentials, now: number): Promise<void>
  getServer(id: string): Promise<ServerRecord | undefined>
  /** Every server, by id in byte order. */
  listServers(): Promise<ServerRecord[]>
  /** Deletes a server and everything recorded for it. Resolves false when there was none. */
  deleteServer(id: string): Promise<boolean>
  setServerDisabled(id: string, disabled: boolean): Promise<boolean>
  /**
   * New credentials become current; the previous ones stay valid until `graceUntil`. Kinds missing from
   * `credentials` (no read token) are left as they are.
   */
  rotateCredentials(id: string, credentials: ServerCredentials, graceUntil: number, now: number): Promise<boolean>
  /** The server a key (by SHA-256 hex) belongs to, when the key is current or in its grace period. */
  findServerByKey(kind: KeyKind, keyHash: string, now: number): Promise<string | undefined>
  /** Signing secrets currently valid for a server, newest first. */
  signingSecrets(id: string, now: number): Promise<string[]>

  /**
   * Stores one batch in one transaction, or nothing. A batch id seen for the server within `dedupeSinceMs`
   * is acknowledged as a duplicate and stores nothing; batch ids older than that are forgotten. The server's
   * `lastReceivedAt` becomes `now` unless it is later already (it never goes back). Each point is stored raw
   * and merged into its series' `1m` row in the same transaction; the minutes it touched are marked dirty
   * for the coarser tiers. With `stateful`, what it derives from the server's kept state is stored too (and
   * counted in `processed`), and the state it answers kept, in the same transaction; a duplicate derives nothing.
   */
  ingest(
    serverId: string,
    batchId: string,
    points: readonly MetricPoint[],
    events: readonly ServerEvent[],
    now: number,
    dedupeSince: number,
    stateful?: StatefulIngest,
  ): Promise<IngestResult>
  /**
   * Stores usage in one transaction: the raw rows (kept only for retention) and what they add to the
   * pre-aggregated counts and visitor sketches at every width of `USAGE_WIDTHS` (query/usage-aggregates.ts).
   */
  recordUsage(rows: readonly UsageRow[]): Promise<void>

  /**
   * Minutes marked dirty by ingest, up to `limit`, oldest first (by server id within a minute), removed from
   * the dirty set as they are taken; only those of `serverId` when given.
   */
  takeDirtyMinutes(limit: number, serverId?: string): Promise<{ serverId: string; minute: number }[]>
  /** Marks every minute with raw points from the minute holding `from` to `to` dirty (all servers, or one); answers how many. */
  markDirtyMinutes(serverId: string | undefined, from: number, to: number): Promise<number>
  /** The servers with raw points from the minute holding `from` to `to`, by id. */
  serversWithPoints(from: number, to: number): Promise<string[]>
  /**
   * Raw points of a server in [from, to) as rows (bucket = point time): minute by minute in the order their
   * blocks were stored, each minute's points in the order they were stored.
   */
  rawRows(serverId: string, from: number, to: number): Promise<AggregateRow[]>
  /**
   * Rows of a tier with bucket in [from, to), each with its series, optionally only some metric names (none
   * for `[]`).
   */
  tierRows(serverId: string, tier: Tier, from: number, to: number, names?: readonly string[]): Promise<AggregateRow[]>
  /**
   * What a report's chart reads of a tier with bucket in [from, to), optionally only some metric names: a row per
   * bucket and chart group (metric name and type, and a counter's `outcome` tag: store/sql/chart-block.ts),
   * merged when the bucket was last rebuilt or packed, carrying the series of the group's first member. Merged
   * per metric name and type, or per outcome, they give what the tier's rows give; not per other tags.
   */
  chartRows(serverId: string, tier: Tier, from: number, to: number, names?: readonly string[]): Promise<AggregateRow[]>
  /**
   * `tierRows` (`kind` 'tier') or `chartRows` ('chart') of several spans at once, as a report reads the fewest rows
   * that hold a range (query/tier-cover.ts): a statement a kind of row, not one per span (on PostgreSQL each is a
   * round trip). The spans' rows together, in no particular order.
   */
  coverRows(serverId: string, spans: readonly TierSpan[], kind: 'tier' | 'chart', names?: readonly string[]): Promise<AggregateRow[]>
  /**
   * Packs a server's chart rows of `tier` with bucket in [from, to) from the tier's rows as they are (the 1m tier's,
   * which ingest merges into), under the server's lock; answers the chart rows written.
   */
  rebuildCharts(serverId: string, tier: Tier, from: number, to: number): Promise<number>
  /**
   * Rebuilds a server's rows of `tier` with bucket in [from, to) (bounds on the tier's buckets) from `source`:
   * a finer tier, or `'raw'` points. One transaction under the server's lock (the one ingest takes), so
   * replicas never interleave a rebuild with a merge; a range `source` no longer fully holds must not be
   * asked for (the rebuild would come out short). The tier's chart rows of the range are rebuilt with it.
   * Answers the tier rows written.
   */
  rebuildTier(serverId: string, tier: Tier, from: number, to: number, source: Tier | 'raw'): Promise<number>
  /** Minutes in [from, to) with a heartbeat: whole hours from their counts, the partial first and last hour minute by minute. */
  heartbeatMinutes(serverId: string, from: number, to: number): Promise<number>
  /** The server's first heartbeat minute still kept, if any. */
  firstHeartbeat(serverId: string): Promise<number | undefined>
  /** Pre-aggregated usage of a server at one width (ms, one of `USAGE_WIDTHS`), buckets in [from, to). */
  usageAggregates(serverId: string, width: number, from: number, to: number): Promise<UsageAggregates>
  /** Events other than heartbeats in [from, to), newest first. */
  listEvents(serverId: string, from: number, to: number, limit: number): Promise<ServerEvent[]>
  /**
   * Deletes up to `limit` rows of `target` older than `before` (raw point blocks: those whose whole minute is);
   * answers the rows deleted and what they held as retention counts it.
   */
  purge(target: RetentionTarget, before: number, limit: number): Promise<PurgeStep>
  /** Deletes up to `limit` count rows and `limit` visitor rows of one usage width with buckets before `before`; answers how many. */
  purgeUsageAggregates(width: number, before: number, limit: number): Promise<number>

  /** A small persistent value (admin key hash, visitor-hash secret). */
  getSetting(key: string): Promise<string | undefined>
  /** Sets a value only if it is unset; resolves with the stored value either way. */
  initSetting(key: string, value: string): Promise<string>
  /** The random salt of a UTC day (`YYYY-MM-DD`), created on first use; salts of older days are deleted. */
  dailySalt(day: string): Promise<string>

  /** Periodic housekeeping (SQLite: a WAL checkpoint, so long readers cannot grow the WAL without bound). */
  maintain(): Promise<void>
  /** Writes a consistent copy of the database to `file` while the service keeps running (SQLite only). */
  backup(file: string): Promise<void>
}
