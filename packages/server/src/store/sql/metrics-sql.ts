// Metrics in SQL, for both dialects: series resolved through the cache, raw points stored packed (a block per
// server and minute, point-block.ts) and merged into their 1-minute rows in the ingest transaction, tiers read
// with their series attached (several spans in one statement), tiers rebuilt from a finer tier or from raw points
// with their chart rows (chart-block.ts), and the 1m tier's chart rows packed from a dirty minute's rows. Every
// write runs under the server's row lock (taken by the caller for ingest, here for rebuilds), so the
// read-merge-write of a row never interleaves with another replica's.
import { bucketStart, type MetricPoint, Sketch, type Tier, TIER_MS } from '@mcpdir/metrics/protocol'
import { type AggregateRow, type Merged, mergeValues, rollUp, type SeriesInfo, type StoredRow, toStored } from '../../query/aggregations'
import { all, arrays, exec, insert, type Program } from './program'
import { metricStatements, type RowArray, storedRow, TIER_TABLES } from './metric-statements'
import type { TierSpan } from '../../query/tier-cover'
import { chartSeriesIds, packCharts, unpackChart } from './chart-block'
import { decodeBlock, encodeBlock, type PackedPoint } from './point-block'
import { type SeriesCache, seriesKey, type SeriesRow } from './series-cache'
import { type SqlFragments, TABLES } from './statements'

const MINUTE = TIER_MS['1m']

/** A stored row in its table's column order (TIER_COLUMNS). */
const tierValues = (r: StoredRow): unknown[] => [r.seriesId, r.bucket, r.count, r.sum, r.min, r.max, r.last, r.lastTs, r.sketch]

/** The map `outer` holds under `key`, made when missing. */
function inner<K, V>(outer: Map<number, Map<K, V>>, key: number): Map<K, V> {
  let map = outer.get(key)
  if (!map) outer.set(key, (map = new Map()))
  return map
}

const blank = (bucket: number) => (): Merged => ({ bucket, count: 0, sum: 0, min: 0, max: 0, last: 0, lastTs: 0, sketch: undefined })

/** The metric programs, over the dialect's fragments and the store's series cache. */
export function metricsSql(f: SqlFragments, cache: SeriesCache) {
  const S = metricStatements(f)

  /**
   * The series id of every point, in order, and the series read back after creating the missing ones (every series
   * of their names). The cache is not told of those here: the caller remembers them once the transaction has
   * committed, so an id the database may hand out again after a rollback (SQLite) never gets in.
   */
  function* seriesIds(serverId: string, createdAt: number, points: readonly MetricPoint[]): Program<{ ids: number[]; read: SeriesRow[] }> {
    const known = cache.idsOf(serverId, createdAt)
    const ids = points.map((p) => known.get(p.name, p.type, p.tags))
    // the rest by their tags' canonical JSON (sorted keys, the protocol's sortTags): what the table holds
    const keys = new Map<number, string>()
    const missing = new Map<string, unknown[]>()
    ids.forEach((id, i) => {
      if (id !== undefined) return
      const p = points[i] as MetricPoint
      const tags = JSON.stringify(p.tags)
      const key = seriesKey(p.name, p.type, tags)
      keys.set(i, key)
      missing.set(key, [serverId, p.name, p.type, tags])
    })
    if (missing.size === 0) return { ids: ids as number[], read: [] }
    yield* insert(TABLES.series, [...missing.values()])
    const names = [...new Set([...missing.values()].map((row) => row[1]))]
    const rows = yield* all<SeriesRow>(S.seriesByName, [serverId, JSON.stringify(names)])
    const byKey = new Map(rows.map((row) => [seriesKey(row.name, row.type, row.tags), row.id]))
    const resolved = ids.map((id, i) => {
      if (id !== undefined) return id
      const key = keys.get(i) as string
      const found = byKey.get(key)
      if (found === undefined) throw new Error(`series ${JSON.stringify(key)} of ${serverId} was neither found nor created`)
      return found
    })
    return { ids: resolved, read: rows }
  }

  /**
   * Merges points into their 1-minute rows: each row as stored, then the batch's points in order, so a row
   * comes out exactly as a rebuild from its raw points (in insertion order) would. `sketches`: each point's sketch
   * in its binary form, decoded only where a second sketch merges into its row.
   */
  function* mergeMinutes(points: readonly MetricPoint[], ids: readonly number[], sketches: readonly (Uint8Array | null)[]): Program<void> {
    const minutes = points.map((p) => bucketStart(p.timestamp, MINUTE))
    const stored = (yield* arrays<RowArray>(S.minuteRows, [JSON.stringify([...new Set(ids)]), JSON.stringify([...new Set(minutes)])])).map(storedRow)
    // by minute, then series id: numbers, not a string key built and hashed for every point
    const byMinute = new Map<number, Map<number, StoredRow>>()
    for (const row of stored) inner(byMinute, row.bucket).set(row.seriesId, row)
    const merged = new Map<number, Map<number, { seriesId: number; values: Merged | undefined }>>()
    points.forEach((p, i) => {
      const seriesId = ids[i] as number
      const bucket = minutes[i] as number
      const entries = inner(merged, bucket)
      let entry = entries.get(seriesId)
      const values = { bucket: p.timestamp, count: p.count, sum: p.sum, min: p.min, max: p.max, last: p.last, lastTs: p.timestamp }
      if (!entry) {
        // the stored row first, as it is (its sketch's bytes decoded only if another merges in)
        const row = byMinute.get(bucket)?.get(seriesId)
        entry = { seriesId, values: row ? { ...row, bucket, sketch: row.sketch ?? undefined } : undefined }
        entries.set(seriesId, entry)
      }
      entry.values = mergeValues(entry.values, values, sketches[i], blank(bucket))
    })
    const rows = [...merged.values()].flatMap((entries) => [...entries.values()].map((e) => tierValues(toStored(e.seriesId, e.values as Merged))))
    yield* insert(TIER_TABLES['1m'], rows)
  }

  /** A server's raw points with a timestamp in [from, to), in the order of `Store.rawRows`, as rows (bucket and lastTs: the timestamp). */
  function* rawArrays(serverId: string, from: number, to: number): Program<RowArray[]> {
    const rows: RowArray[] = []
    for (const { data } of yield* all<{ data: Uint8Array }>(S.rawBlocks, [serverId, bucketStart(from, MINUTE), to])) {
      decodeBlock(data, from, to, (seriesId, timestamp, count, sum, min, max, last, sketch) => {
        rows.push([seriesId, timestamp, count, sum, min, max, last, timestamp, sketch])
      })
    }
    return rows
  }

  /** The series of some ids, from the cache or else read once (and remembered). */
  function* seriesInfos(ids: Iterable<number>): Program<Map<number, SeriesInfo>> {
    const found = new Map<number, SeriesInfo>()
    const missing = new Set<number>()
    for (const id of ids) {
      if (found.has(id) || missing.has(id)) continue
      const info = cache.info(id)
      if (info) found.set(id, info)
      else missing.add(id)
    }
    if (missing.size > 0) {
      for (const info of cache.rememberInfos(yield* all<SeriesRow>(S.seriesById, [JSON.stringify([...missing])]))) found.set(info.id, info)
    }
    return found
  }

  /** Rows, read as arrays (`ROW_COLUMNS`), as objects with their series attached. */
  function* withSeries(rows: readonly RowArray[]): Program<(StoredRow & AggregateRow)[]> {
    const found = yield* seriesInfos(rows.map((r) => r[0]))
    // one object literal a row: the shape every report's merge sees
    return rows.map((r) => ({ seriesId: r[0], bucket: r[1], count: r[2], sum: r[3], min: r[4], max: r[5], last: r[6], lastTs: r[7], sketch: r[8], series: found.get(r[0]) as SeriesInfo }))
  }

  /** Replaces a tier's chart rows of [from, to) with those packed from `rows` (the range's tier rows); answers how many. */
  function* writeCharts(serverId: string, tier: Tier, from: number, to: number, rows: readonly StoredRow[]): Program<number> {
    const series = yield* seriesInfos(rows.map((r) => r.seriesId))
    const charts = packCharts(rows.map((r) => ({ ...r, series: series.get(r.seriesId) as SeriesInfo })))
    yield* exec(S.deleteCharts, [serverId, tier, from, to])
    yield* insert(TABLES.charts, charts.map(([bucket, data]) => [serverId, tier, bucket, data]))
    return charts.length
  }

  /** A server's tier rows of some spans, optionally only some metric names; one statement. */
  function* tierRows(serverId: string, spans: readonly TierSpan[], names?: readonly string[]): Program<AggregateRow[]> {
    if (spans.length === 0) return []
    const byName = names ? [JSON.stringify(names)] : []
    const params = spans.flatMap((span) => [serverId, span.from, span.to, ...byName])
    return yield* withSeries(yield* arrays<RowArray>(S.tierRows(spans.map((span) => span.tier), names !== undefined), params))
  }

  return {
    /**
     * Stores a batch's points raw and merges them into their 1-minute rows; marks their minutes dirty. Run
     * inside the ingest transaction, after the server's row is locked and its creation time read. Answers the
     * series it read back after creating some, for the series cache once the transaction has committed
     * (`SeriesCache.rememberIds`).
     */
    *storePoints(serverId: string, createdAt: number, points: readonly MetricPoint[]): Program<SeriesRow[]> {
      if (points.length === 0) return []
      const { ids, read } = yield* seriesIds(serverId, createdAt, points)
      // straight from the wire's JSON form to the stored binary one: most never need decoding
      const sketches = points.map((p) => (p.sketch ? Sketch.bytesFromJSON(p.sketch) : null))
      // one block per minute the batch touches (an SDK's batch is one flush window: usually one)
      const byMinute = new Map<number, PackedPoint[]>()
      points.forEach((p, i) => {
        const minute = bucketStart(p.timestamp, MINUTE)
        let block = byMinute.get(minute)
        if (!block) byMinute.set(minute, (block = []))
        block.push({ seriesId: ids[i] as number, timestamp: p.timestamp, count: p.count, sum: p.sum, min: p.min, max: p.max, last: p.last, sketch: sketches[i] as Uint8Array | null })
      })
      yield* insert(TABLES.blocks, [...byMinute].map(([minute, block]) => [serverId, minute, block.length, encodeBlock(block)]))
      yield* mergeMinutes(points, ids, sketches)
      yield* insert(TABLES.dirty, [...byMinute.keys()].map((minute) => [serverId, minute]))
      return read
    },

    *rawRows(serverId: string, from: number, to: number): Program<AggregateRow[]> {
      return yield* withSeries(yield* rawArrays(serverId, from, to))
    },

    tierRows,

    /** Rebuilds a tier's rows of a server in [from, to) from a finer tier or raw points; run it in a transaction. */
    *rebuildTier(serverId: string, tier: Tier, from: number, to: number, source: Tier | 'raw'): Program<number> {
      if ((yield* all(S.lockForRollup, [serverId])).length === 0) return 0
      const rows = (source === 'raw' ? yield* rawArrays(serverId, from, to) : yield* arrays<RowArray>(S.tierRows([source], false), [serverId, from, to])).map(storedRow)
      const rolled = rollUp(rows, TIER_MS[tier])
      yield* exec(S.deleteTier(tier), [serverId, from, to])
      yield* insert(TIER_TABLES[tier], rolled.map(tierValues))
      yield* writeCharts(serverId, tier, from, to, rolled)
      return rolled.length
    },

    /** A server's chart rows of some spans (chart-block.ts), optionally only some metric names; one statement. */
    *chartRows(serverId: string, spans: readonly TierSpan[], names?: readonly string[]): Program<AggregateRow[]> {
      if (spans.length === 0) return []
      const params = spans.flatMap((span) => [serverId, span.tier, span.from, span.to])
      const blocks = yield* arrays<[bucket: number, data: Uint8Array]>(S.chartBlocks(spans.length), params)
      const ids = new Set<number>()
      for (const [, data] of blocks) chartSeriesIds(data, ids)
      const series = yield* seriesInfos(ids)
      const wanted = names && new Set(names)
      const seriesOf = (id: number) => {
        const info = series.get(id)
        return wanted && !wanted.has(info?.name as string) ? undefined : info
      }
      const rows: AggregateRow[] = []
      for (const [bucket, data] of blocks) unpackChart(Number(bucket), data, seriesOf, rows)
      return rows
    },

    /** Packs a tier's chart rows of [from, to) from its rows as they are (the 1m tier's: see `Rollups`). */
    *rebuildCharts(serverId: string, tier: Tier, from: number, to: number): Program<number> {
      if ((yield* all(S.lockForRollup, [serverId])).length === 0) return 0
      const rows = (yield* arrays<RowArray>(S.tierRows([tier], false), [serverId, from, to])).map(storedRow)
      return yield* writeCharts(serverId, tier, from, to, rows)
    },

    /** The servers with raw points in the minutes of [from, to). */
    *serversWithPoints(from: number, to: number): Program<string[]> {
      return (yield* all<{ serverId: string }>(S.serversWithPoints, [bucketStart(from, MINUTE), to])).map((r) => r.serverId)
    },

    markDirty(serverId: string | undefined, from: number, to: number): Program<number> {
      const first = bucketStart(from, MINUTE)
      return exec(S.markDirty(serverId !== undefined), serverId === undefined ? [first, to] : [first, to, serverId])
    },
  }
}
