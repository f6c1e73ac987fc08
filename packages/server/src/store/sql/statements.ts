// The SQL both stores run, written once with `?` placeholders (the PostgreSQL driver numbers them). Where the
// dialects differ inside a statement, the difference is a fragment each dialect supplies (SqlFragments).
import { type Tier, TIER_MS, TIERS } from '@mcpdir/metrics/protocol'
import type { RetentionTarget, ServerRecord } from '../store'

/** The pieces of SQL that differ between SQLite and PostgreSQL, spliced into the shared statements. */
export interface SqlFragments {
  /** A row source of one JSON array parameter's elements (strings), as column `value`. */
  jsonValues: string
  /** A row source of one JSON array parameter's elements (integers), as column `value`. */
  jsonIds: string
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
  columns: readonly { name: string; type: 'text' | 'bigint' | 'float8' | 'date' | 'bytea' }[]
  /** Appended to the insert. */
  onConflict?: string
}

/** A BulkTable from `'name type, name type, …'`. */
export const bulk = (name: string, columns: string, onConflict?: string): BulkTable => ({
  name,
  columns: columns.split(', ').map((column) => {
    const [n, type] = column.split(' ') as [string, BulkTable['columns'][number]['type']]
    return { name: n, type }
  }),
  ...(onConflict && { onConflict }),
})

/** The columns of every tier's table (`rollup_1m` … `rollup_1w`): numbers only, keyed by series and bucket. */
export const TIER_COLUMNS = 'series_id bigint, bucket bigint, count float8, sum float8, min float8, max float8, last float8, last_ts bigint, sketch bytea'

export const TABLES = {
  series: bulk('series', 'server_id text, name text, type text, tags text', ' ON CONFLICT DO NOTHING'),
  // raw points packed, one row per server and minute a batch touches (point-block.ts)
  blocks: bulk('metric_blocks', 'server_id text, minute bigint, points bigint, data bytea'),
  // a tier's bucket merged per chart group, one row per server, tier and bucket (chart-block.ts)
  charts: bulk('chart_blocks', 'server_id text, tier text, bucket bigint, data bytea'),
  events: bulk('server_events', 'server_id text, type text, timestamp bigint, details text'),
  heartbeats: bulk('server_heartbeats', 'server_id text, minute bigint', ' ON CONFLICT DO NOTHING'),
  dirty: bulk('rollup_dirty', 'server_id text, minute bigint', ' ON CONFLICT DO NOTHING'),
  usage: bulk('server_usage', 'server_id text, action text, tool_id text, details text, visitor_hash text, timestamp bigint'),
} satisfies Record<string, BulkTable>

/**
 * Each retention target: its table, time column and primary key; for a table whose rows each span a time
 * (`spanMs` from the column's time) and hold several items (`counted`, the column saying how many), those too.
 */
export const RETENTION: Record<RetentionTarget, { table: string; column: string; key: string; spanMs?: number; counted?: string }> = {
  // a block goes once its whole minute is older than the cutoff; retention reports the points it held
  raw: { table: 'metric_blocks', column: 'minute', key: 'id', spanMs: 60_000, counted: 'points' },
  ...(Object.fromEntries(TIERS.map((tier) => [tier, { table: `rollup_${tier}`, column: 'bucket', key: '(series_id, bucket)' }])) as Record<Tier, { table: string; column: string; key: string }>),
  // a week goes with its last day (they share a retention, and a day goes once its start is past the cutoff), so a
  // cover never finds a week gone while days of it are kept
  '1w': { table: 'rollup_1w', column: 'bucket', key: '(series_id, bucket)', spanMs: TIER_MS['1w'] - TIER_MS['1d'] + 1 },
  events: { table: 'server_events', column: 'timestamp', key: 'id' },
  usage: { table: 'server_usage', column: 'timestamp', key: 'id' },
  heartbeats: { table: 'server_heartbeats', column: 'minute', key: '(server_id, minute)' },
}

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
    // Locks the server's row until commit and answers when the server was created (the series cache's key).
    // Every write to a server's series and rollups happens under this lock, so replicas take turns merging
    // into the same rows. last_received_at never goes back, whichever batch commits last.
    touchServer: `UPDATE servers SET last_received_at = CASE WHEN last_received_at IS NULL OR last_received_at < ? THEN ? ELSE last_received_at END
      WHERE id = ? RETURNING created_at`,

    takeDirty: `DELETE FROM rollup_dirty WHERE (server_id, minute) IN
      (SELECT server_id, minute FROM rollup_dirty ORDER BY minute, server_id LIMIT ?${f.skipLocked})
      RETURNING server_id AS "serverId", minute`,
    takeDirtyOfServer: `DELETE FROM rollup_dirty WHERE (server_id, minute) IN
      (SELECT server_id, minute FROM rollup_dirty WHERE server_id = ? ORDER BY minute LIMIT ?${f.skipLocked})
      RETURNING server_id AS "serverId", minute`,
    // an hour's count recounted from its minutes (at most 60), so a repeated or late heartbeat never counts twice
    countHeartbeatHour: `INSERT INTO heartbeat_hours (server_id, hour, minutes)
      SELECT server_id, minute - minute % 3600000, count(*) FROM server_heartbeats WHERE server_id = ? AND minute >= ? AND minute < ?
      GROUP BY server_id, minute - minute % 3600000
      ON CONFLICT (server_id, hour) DO UPDATE SET minutes = excluded.minutes WHERE heartbeat_hours.minutes <> excluded.minutes`,
    // the whole hours of a window from their counts, its partial first and last hour from their minutes
    heartbeatCount: `SELECT (SELECT coalesce(sum(minutes), 0) FROM heartbeat_hours WHERE server_id = ? AND hour >= ? AND hour < ?)
      + (SELECT count(*) FROM server_heartbeats WHERE server_id = ? AND minute >= ? AND minute < ?)
      + (SELECT count(*) FROM server_heartbeats WHERE server_id = ? AND minute >= ? AND minute < ?) AS n`,
    // heartbeat retention, a whole hour at a time: the oldest hours before the cutoff's hour, then their minutes
    purgeHeartbeatHours: `DELETE FROM heartbeat_hours WHERE (server_id, hour) IN
      (SELECT server_id, hour FROM heartbeat_hours WHERE hour < ? ORDER BY hour LIMIT ?) RETURNING server_id AS "serverId", hour`,
    purgeHeartbeatHour: 'DELETE FROM server_heartbeats WHERE server_id = ? AND minute >= ? AND minute < ?',
    firstHeartbeat: 'SELECT min(minute) AS m FROM server_heartbeats WHERE server_id = ?',
    listEvents: `SELECT type, timestamp, details FROM server_events WHERE server_id = ? AND timestamp >= ? AND timestamp < ?
      ORDER BY timestamp DESC, id DESC LIMIT ?`,
    // for a target with `counted`, answers a row per row deleted with how many items it held
    purge: (target: RetentionTarget) => {
      const { table, column, counted } = RETENTION[target]
      const key = f.rowKey(target)
      return `DELETE FROM ${table} WHERE ${key} IN (SELECT ${key.replace(/[()]/g, '')} FROM ${table} WHERE ${column} < ? LIMIT ?)${counted ? ` RETURNING ${counted} AS n` : ''}`
    },

    getSetting: 'SELECT value FROM settings WHERE key = ?',
    initSetting: 'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING',
    getSalt: 'SELECT salt FROM daily_salts WHERE day = ?',
    insertSalt: 'INSERT INTO daily_salts (day, salt) VALUES (?, ?) ON CONFLICT (day) DO NOTHING',
    purgeSalts: 'DELETE FROM daily_salts WHERE day < ?',
  }
}

export type Statements = ReturnType<typeof statements>

/** The time before which a row of a retention target is purged: all of its span older than `before`. */
export const purgeCutoff = (target: RetentionTarget, before: number) => before - (RETENTION[target].spanMs ?? 1) + 1
