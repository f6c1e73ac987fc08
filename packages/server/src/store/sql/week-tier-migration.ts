// The JavaScript step of migration 27 (both dialects): the `1w` tier and its chart blocks, rolled up from the `1d`
// rows already stored as a rollup rolls them (aggregations.ts `rollUp`, chart-block.ts `packCharts`). A server's
// days are read eight weeks at a time, so memory holds 56 daily rows a series, however long its history. One
// migration version is one transaction: a crash leaves the database as it was.
import type { SeriesInfo, StoredRow } from '../../query/aggregations'
import { rollUp } from '../../query/aggregations'
import { packCharts } from './chart-block'
import { all, arrays, insert, type Program } from './program'
import { bulk } from './statements'

/** The tables as version 27 has them. */
const WEEKS_V27 = bulk('rollup_1w', 'series_id bigint, bucket bigint, count float8, sum float8, min float8, max float8, last float8, last_ts bigint, sketch bytea')
const CHARTS_V27 = bulk('chart_blocks', 'server_id text, tier text, bucket bigint, data bytea')
/** A week from the epoch (a Thursday), as the protocol's `1w` tier is at version 27. */
const WEEK = 604_800_000
/** Weeks read at once (whole weeks, so none is split between two reads). */
const WINDOW = 8 * WEEK

type Row = [seriesId: number, bucket: number, count: number, sum: number, min: number, max: number, last: number, lastTs: number, sketch: Uint8Array | null, name: string, type: SeriesInfo['type'], tags: string]

/** Version 27: every server's `1w` rows and chart blocks, from its `1d` rows. */
export function* backfillWeekTier(): Program<void> {
  const servers = yield* all<{ id: string }>('SELECT id FROM servers ORDER BY id')
  for (const { id } of servers) {
    // window by window, each starting at the week of the first day left (long gaps cost one query, not one per window)
    for (let after = Number.MIN_SAFE_INTEGER; ; ) {
      const [next] = yield* all<{ first: number | null }>(
        'SELECT min(r.bucket) AS first FROM series s CROSS JOIN rollup_1d r WHERE r.series_id = s.id AND s.server_id = ? AND r.bucket >= ?',
        [id, after],
      )
      if (next?.first === null || next?.first === undefined) break
      const from = Math.floor(Number(next.first) / WEEK) * WEEK
      after = from + WINDOW
      const rows = yield* arrays<Row>(
        `SELECT r.series_id, r.bucket, r.count, r.sum, r.min, r.max, r.last, r.last_ts, r.sketch, s.name, s.type, s.tags
         FROM series s CROSS JOIN rollup_1d r WHERE r.series_id = s.id AND s.server_id = ? AND r.bucket >= ? AND r.bucket < ?
         ORDER BY r.series_id, r.bucket`,
        [id, from, after],
      )
      const series = new Map<number, SeriesInfo>()
      const days = rows.map(([seriesId, bucket, count, sum, min, max, last, lastTs, sketch, name, type, tags]): StoredRow => {
        const sid = Number(seriesId)
        if (!series.has(sid)) series.set(sid, { id: sid, name, type, tags: JSON.parse(tags) as Record<string, string> })
        return { seriesId: sid, bucket: Number(bucket), count, sum, min, max, last, lastTs: Number(lastTs), sketch }
      })
      const weeks = rollUp(days, WEEK)
      yield* insert(
        WEEKS_V27,
        weeks.map((r) => [r.seriesId, r.bucket, r.count, r.sum, r.min, r.max, r.last, r.lastTs, r.sketch]),
      )
      yield* insert(
        CHARTS_V27,
        packCharts(weeks.map((r) => ({ ...r, series: series.get(r.seriesId) as SeriesInfo }))).map(([bucket, data]) => [id, '1w', bucket, data]),
      )
    }
  }
}
