// The JavaScript step of migration 24 (both dialects): raw points packed from `metric_points` (a row per
// point) into `metric_blocks` (a row per server and minute, point-block.ts), then `metric_points` dropped.
// Points are read in id order, a batch at a time; each batch's points of one server and minute become one
// block, in their order, so a minute read back block by block (in id order) gives its points in the order they
// were stored. One migration version is one transaction: a crash leaves the database as it was.
import { bucketStart, TIER_MS } from '@mcpdir/metrics/protocol'
import { encodeBlock, type PackedPoint } from './point-block'
import { arrays, exec, insert, type Program } from './program'
import { migrationBatchRows } from './series-migration'
import { bulk } from './statements'

const MINUTE = TIER_MS['1m']

/** `metric_blocks` as version 24 creates it. */
const BLOCKS_V24 = bulk('metric_blocks', 'server_id text, minute bigint, points bigint, data bytea')

type PointRow = [id: number, serverId: string, seriesId: number, timestamp: number, count: number, sum: number, min: number, max: number, last: number, sketch: Uint8Array | null]

/**
 * Version 24: every raw point into a block of its server and minute; `metric_points` dropped. A point whose
 * series is gone (possible only in a file written with foreign keys off) belongs to no server and was never
 * read; it is left behind.
 */
export function* packRawPoints(): Program<void> {
  let after = Number.MIN_SAFE_INTEGER
  for (;;) {
    const rows = yield* arrays<PointRow>(
      `SELECT p.id, s.server_id, p.series_id, p.timestamp, p.count, p.sum, p.min, p.max, p.last, p.sketch
       FROM metric_points p JOIN series s ON s.id = p.series_id WHERE p.id > ? ORDER BY p.id LIMIT ${migrationBatchRows()}`,
      [after],
    )
    if (rows.length === 0) break
    const blocks = new Map<string, { serverId: string; minute: number; points: PackedPoint[] }>()
    for (const [, serverId, seriesId, timestamp, count, sum, min, max, last, sketch] of rows) {
      const minute = bucketStart(Number(timestamp), MINUTE)
      const key = `${serverId}\u0000${minute}`
      let block = blocks.get(key)
      if (!block) blocks.set(key, (block = { serverId, minute, points: [] }))
      block.points.push({ seriesId: Number(seriesId), timestamp: Number(timestamp), count, sum, min, max, last, sketch })
    }
    yield* insert(
      BLOCKS_V24,
      [...blocks.values()].map((b) => [b.serverId, b.minute, b.points.length, encodeBlock(b.points)]),
    )
    after = Number((rows.at(-1) as PointRow)[0])
  }
  yield* exec('DROP TABLE metric_points')
}
