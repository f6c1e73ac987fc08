// The JavaScript steps of the migrations to the series-keyed schema (versions 5–7, both dialects), converting a
// release 0 database in place: raw points and the minute, hour and day tiers re-keyed by series id with
// binary sketches, pending dirty minutes rolled up into 1-minute rows, and the 5m, 15m and 6h tiers built from
// the finer ones. Each step is one migration version, so one transaction: a crash leaves the database at the
// previous version, and nothing is copied twice or lost. Rows are read in batches (keyset order), so memory
// stays bounded however large the tables; the old tables are dropped by the next version.
import { type MetricType, Sketch, type SketchJSON, sortTags, type Tier, TIER_MS } from '@mcpdir/metrics/protocol'
import { rollUp, type StoredRow } from '../../query/aggregations'
import { TIER_TABLES } from './metric-statements'
import { all, exec, insert, type Program } from './program'
import { seriesKey, type SeriesRow } from './series-cache'
import { bulk } from './statements'

/** Rows read per batch; tests make it small, so every keyset continues across batches. */
let BATCH = 5_000

/** Sets the rows read per batch (tests only). */
export function setMigrationBatchRows(rows: number): void {
  BATCH = rows
}

/** Rows a migration step reads per batch. */
export const migrationBatchRows = () => BATCH
const DAY = TIER_MS['1d']
const MINUTE = TIER_MS['1m']

/** A release 0 row: its series spelled out, tags as JSON, its sketch as JSON text. */
interface OldRow {
  server_id: string
  name: string
  type: MetricType
  tags: string
  count: number
  sum: number
  min: number
  max: number
  last: number
  sketch: string | null
}

/** Tags in their canonical JSON form (keys sorted), whatever form they were stored in. */
const canonicalTags = (json: string) => JSON.stringify(sortTags(JSON.parse(json) as Record<string, string>))
const sketchBytes = (json: string | null) => (json ? Sketch.fromJSON(JSON.parse(json) as SketchJSON).toBytes() : null)

/** Series ids during a migration, per server, loaded once and extended as series are created. */
function seriesIds() {
  const servers = new Map<string, Map<string, number>>()
  const load = function* (serverId: string): Program<Map<string, number>> {
    const rows = yield* all<SeriesRow>('SELECT id, name, type, tags FROM series WHERE server_id = ?', [serverId])
    const ids = new Map(rows.map((r) => [seriesKey(r.name, r.type, r.tags), Number(r.id)]))
    servers.set(serverId, ids)
    return ids
  }
  /** The series id of each row, in order, creating the series missing. */
  return function* idsOf(rows: readonly OldRow[]): Program<number[]> {
    const keys = rows.map((r) => [r.server_id, seriesKey(r.name, r.type, canonicalTags(r.tags))] as const)
    for (const serverId of new Set(rows.map((r) => r.server_id))) {
      let ids = servers.get(serverId) ?? (yield* load(serverId))
      const missing = new Map<string, unknown[]>()
      rows.forEach((r, i) => {
        const key = (keys[i] as readonly [string, string])[1]
        if (r.server_id === serverId && !ids.has(key)) missing.set(key, [serverId, r.name, r.type, canonicalTags(r.tags)])
      })
      if (missing.size > 0) {
        yield* insert(SERIES_V4, [...missing.values()])
        ids = yield* load(serverId)
      }
    }
    return keys.map(([serverId, key]) => servers.get(serverId)?.get(key) as number)
  }
}

/** `series` as version 4 created it. */
const SERIES_V4 = bulk('series', 'server_id text, name text, type text, tags text', ' ON CONFLICT DO NOTHING')

/** `metric_points` as version 5 created it (version 24 packs its rows into `metric_blocks` and drops it). */
const POINTS_V5 = bulk('metric_points', 'series_id bigint, timestamp bigint, count float8, sum float8, min float8, max float8, last float8, sketch bytea')

/** Version 5: every raw point into `metric_points`, in its original order. */
export function* keyPointsBySeries(): Program<void> {
  const idsOf = seriesIds()
  let after = Number.MIN_SAFE_INTEGER
  for (;;) {
    const rows = yield* all<OldRow & { id: number; timestamp: number }>(
      `SELECT id, server_id, name, type, tags, timestamp, count, sum, min, max, last, sketch FROM server_metrics WHERE id > ? ORDER BY id LIMIT ${BATCH}`,
      [after],
    )
    if (rows.length === 0) return
    const ids = yield* idsOf(rows)
    yield* insert(
      POINTS_V5,
      rows.map((r, i) => [ids[i], Number(r.timestamp), r.count, r.sum, r.min, r.max, r.last, sketchBytes(r.sketch)]),
    )
    after = Number((rows.at(-1) as { id: number }).id)
  }
}

/** One release 0 tier table, read in batches in primary key order, into a new tier table. */
function* keyTier(
  tier: Tier,
  select: string,
  key: readonly string[],
  bucketOf: (row: Record<string, unknown>) => number,
  cursorOf: (row: Record<string, unknown>) => unknown[],
): Program<void> {
  const idsOf = seriesIds()
  const order = ` ORDER BY ${key.join(', ')} LIMIT ${BATCH}`
  let cursor: unknown[] | undefined
  for (;;) {
    const where = cursor ? ` WHERE (${key.join(', ')}) > (${key.map(() => '?').join(', ')})` : ''
    const rows = yield* all<OldRow & { lastTs: number } & Record<string, unknown>>(`${select}${where}${order}`, cursor ?? [])
    if (rows.length === 0) return
    const ids = yield* idsOf(rows)
    yield* insert(
      TIER_TABLES[tier],
      rows.map((r, i) => [ids[i], bucketOf(r), r.count, r.sum, r.min, r.max, r.last, Number(r.lastTs), sketchBytes(r.sketch)]),
    )
    cursor = cursorOf(rows.at(-1) as Record<string, unknown>)
  }
}

const ROLLUP_SELECT = (table: string) =>
  `SELECT server_id, bucket, name, type, tags, count, sum, min, max, last, last_ts AS "lastTs", sketch FROM ${table}`

/** Version 6: the minute, hour and day tiers into `rollup_1m`, `rollup_1h` and `rollup_1d`. */
export function* keyTiersBySeries(): Program<void> {
  const rollupKey = ['server_id', 'bucket', 'name', 'type', 'tags']
  const rollupCursor = (r: Record<string, unknown>) => rollupKey.map((column) => r[column])
  yield* keyTier('1m', ROLLUP_SELECT('rollup_minute'), rollupKey, (r) => Number(r.bucket), rollupCursor)
  yield* keyTier('1h', ROLLUP_SELECT('rollup_hour'), rollupKey, (r) => Number(r.bucket), rollupCursor)
  // dates as text: SQLite stores them so, and PostgreSQL's driver would read a DATE as local midnight
  yield* keyTier(
    '1d',
    `SELECT server_id, metric_name AS name, type, tags, CAST(date AS TEXT) AS day, count_value AS count, sum_value AS sum,
       min_value AS min, max_value AS max, last_value AS last, last_ts AS "lastTs", sketch FROM server_metrics_daily`,
    ['server_id', 'metric_name', 'tags', 'date'],
    (r) => Date.parse(`${String(r.day)}T00:00:00Z`),
    (r) => [r.server_id, r.name, r.tags, r.day],
  )
}

/** Rebuilds some 1-minute rows of a server from its raw points (a release 0 service stopped before rolling them up). */
function* rollMinuteFromRaw(serverId: string, minute: number): Program<void> {
  const rows = yield* all<StoredRow>(
    `SELECT p.series_id AS "seriesId", p.timestamp AS bucket, p.count, p.sum, p.min, p.max, p.last, p.timestamp AS "lastTs", p.sketch
     FROM series s CROSS JOIN metric_points p WHERE p.series_id = s.id AND s.server_id = ? AND p.timestamp >= ? AND p.timestamp < ? ORDER BY p.id`,
    [serverId, minute, minute + MINUTE],
  )
  yield* exec('DELETE FROM rollup_1m WHERE series_id IN (SELECT id FROM series WHERE server_id = ?) AND bucket >= ? AND bucket < ?', [serverId, minute, minute + MINUTE])
  yield* insert(TIER_TABLES['1m'], rollUp(numeric(rows), MINUTE).map(tierValues))
}

const tierValues = (r: StoredRow) => [r.seriesId, r.bucket, r.count, r.sum, r.min, r.max, r.last, r.lastTs, r.sketch]
/** Rows with their integer columns as numbers (PostgreSQL answers BIGINT as numbers, SQLite too; be sure). */
const numeric = (rows: StoredRow[]) => rows.map((r) => ({ ...r, seriesId: Number(r.seriesId), bucket: Number(r.bucket), lastTs: Number(r.lastTs) }))

/** Builds `tier` from `source` for every server, a chunk of `chunkMs` at a time. */
function* buildTier(tier: Tier, source: Tier, chunkMs: number): Program<void> {
  const servers = yield* all<{ server_id: string }>('SELECT DISTINCT server_id FROM series ORDER BY server_id')
  const range = `SELECT min(r.bucket) AS lo, max(r.bucket) AS hi FROM series s CROSS JOIN rollup_${source} r WHERE r.series_id = s.id AND s.server_id = ?`
  const rowsOf = `SELECT r.series_id AS "seriesId", r.bucket, r.count, r.sum, r.min, r.max, r.last, r.last_ts AS "lastTs", r.sketch
    FROM series s CROSS JOIN rollup_${source} r WHERE r.series_id = s.id AND s.server_id = ? AND r.bucket >= ? AND r.bucket < ?`
  for (const { server_id: serverId } of servers) {
    const [span] = yield* all<{ lo: number | null; hi: number | null }>(range, [serverId])
    if (span?.lo === null || span?.lo === undefined) continue
    for (let start = Math.floor(Number(span.lo) / chunkMs) * chunkMs; start <= Number(span.hi); start += chunkMs) {
      const rows = numeric(yield* all<StoredRow>(rowsOf, [serverId, start, start + chunkMs]))
      yield* insert(TIER_TABLES[tier], rollUp(rows, TIER_MS[tier]).map(tierValues))
    }
  }
}

/**
 * Version 7: the minutes a release 0 service left dirty rolled up from raw points (those whose points are all
 * still kept: after the oldest raw point), then the new tiers: 5m and 15m from 1m, 6h from 1h. The dirty
 * marks stay, so the service rolls those minutes' coarser buckets up again when it starts.
 */
export function* buildNewTiers(): Program<void> {
  const [oldest] = yield* all<{ t: number | null }>('SELECT min(timestamp) AS t FROM metric_points')
  if (oldest?.t !== null && oldest?.t !== undefined) {
    const dirty = yield* all<{ server_id: string; minute: number }>('SELECT server_id, minute FROM rollup_dirty WHERE minute >= ? ORDER BY server_id, minute', [
      Number(oldest.t),
    ])
    for (const { server_id: serverId, minute } of dirty) yield* rollMinuteFromRaw(serverId, Number(minute))
  }
  yield* buildTier('5m', '1m', DAY)
  yield* buildTier('15m', '1m', DAY)
  yield* buildTier('6h', '1h', 60 * DAY)
}
