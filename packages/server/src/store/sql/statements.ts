// The SQL both stores run, written once with `?` placeholders (the PostgreSQL driver numbers them). Where the
// dialects differ inside a statement, the difference is a fragment each dialect supplies (SqlFragments).
import { TIER_MS, type Tier } from '@mcpdir/metrics/protocol'
import type { RetentionTarget, ServerRecord } from '../store'

const { minute: MINUTE, day: DAY } = TIER_MS

/** The pieces of SQL that differ between SQLite and PostgreSQL, spliced into the shared statements. */
export interface SqlFragments {
  /** The epoch ms of column `date` (a UTC day) as an integer. */
  dayBucket: string
  /** A row source of one JSON array parameter's elements, as column `value`. */
  jsonValues: string
  /** After a SELECT: lock the rows read (PostgreSQL); SQLite's write transactions lock the whole database. */
  forUpdate: string
  /** After a SELECT: lock the rows read, skipping rows another transaction holds. */
  skipLocked: string
  /** After `ORDER BY` text: compare byte by byte, whatever the database's locale. */
  binaryOrder: string
  /** How purge names a row of a retention target's table. */
  rowKey(target: RetentionTarget): string
}

/** A table written in bulk: its columns with their SQL types (PostgreSQL's `unnest` needs them). */
export interface BulkTable {
  name: string
  columns: readonly { name: string; type: 'text' | 'bigint' | 'float8' | 'date' }[]
  /** Appended to the insert. */
  onConflict?: string
}

const bulk = (name: string, columns: string, onConflict?: string): BulkTable => ({
  name,
  columns: columns.split(', ').map((column) => {
    const [n, type] = column.split(' ') as [string, BulkTable['columns'][number]['type']]
    return { name: n, type }
  }),
  ...(onConflict && { onConflict }),
})

const ROLLUP = 'server_id text, bucket bigint, name text, type text, tags text, count float8, sum float8, min float8, max float8, last float8, last_ts bigint, sketch text'

export const TABLES = {
  points: bulk(
    'server_metrics',
    'server_id text, name text, type text, tags text, timestamp bigint, count float8, sum float8, min float8, max float8, last float8, sketch text, received_at bigint',
  ),
  events: bulk('server_events', 'server_id text, type text, timestamp bigint, details text'),
  heartbeats: bulk('server_heartbeats', 'server_id text, minute bigint', ' ON CONFLICT DO NOTHING'),
  dirty: bulk('rollup_dirty', 'server_id text, minute bigint', ' ON CONFLICT DO NOTHING'),
  usage: bulk('server_usage', 'server_id text, action text, tool_id text, details text, visitor_hash text, timestamp bigint'),
  minute: bulk('rollup_minute', ROLLUP),
  hour: bulk('rollup_hour', ROLLUP),
  day: bulk(
    'server_metrics_daily',
    'server_id text, date date, metric_name text, type text, tags text, count_value float8, sum_value float8, min_value float8, max_value float8, avg_value float8, last_value float8, last_ts bigint, sketch text, p50 float8, p95 float8, p99 float8',
  ),
} satisfies Record<string, BulkTable>

/** Timestamp column of each retention target, its table, and its primary key. */
export const RETENTION: Record<RetentionTarget, { table: string; column: string; key: string; day?: true }> = {
  raw: { table: 'server_metrics', column: 'timestamp', key: 'id' },
  minute: { table: 'rollup_minute', column: 'bucket', key: '(server_id, bucket, name, type, tags)' },
  hour: { table: 'rollup_hour', column: 'bucket', key: '(server_id, bucket, name, type, tags)' },
  day: { table: 'server_metrics_daily', column: 'date', key: '(server_id, metric_name, tags, date)', day: true },
  events: { table: 'server_events', column: 'timestamp', key: 'id' },
  usage: { table: 'server_usage', column: 'timestamp', key: 'id' },
  heartbeats: { table: 'server_heartbeats', column: 'minute', key: '(server_id, minute)' },
}

export const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10)

/** The days whose start lies in [from, to), as `[first, end)` dates. */
export const dayBounds = (from: number, to: number): [string, string] => [isoDay(Math.ceil(from / DAY) * DAY), isoDay(Math.ceil(to / DAY) * DAY)]

export interface ServerRow {
  id: string
  name: string
  /** SQLite answers 0 or 1, PostgreSQL a boolean. */
  is_private: number | boolean
  require_signature: number | boolean
  disabled: number | boolean
  created_at: number
  last_received_at: number | null
  rollup_version: number
}

const SERVER_COLUMNS = 'id, name, is_private, require_signature, disabled, created_at, last_received_at, rollup_version'

export const toServer = (row: ServerRow): ServerRecord => ({
  id: row.id,
  name: row.name,
  isPrivate: Boolean(row.is_private),
  requireSignature: Boolean(row.require_signature),
  disabled: Boolean(row.disabled),
  createdAt: row.created_at,
  lastReceivedAt: row.last_received_at,
  rollupVersion: row.rollup_version,
})

const ROW_COLUMNS = 'name, type, tags, bucket, count, sum, min, max, last, last_ts AS "lastTs", sketch'

/** Where each tier's rows are read from, in the AggregateRow shape. */
const tierSource = (f: SqlFragments, tier: Tier) =>
  tier === 'day'
    ? {
        table: 'server_metrics_daily',
        time: 'date',
        name: 'metric_name',
        columns: `metric_name AS name, type, tags, ${f.dayBucket} AS bucket, count_value AS count, sum_value AS sum, min_value AS min,
          max_value AS max, last_value AS last, last_ts AS "lastTs", sketch`,
      }
    : { table: `rollup_${tier}`, time: 'bucket', name: 'name', columns: ROW_COLUMNS }

/** Every statement the stores share, with the dialect's fragments in place. */
export function statements(f: SqlFragments) {
  return {
    ping: 'SELECT 1',
    insertServer: 'INSERT INTO servers (id, name, is_private, require_signature, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING',
    insertKey: 'INSERT INTO server_keys (server_id, kind, key_hash, prefix, created_at) VALUES (?, ?, ?, ?, ?)',
    insertSecret: 'INSERT INTO server_secrets (server_id, secret, created_at) VALUES (?, ?, ?)',
    getServer: `SELECT ${SERVER_COLUMNS} FROM servers WHERE id = ?`,
    lockServer: `SELECT id FROM servers WHERE id = ?${f.forUpdate}`,
    listServers: `SELECT ${SERVER_COLUMNS} FROM servers ORDER BY id${f.binaryOrder}`,
    deleteServer: 'DELETE FROM servers WHERE id = ?',
    setDisabled: 'UPDATE servers SET disabled = ? WHERE id = ?',
    purgeExpiredKeys: 'DELETE FROM server_keys WHERE expires_at IS NOT NULL AND expires_at <= ?',
    purgeExpiredSecrets: 'DELETE FROM server_secrets WHERE expires_at IS NOT NULL AND expires_at <= ?',
    expireKeys: 'UPDATE server_keys SET expires_at = ? WHERE server_id = ? AND kind = ? AND expires_at IS NULL',
    expireSecrets: 'UPDATE server_secrets SET expires_at = ? WHERE server_id = ? AND expires_at IS NULL',
    findKey: 'SELECT server_id FROM server_keys WHERE key_hash = ? AND kind = ? AND (expires_at IS NULL OR expires_at > ?)',
    secrets: 'SELECT secret FROM server_secrets WHERE server_id = ? AND (expires_at IS NULL OR expires_at > ?) ORDER BY id DESC',

    // The batch id claim decides, also between PostgreSQL replicas: a concurrent claim waits for the first
    // and then sees it. A claim older than the dedupe window is taken over.
    claimBatch: `INSERT INTO ingest_batches (server_id, batch_id, received_at, points) VALUES (?, ?, ?, ?)
      ON CONFLICT (server_id, batch_id) DO UPDATE SET received_at = excluded.received_at, points = excluded.points
      WHERE ingest_batches.received_at < ?`,
    // Claims outside the dedupe window, a few at a time; rows another replica holds are left for later.
    purgeBatches: `DELETE FROM ingest_batches WHERE (server_id, batch_id) IN
      (SELECT server_id, batch_id FROM ingest_batches WHERE received_at < ? LIMIT 100${f.skipLocked})`,
    // last_received_at never goes back, whichever batch commits last
    touchServer: 'UPDATE servers SET last_received_at = ? WHERE id = ? AND (last_received_at IS NULL OR last_received_at < ?)',

    takeDirty: `DELETE FROM rollup_dirty WHERE (server_id, minute) IN
      (SELECT server_id, minute FROM rollup_dirty ORDER BY minute, server_id LIMIT ?${f.skipLocked})
      RETURNING server_id AS "serverId", minute`,
    markDirty: (oneServer: boolean) => `INSERT INTO rollup_dirty (server_id, minute)
      SELECT DISTINCT server_id, (timestamp / ${MINUTE}) * ${MINUTE} FROM server_metrics
      WHERE timestamp >= ? AND timestamp < ?${oneServer ? ' AND server_id = ?' : ''}
      ON CONFLICT DO NOTHING`,
    // insertion order: the order the points were sent in
    rawRows: `SELECT name, type, tags, timestamp AS bucket, count, sum, min, max, last, timestamp AS "lastTs", sketch
      FROM server_metrics WHERE server_id = ? AND timestamp >= ? AND timestamp < ? ORDER BY id`,
    tierRows: (tier: Tier, byName: boolean) => {
      const { table, time, name, columns } = tierSource(f, tier)
      const names = byName ? ` AND ${name} IN (SELECT value FROM ${f.jsonValues})` : ''
      return `SELECT ${columns} FROM ${table} WHERE server_id = ? AND ${time} >= ? AND ${time} < ?${names}`
    },
    deleteTier: (tier: Tier) => {
      const { table, time } = tierSource(f, tier)
      return `DELETE FROM ${table} WHERE server_id = ? AND ${time} >= ? AND ${time} < ?`
    },
    bumpRollupVersion: 'UPDATE servers SET rollup_version = rollup_version + 1 WHERE id = ?',
    heartbeatCount: 'SELECT count(*) AS n FROM server_heartbeats WHERE server_id = ? AND minute >= ? AND minute < ?',
    firstHeartbeat: 'SELECT min(minute) AS m FROM server_heartbeats WHERE server_id = ?',
    usageRows: 'SELECT action, visitor_hash AS "visitorHash", timestamp FROM server_usage WHERE server_id = ? AND timestamp >= ? AND timestamp < ?',
    listEvents: `SELECT type, timestamp, details FROM server_events WHERE server_id = ? AND timestamp >= ? AND timestamp < ?
      ORDER BY timestamp DESC, id DESC LIMIT ?`,
    purge: (target: RetentionTarget) => {
      const { table, column } = RETENTION[target]
      const key = f.rowKey(target)
      return `DELETE FROM ${table} WHERE ${key} IN (SELECT ${key.replace(/[()]/g, '')} FROM ${table} WHERE ${column} < ? LIMIT ?)`
    },

    getSetting: 'SELECT value FROM settings WHERE key = ?',
    initSetting: 'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING',
    getSalt: 'SELECT salt FROM daily_salts WHERE day = ?',
    insertSalt: 'INSERT INTO daily_salts (day, salt) VALUES (?, ?) ON CONFLICT (day) DO NOTHING',
    purgeSalts: 'DELETE FROM daily_salts WHERE day < ?',
  }
}

export type Statements = ReturnType<typeof statements>
