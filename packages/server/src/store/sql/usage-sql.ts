// Usage in SQL, for both dialects: the raw rows (kept for retention only), the counts per (server, width,
// bucket, action) and the visitor sketch per (server, width, bucket) kept current in the same transaction, the
// reads a usage section makes, retention, and the migration that builds the aggregates from raw rows.
import type { UsageAction } from '@mcpdir/metrics/protocol'
import { aggregateUsage, type UsageVisitorsDelta } from '../../query/usage-aggregates'
import { VisitorSketch } from '../../query/visitor-sketch'
import type { UsageAggregates, UsageRow } from '../store'
import { all, exec, insert, type Program } from './program'
import { bulk, type SqlFragments, TABLES } from './statements'

const DAY = 86_400_000

/** The aggregate tables, written in bulk. Counts add up on conflict (rows are unique within one insert). */
export const USAGE_TABLES = {
  counts: bulk(
    'usage_counts',
    'server_id text, width bigint, bucket bigint, action text, count bigint',
    ' ON CONFLICT (server_id, width, bucket, action) DO UPDATE SET count = usage_counts.count + excluded.count',
  ),
  visitors: bulk('usage_visitors', 'server_id text, width bigint, bucket bigint, sketch bytea'),
}

const json = (value: unknown) => (value ? JSON.stringify(value) : null)
const countRows = (counts: ReturnType<typeof aggregateUsage>['counts']) => counts.map((c) => [c.serverId, c.width, c.bucket, c.action, c.count])

/** The usage programs, with the dialect's fragments in place. */
export function usageSql(f: SqlFragments) {
  const S = {
    lockVisitors: `SELECT sketch FROM usage_visitors WHERE server_id = ? AND width = ? AND bucket = ?${f.forUpdate}`,
    insertVisitors: 'INSERT INTO usage_visitors (server_id, width, bucket, sketch) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
    updateVisitors: 'UPDATE usage_visitors SET sketch = ? WHERE server_id = ? AND width = ? AND bucket = ?',
    counts: 'SELECT bucket, action, count FROM usage_counts WHERE server_id = ? AND width = ? AND bucket >= ? AND bucket < ?',
    visitors: 'SELECT bucket, sketch FROM usage_visitors WHERE server_id = ? AND width = ? AND bucket >= ? AND bucket < ?',
    purge: (table: string, key: string) => `DELETE FROM ${table} WHERE (${key}) IN (SELECT ${key} FROM ${table} WHERE width = ? AND bucket < ? LIMIT ?)`,
  }

  /**
   * Merges what a bucket gained into its stored sketch. The row is read under lock (PostgreSQL); a row that is
   * not there yet is inserted, and when another writer inserted it first, read again and merged.
   */
  function* mergeVisitors({ serverId, width, bucket, sketch }: UsageVisitorsDelta): Program<void> {
    for (;;) {
      const [stored] = yield* all<{ sketch: Uint8Array }>(S.lockVisitors, [serverId, width, bucket])
      if (stored) {
        const merged = VisitorSketch.decode(stored.sketch)
        if (merged.merge(sketch)) yield* exec(S.updateVisitors, [merged.encode(), serverId, width, bucket])
        return
      }
      if ((yield* exec(S.insertVisitors, [serverId, width, bucket, sketch.encode()])) > 0) return
    }
  }

  return {
    /** Raw rows and their aggregates at every width; run it in one transaction. */
    *record(usage: readonly UsageRow[]): Program<void> {
      yield* insert(
        TABLES.usage,
        usage.map((r) => [r.serverId, r.action, r.toolId ?? null, json(r.details), r.visitorHash, r.timestamp]),
      )
      const { counts, visitors } = aggregateUsage(usage)
      yield* insert(USAGE_TABLES.counts, countRows(counts))
      for (const delta of visitors) yield* mergeVisitors(delta)
    },

    /** A server's count and visitor rows of one width with buckets in [from, to). */
    *read(serverId: string, width: number, from: number, to: number): Program<UsageAggregates> {
      const params = [serverId, width, from, to]
      return {
        counts: yield* all<{ bucket: number; action: UsageAction; count: number }>(S.counts, params),
        visitors: yield* all<{ bucket: number; sketch: Uint8Array }>(S.visitors, params),
      }
    },

    /** Up to `limit` count rows and `limit` visitor rows of one width with buckets before `before`. */
    *purge(width: number, before: number, limit: number): Program<number> {
      const counts = yield* exec(S.purge('usage_counts', 'server_id, width, bucket, action'), [width, before, limit])
      return counts + (yield* exec(S.purge('usage_visitors', 'server_id, width, bucket'), [width, before, limit]))
    },
  }
}

/**
 * Migration step: builds the aggregates from the raw `server_usage` rows already stored, one server and UTC day
 * at a time (every width divides a day, so a day's buckets are complete and memory stays bounded).
 */
export function* backfillUsageAggregates(): Program<void> {
  const servers = yield* all<{ server_id: string }>('SELECT DISTINCT server_id FROM server_usage')
  const first = 'SELECT min(timestamp) AS t FROM server_usage WHERE server_id = ? AND timestamp >= ?'
  const day = 'SELECT action, visitor_hash AS "visitorHash", timestamp FROM server_usage WHERE server_id = ? AND timestamp >= ? AND timestamp < ?'
  for (const { server_id: serverId } of servers) {
    let next = (yield* all<{ t: number | null }>(first, [serverId, Number.MIN_SAFE_INTEGER]))[0]?.t ?? null
    while (next !== null) {
      const start = Math.floor(next / DAY) * DAY
      const rows = yield* all<{ action: UsageAction; visitorHash: string; timestamp: number }>(day, [serverId, start, start + DAY])
      const { counts, visitors } = aggregateUsage(rows.map((r) => ({ ...r, serverId, timestamp: Number(r.timestamp) })))
      yield* insert(USAGE_TABLES.counts, countRows(counts))
      yield* insert(
        USAGE_TABLES.visitors,
        visitors.map((v) => [v.serverId, v.width, v.bucket, v.sketch.encode()]),
      )
      next = (yield* all<{ t: number | null }>(first, [serverId, start + DAY]))[0]?.t ?? null
    }
  }
}
