import { randomBytes } from 'node:crypto'
import { closeSync, mkdirSync, openSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import { type EventDetails, type EventType, Sketch, type SketchJSON, sketchPercentiles } from '@mcpdir/metrics/protocol'
import type { AggregateRow } from '../../query/aggregations'
import { SQLITE_MIGRATIONS } from './migrations'
import { type RetentionTarget, type ServerCredentials, type ServerRecord, type Store, StoreConflictError, type UsageReadRow } from '../store'

export interface SqliteStoreOptions {
  /** Database file; created (mode 0600, with its directory) when missing. `:memory:` for tests. */
  path: string
  /** Open without writing (no migrations); for tools that only read. */
  readonly?: boolean
}

interface ServerRow {
  id: string
  name: string
  is_private: number
  require_signature: number
  disabled: number
  created_at: number
  last_received_at: number | null
  rollup_version: number
}

const MINUTE = 60_000
const DAY = 86_400_000
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10)

/** Timestamp column of each retention target, and its table. */
const RETENTION: Record<RetentionTarget, { table: string; column: string; key: string; day?: true }> = {
  raw: { table: 'server_metrics', column: 'timestamp', key: 'rowid' },
  minute: { table: 'rollup_minute', column: 'bucket', key: '(server_id, bucket, name, type, tags)' },
  hour: { table: 'rollup_hour', column: 'bucket', key: '(server_id, bucket, name, type, tags)' },
  day: { table: 'server_metrics_daily', column: 'date', key: '(server_id, metric_name, tags, date)', day: true },
  events: { table: 'server_events', column: 'timestamp', key: 'rowid' },
  usage: { table: 'server_usage', column: 'timestamp', key: 'rowid' },
  heartbeats: { table: 'server_heartbeats', column: 'minute', key: '(server_id, minute)' },
}

const toServer = (row: ServerRow): ServerRecord => ({
  id: row.id,
  name: row.name,
  isPrivate: row.is_private === 1,
  requireSignature: row.require_signature === 1,
  disabled: row.disabled === 1,
  createdAt: row.created_at,
  lastReceivedAt: row.last_received_at,
  rollupVersion: row.rollup_version,
})

/** Applies pending migrations; returns the schema version. */
export function migrateSqlite(db: Database.Database): number {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)')
  const applied = new Set(db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[])
  for (const migration of SQLITE_MIGRATIONS) {
    if (applied.has(migration.version)) continue
    db.transaction(() => {
      db.exec(migration.sql)
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        migration.version,
        migration.name,
        Date.now(),
      )
    }).immediate()
  }
  return SQLITE_MIGRATIONS.at(-1)?.version ?? 0
}

/**
 * Opens the embedded SQLite store and applies pending migrations.
 *
 * Durability: WAL with `synchronous=NORMAL`. Every acknowledged batch survives a crash or kill of this
 * process; a power loss or kernel crash may lose the last few acknowledged commits (the WAL is synced at
 * checkpoints, not at each commit). `FULL` would close that window at the cost of an fsync per batch.
 * Writes are `BEGIN IMMEDIATE` with a 5 s busy timeout, so CLI commands can run beside the service.
 */
export function openSqliteStore(options: SqliteStoreOptions): Store & { readonly db: Database.Database } {
  if (options.path !== ':memory:' && !options.readonly) {
    mkdirSync(dirname(options.path), { recursive: true })
    // Create the file ourselves so it is never world-readable, even for a moment.
    closeSync(openSync(options.path, 'a', 0o600))
  }
  const db = new Database(options.path, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false })
  db.pragma('busy_timeout = 5000')
  if (!options.readonly) {
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = NORMAL')
    db.pragma('foreign_keys = ON')
    migrateSqlite(db)
  }

  const q = {
    ping: db.prepare('SELECT 1'),
    insertServer: db.prepare(
      'INSERT INTO servers (id, name, is_private, require_signature, created_at) VALUES (@id, @name, @isPrivate, @requireSignature, @now)',
    ),
    insertKey: db.prepare(
      'INSERT INTO server_keys (server_id, kind, key_hash, prefix, created_at) VALUES (?, ?, ?, ?, ?)',
    ),
    insertSecret: db.prepare('INSERT INTO server_secrets (server_id, secret, created_at) VALUES (?, ?, ?)'),
    getServer: db.prepare('SELECT * FROM servers WHERE id = ?'),
    listServers: db.prepare('SELECT * FROM servers ORDER BY id'),
    deleteServer: db.prepare('DELETE FROM servers WHERE id = ?'),
    setDisabled: db.prepare('UPDATE servers SET disabled = ? WHERE id = ?'),
    expireKeys: db.prepare('UPDATE server_keys SET expires_at = ? WHERE server_id = ? AND kind = ? AND expires_at IS NULL'),
    expireSecrets: db.prepare('UPDATE server_secrets SET expires_at = ? WHERE server_id = ? AND expires_at IS NULL'),
    purgeExpiredKeys: db.prepare('DELETE FROM server_keys WHERE expires_at IS NOT NULL AND expires_at <= ?'),
    purgeExpiredSecrets: db.prepare('DELETE FROM server_secrets WHERE expires_at IS NOT NULL AND expires_at <= ?'),
    findKey: db.prepare(
      'SELECT server_id FROM server_keys WHERE key_hash = ? AND kind = ? AND (expires_at IS NULL OR expires_at > ?)',
    ),
    secrets: db.prepare(
      'SELECT secret FROM server_secrets WHERE server_id = ? AND (expires_at IS NULL OR expires_at > ?) ORDER BY id DESC',
    ),
    seenBatch: db.prepare('SELECT received_at FROM ingest_batches WHERE server_id = ? AND batch_id = ?'),
    upsertBatch: db.prepare(
      `INSERT INTO ingest_batches (server_id, batch_id, received_at, points) VALUES (?, ?, ?, ?)
       ON CONFLICT (server_id, batch_id) DO UPDATE SET received_at = excluded.received_at, points = excluded.points`,
    ),
    purgeBatches: db.prepare(
      `DELETE FROM ingest_batches WHERE (server_id, batch_id) IN
         (SELECT server_id, batch_id FROM ingest_batches WHERE received_at < ? LIMIT 100)`,
    ),
    insertPoint: db.prepare(
      `INSERT INTO server_metrics (server_id, name, type, tags, timestamp, count, sum, min, max, last, sketch, received_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    insertEvent: db.prepare('INSERT INTO server_events (server_id, type, timestamp, details) VALUES (?, ?, ?, ?)'),
    insertHeartbeat: db.prepare('INSERT INTO server_heartbeats (server_id, minute) VALUES (?, ?) ON CONFLICT DO NOTHING'),
    markDirty: db.prepare('INSERT INTO rollup_dirty (server_id, minute) VALUES (?, ?) ON CONFLICT DO NOTHING'),
    takeDirty: db.prepare('SELECT server_id AS serverId, minute FROM rollup_dirty ORDER BY minute LIMIT ?'),
    clearDirty: db.prepare('DELETE FROM rollup_dirty WHERE server_id = ? AND minute = ?'),
    rawRows: db.prepare(
      `SELECT name, type, tags, timestamp AS bucket, count, sum, min, max, last, timestamp AS lastTs, sketch
       FROM server_metrics WHERE server_id = ? AND timestamp >= ? AND timestamp < ?`,
    ),
    minuteRows: db.prepare('SELECT name, type, tags, bucket, count, sum, min, max, last, last_ts AS lastTs, sketch FROM rollup_minute WHERE server_id = ? AND bucket >= ? AND bucket < ?'),
    hourRows: db.prepare('SELECT name, type, tags, bucket, count, sum, min, max, last, last_ts AS lastTs, sketch FROM rollup_hour WHERE server_id = ? AND bucket >= ? AND bucket < ?'),
    dayRows: db.prepare(
      `SELECT metric_name AS name, type, tags, CAST(unixepoch(date) AS INTEGER) * 1000 AS bucket, count_value AS count,
         sum_value AS sum, min_value AS min, max_value AS max, last_value AS last, last_ts AS lastTs, sketch
       FROM server_metrics_daily WHERE server_id = ? AND date >= ? AND date < ?`,
    ),
    deleteMinute: db.prepare('DELETE FROM rollup_minute WHERE server_id = ? AND bucket >= ? AND bucket < ?'),
    deleteHour: db.prepare('DELETE FROM rollup_hour WHERE server_id = ? AND bucket >= ? AND bucket < ?'),
    deleteDay: db.prepare('DELETE FROM server_metrics_daily WHERE server_id = ? AND date >= ? AND date < ?'),
    insertMinute: db.prepare(
      'INSERT INTO rollup_minute (server_id, bucket, name, type, tags, count, sum, min, max, last, last_ts, sketch) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    insertHour: db.prepare(
      'INSERT INTO rollup_hour (server_id, bucket, name, type, tags, count, sum, min, max, last, last_ts, sketch) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    insertDay: db.prepare(
      `INSERT INTO server_metrics_daily (server_id, date, metric_name, type, tags, count_value, sum_value, min_value, max_value,
         avg_value, last_value, last_ts, sketch, p50, p95, p99) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    heartbeatCount: db.prepare('SELECT count(*) FROM server_heartbeats WHERE server_id = ? AND minute >= ? AND minute < ?').pluck(),
    firstHeartbeat: db.prepare('SELECT min(minute) FROM server_heartbeats WHERE server_id = ?').pluck(),
    usageRows: db.prepare(
      'SELECT action, visitor_hash AS visitorHash, timestamp FROM server_usage WHERE server_id = ? AND timestamp >= ? AND timestamp < ?',
    ),
    listEvents: db.prepare(
      'SELECT type, timestamp, details FROM server_events WHERE server_id = ? AND timestamp >= ? AND timestamp < ? ORDER BY timestamp DESC, id DESC LIMIT ?',
    ),
    touchServer: db.prepare('UPDATE servers SET last_received_at = ? WHERE id = ?'),
    bumpRollupVersion: db.prepare('UPDATE servers SET rollup_version = rollup_version + 1 WHERE id = ?'),
    insertUsage: db.prepare(
      'INSERT INTO server_usage (server_id, action, tool_id, details, visitor_hash, timestamp) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    getSetting: db.prepare('SELECT value FROM settings WHERE key = ?').pluck(),
    initSetting: db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING'),
    getSalt: db.prepare('SELECT salt FROM daily_salts WHERE day = ?').pluck(),
    insertSalt: db.prepare('INSERT INTO daily_salts (day, salt) VALUES (?, ?) ON CONFLICT (day) DO NOTHING'),
    purgeSalts: db.prepare('DELETE FROM daily_salts WHERE day < ?'),
  }
  // Statements above are prepared once; a readonly store never runs the writing ones.

  const ingest = db.transaction(
    (serverId: string, batchId: string, points: Parameters<Store['ingest']>[2], events: Parameters<Store['ingest']>[3], now: number, dedupeSince: number) => {
      const seen = q.seenBatch.get(serverId, batchId) as { received_at: number } | undefined
      if (seen && seen.received_at >= dedupeSince) return { duplicate: true, processed: 0 }
      for (const p of points) {
        q.insertPoint.run(serverId, p.name, p.type, JSON.stringify(p.tags), p.timestamp, p.count, p.sum, p.min, p.max, p.last, p.sketch ? JSON.stringify(p.sketch) : null, now)
      }
      const dirty = new Set<number>()
      for (const p of points) dirty.add(Math.floor(p.timestamp / MINUTE) * MINUTE)
      for (const e of events) {
        if (e.type === 'heartbeat') q.insertHeartbeat.run(serverId, Math.floor(e.timestamp / MINUTE) * MINUTE)
        else q.insertEvent.run(serverId, e.type, e.timestamp, JSON.stringify(e.details))
      }
      for (const minute of dirty) q.markDirty.run(serverId, minute)
      q.upsertBatch.run(serverId, batchId, now, points.length)
      q.touchServer.run(now, serverId)
      q.purgeBatches.run(dedupeSince)
      return { duplicate: false, processed: points.length }
    },
  )

  const insertCredentials = (serverId: string, credentials: ServerCredentials, now: number) => {
    q.insertKey.run(serverId, 'ingest', credentials.ingestKeyHash, credentials.ingestKeyPrefix, now)
    if (credentials.readTokenHash) q.insertKey.run(serverId, 'read', credentials.readTokenHash, credentials.readTokenPrefix ?? '', now)
    q.insertSecret.run(serverId, credentials.signingSecret, now)
  }

  let closed = false
  return {
    kind: 'sqlite',
    db,
    async ping() {
      q.ping.get()
    },
    async close() {
      if (closed) return
      closed = true
      db.close()
    },

    async createServer(server, credentials, now) {
      db.transaction(() => {
        if (q.getServer.get(server.id)) throw new StoreConflictError(`server ${server.id} already exists`)
        q.insertServer.run({ ...server, isPrivate: server.isPrivate ? 1 : 0, requireSignature: server.requireSignature ? 1 : 0, now })
        insertCredentials(server.id, credentials, now)
      }).immediate()
    },
    async getServer(id) {
      const row = q.getServer.get(id) as ServerRow | undefined
      return row && toServer(row)
    },
    async listServers() {
      return (q.listServers.all() as ServerRow[]).map(toServer)
    },
    async deleteServer(id) {
      return q.deleteServer.run(id).changes > 0
    },
    async setServerDisabled(id, disabled) {
      return q.setDisabled.run(disabled ? 1 : 0, id).changes > 0
    },
    async rotateCredentials(id, credentials, graceUntil, now) {
      return db.transaction(() => {
        if (!q.getServer.get(id)) return false
        q.purgeExpiredKeys.run(now)
        q.purgeExpiredSecrets.run(now)
        q.expireKeys.run(graceUntil, id, 'ingest')
        if (credentials.readTokenHash) q.expireKeys.run(graceUntil, id, 'read')
        q.expireSecrets.run(graceUntil, id)
        insertCredentials(id, credentials, now)
        return true
      }).immediate()
    },
    async findServerByKey(kind, keyHash, now) {
      const row = q.findKey.get(keyHash, kind, now) as { server_id: string } | undefined
      return row?.server_id
    },
    async signingSecrets(id, now) {
      return q.secrets.pluck().all(id, now) as string[]
    },

    async ingest(serverId, batchId, points, events, now, dedupeSince) {
      return ingest.immediate(serverId, batchId, points, events, now, dedupeSince)
    },
    async recordUsage(rows) {
      db.transaction(() => {
        for (const r of rows) {
          q.insertUsage.run(r.serverId, r.action, r.toolId ?? null, r.details ? JSON.stringify(r.details) : null, r.visitorHash, r.timestamp)
        }
      }).immediate()
    },

    async takeDirtyMinutes(limit) {
      return db.transaction(() => {
        const rows = q.takeDirty.all(limit) as { serverId: string; minute: number }[]
        for (const r of rows) q.clearDirty.run(r.serverId, r.minute)
        return rows
      }).immediate()
    },
    async markDirtyMinutes(serverId, from, to) {
      const where = serverId === undefined ? '' : 'AND server_id = @serverId'
      return db
        .prepare(
          `INSERT INTO rollup_dirty (server_id, minute)
           SELECT DISTINCT server_id, (timestamp / ${MINUTE}) * ${MINUTE} FROM server_metrics
           WHERE timestamp >= @from AND timestamp < @to ${where}
           ON CONFLICT DO NOTHING`,
        )
        .run({ serverId, from, to }).changes
    },
    async rawRows(serverId, from, to) {
      return q.rawRows.all(serverId, from, to) as AggregateRow[]
    },
    async tierRows(serverId, tier, from, to, names) {
      const rows =
        tier === 'minute'
          ? (q.minuteRows.all(serverId, from, to) as AggregateRow[])
          : tier === 'hour'
            ? (q.hourRows.all(serverId, from, to) as AggregateRow[])
            : (q.dayRows.all(serverId, isoDay(from), isoDay(to + DAY - 1)) as AggregateRow[]).filter((r) => r.bucket >= from && r.bucket < to)
      const wanted = names && new Set(names)
      return wanted ? rows.filter((r) => wanted.has(r.name)) : rows
    },
    async replaceTierRows(serverId, tier, from, to, rows) {
      db.transaction(() => {
        q.bumpRollupVersion.run(serverId)
        if (tier === 'day') {
          q.deleteDay.run(serverId, isoDay(from), isoDay(to))
          for (const r of rows) {
            const sketch = r.sketch ? Sketch.fromJSON(JSON.parse(r.sketch) as SketchJSON) : undefined
            const { p50 = null, p95 = null, p99 = null } = sketchPercentiles(sketch, r.min, r.max)
            q.insertDay.run(serverId, isoDay(r.bucket), r.name, r.type, r.tags, r.count, r.sum, r.min, r.max, r.sum / r.count, r.last, r.lastTs, r.sketch, p50, p95, p99)
          }
          return
        }
        const [del, ins] = tier === 'minute' ? [q.deleteMinute, q.insertMinute] : [q.deleteHour, q.insertHour]
        del.run(serverId, from, to)
        for (const r of rows) ins.run(serverId, r.bucket, r.name, r.type, r.tags, r.count, r.sum, r.min, r.max, r.last, r.lastTs, r.sketch)
      }).immediate()
    },
    // One service process per SQLite file, and its rollups run one at a time: nothing to lock.
    async withBucketLock(_serverId, _tier, _start, fn) {
      return fn()
    },
    async heartbeatMinutes(serverId, from, to) {
      return q.heartbeatCount.get(serverId, from, to) as number
    },
    async firstHeartbeat(serverId) {
      return (q.firstHeartbeat.get(serverId) as number | null) ?? undefined
    },
    async usageRows(serverId, from, to) {
      return q.usageRows.all(serverId, from, to) as UsageReadRow[]
    },
    async listEvents(serverId, from, to, limit) {
      return (q.listEvents.all(serverId, from, to, limit) as { type: EventType; timestamp: number; details: string }[]).map((e) => ({
        type: e.type,
        timestamp: e.timestamp,
        details: JSON.parse(e.details) as EventDetails,
      }))
    },
    async purge(target, before, limit) {
      const { table, column, key, day } = RETENTION[target]
      const bound = day ? isoDay(before) : before
      const cols = key.replace(/[()]/g, '')
      return db
        .prepare(`DELETE FROM ${table} WHERE ${key} IN (SELECT ${cols} FROM ${table} WHERE ${column} < ? LIMIT ?)`)
        .run(bound, limit).changes
    },

    async getSetting(key) {
      return q.getSetting.get(key) as string | undefined
    },
    async initSetting(key, value) {
      q.initSetting.run(key, value)
      return q.getSetting.get(key) as string
    },
    async dailySalt(day) {
      const existing = q.getSalt.get(day) as string | undefined
      if (existing) return existing
      return db.transaction(() => {
        q.insertSalt.run(day, randomBytes(32).toString('base64'))
        q.purgeSalts.run(day)
        return q.getSalt.get(day) as string
      }).immediate()
    },

    async maintain() {
      // PASSIVE never waits for readers; what it cannot copy now, the next run does
      db.pragma('wal_checkpoint(PASSIVE)')
    },
    async backup(file) {
      await db.backup(file)
    },
  }
}
