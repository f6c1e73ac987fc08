// The SQL of metrics, written once for both dialects like statements.ts: series, raw point blocks, the tier
// tables `rollup_1m` … `rollup_1w` (keyed by series id, numbers only) and their chart blocks.
import { type Tier, TIERS } from '@mcpdir/metrics/protocol'
import type { StoredRow } from '../../query/aggregations'
import { type BulkTable, bulk, type SqlFragments, TIER_COLUMNS } from './statements'

const COLUMNS = (alias: string) =>
  `${alias}.series_id AS "seriesId", ${alias}.bucket, ${alias}.count, ${alias}.sum, ${alias}.min, ${alias}.max, ${alias}.last, ${alias}.last_ts AS "lastTs", ${alias}.sketch`

/** A tier row (or raw point) as the statements below select it, read as an array: `COLUMNS`, in order. */
export type RowArray = [seriesId: number, bucket: number, count: number, sum: number, min: number, max: number, last: number, lastTs: number, sketch: Uint8Array | null]

/** A row read as an array, as an object. */
export const storedRow = (r: RowArray): StoredRow => ({ seriesId: r[0], bucket: r[1], count: r[2], sum: r[3], min: r[4], max: r[5], last: r[6], lastTs: r[7], sketch: r[8] })

/**
 * Each tier's table, written in bulk. Rows are whole (merged in JavaScript under the server's lock), so a
 * conflict replaces the stored row: that is how ingest writes the `1m` rows it merged into.
 */
export const TIER_TABLES = Object.fromEntries(
  TIERS.map((tier) => [
    tier,
    bulk(
      `rollup_${tier}`,
      TIER_COLUMNS,
      ` ON CONFLICT (series_id, bucket) DO UPDATE SET count = excluded.count, sum = excluded.sum, min = excluded.min, max = excluded.max,
        last = excluded.last, last_ts = excluded.last_ts, sketch = excluded.sketch`,
    ),
  ]),
) as Record<Tier, BulkTable>

/** The metric statements, with the dialect's fragments in place. */
export function metricStatements(f: SqlFragments) {
  return {
    seriesByName: `SELECT id, name, type, tags FROM series WHERE server_id = ? AND name IN (SELECT value FROM ${f.jsonValues})`,
    seriesById: `SELECT id, name, type, tags FROM series WHERE id IN (SELECT value FROM ${f.jsonIds})`,
    // the 1m rows a batch merges into: every pair of its series and minutes (a few more than it needs)
    minuteRows: `SELECT ${COLUMNS('r')} FROM rollup_1m r
      WHERE r.series_id IN (SELECT value FROM ${f.jsonIds}) AND r.bucket IN (SELECT value FROM ${f.jsonIds})`,
    // a server's raw point blocks of some minutes, in insertion order
    rawBlocks: 'SELECT data FROM metric_blocks WHERE server_id = ? AND minute >= ? AND minute < ? ORDER BY id',
    // a server's rows of one span a tier each (params per span: server, from, to, and the names as JSON when
    // `byName`): series first (CROSS JOIN keeps SQLite to that order), then each series' rows by its primary key
    tierRows: (tiers: readonly Tier[], byName: boolean) =>
      tiers
        .map(
          (tier) => `SELECT ${COLUMNS('r')} FROM series s CROSS JOIN rollup_${tier} r
       WHERE r.series_id = s.id AND s.server_id = ? AND r.bucket >= ? AND r.bucket < ?${byName ? ` AND s.name IN (SELECT value FROM ${f.jsonValues})` : ''}`,
        )
        .join('\n      UNION ALL '),
    // a server's chart blocks of `spans` spans (params per span: server, tier, from, to), by bucket (chart-block.ts)
    chartBlocks: (spans: number) =>
      `${Array.from({ length: spans }, () => 'SELECT bucket, data FROM chart_blocks WHERE server_id = ? AND tier = ? AND bucket >= ? AND bucket < ?').join(' UNION ALL ')} ORDER BY bucket`,
    deleteCharts: 'DELETE FROM chart_blocks WHERE server_id = ? AND tier = ? AND bucket >= ? AND bucket < ?',
    // retention: a tier's chart blocks go with its rows, by the same cutoff
    purgeCharts: `DELETE FROM chart_blocks WHERE (server_id, tier, bucket) IN
      (SELECT server_id, tier, bucket FROM chart_blocks WHERE tier = ? AND bucket < ? LIMIT ?)`,
    serversWithPoints: `SELECT server_id AS "serverId" FROM metric_blocks WHERE minute >= ? AND minute < ?
      GROUP BY server_id ORDER BY server_id${f.binaryOrder}`,
    deleteTier: (tier: Tier) => `DELETE FROM rollup_${tier} WHERE series_id IN (SELECT id FROM series WHERE server_id = ?) AND bucket >= ? AND bucket < ?`,
    // the server's row lock, as ingest takes it; cached reports see the bumped version
    lockForRollup: 'UPDATE servers SET rollup_version = rollup_version + 1 WHERE id = ? RETURNING id',
    markDirty: (oneServer: boolean) => `INSERT INTO rollup_dirty (server_id, minute)
      SELECT DISTINCT server_id, minute FROM metric_blocks WHERE minute >= ? AND minute < ?${oneServer ? ' AND server_id = ?' : ''}
      ON CONFLICT DO NOTHING`,
  }
}
