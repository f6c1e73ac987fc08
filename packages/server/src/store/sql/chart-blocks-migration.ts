// The JavaScript step of migration 25 (both dialects): the chart blocks of every bucket the tiers already hold,
// packed from their rows as a rebuild packs them (chart-block.ts). A server's tier is read a window of buckets at a
// time, so memory stays bounded however many series it has. One migration version is one
// transaction: a crash leaves the database as it was.
import { TIER_MS } from '@mcpdir/metrics/protocol'
import type { SeriesInfo, StoredRow } from '../../query/aggregations'
import { packCharts } from './chart-block'
import { all, arrays, insert, type Program } from './program'
import { bulk } from './statements'

/** `chart_blocks` as version 25 creates it, and the tiers it holds. */
const CHARTS_V25 = bulk('chart_blocks', 'server_id text, tier text, bucket bigint, data bytea')
const TIERS_V25 = ['1m', '5m', '15m', '1h', '6h', '1d'] as const
/** Buckets read at once: about five hours of 1-minute rows, ten months of daily ones. */
const WINDOW_BUCKETS = 288

type Row = [seriesId: number, bucket: number, count: number, sum: number, min: number, max: number, last: number, lastTs: number, sketch: Uint8Array | null, name: string, type: SeriesInfo['type'], tags: string]

/** Version 25: a chart block for every server, tier and bucket with rows. */
export function* backfillChartBlocks(): Program<void> {
  const servers = yield* all<{ id: string }>('SELECT id FROM servers ORDER BY id')
  for (const { id } of servers) {
    for (const tier of TIERS_V25) {
      const window = WINDOW_BUCKETS * TIER_MS[tier]
      // window by window, each starting at the first bucket left (long gaps cost one query, not one per window)
      for (let after = Number.MIN_SAFE_INTEGER; ; ) {
        const [next] = yield* all<{ first: number | null }>(
          `SELECT min(r.bucket) AS first FROM series s CROSS JOIN rollup_${tier} r WHERE r.series_id = s.id AND s.server_id = ? AND r.bucket >= ?`,
          [id, after],
        )
        if (next?.first === null || next?.first === undefined) break
        const from = Number(next.first)
        after = from + window
        const rows = yield* arrays<Row>(
          `SELECT r.series_id, r.bucket, r.count, r.sum, r.min, r.max, r.last, r.last_ts, r.sketch, s.name, s.type, s.tags
           FROM series s CROSS JOIN rollup_${tier} r WHERE r.series_id = s.id AND s.server_id = ? AND r.bucket >= ? AND r.bucket < ?`,
          [id, from, after],
        )
        const series = new Map<number, SeriesInfo>()
        const withSeries = rows.map(([seriesId, bucket, count, sum, min, max, last, lastTs, sketch, name, type, tags]): StoredRow & { series: SeriesInfo } => {
          const sid = Number(seriesId)
          let info = series.get(sid)
          if (!info) series.set(sid, (info = { id: sid, name, type, tags: JSON.parse(tags) as Record<string, string> }))
          return { seriesId: sid, bucket: Number(bucket), count, sum, min, max, last, lastTs: Number(lastTs), sketch, series: info }
        })
        yield* insert(
          CHARTS_V25,
          packCharts(withSeries).map(([bucket, data]) => [id, tier, bucket, data]),
        )
      }
    }
  }
}
