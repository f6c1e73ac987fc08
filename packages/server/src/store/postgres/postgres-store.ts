import { randomBytes } from 'node:crypto'
import { type EventDetails, type EventType, Sketch, type SketchJSON, sketchPercentiles, TIER_MS, type Tier } from '@mcpdir/metrics/protocol'
import pg from 'pg'
import type { AggregateRow } from '../../query/aggregations'
import { POSTGRES_MIGRATIONS } from './migrations'
import { type RetentionTarget, type ServerCredentials, type ServerRecord, type Store, StoreConflictError, type UsageReadRow } from '../store'

export interface PostgresStoreOptions {
  /** `postgresql://user:password@host:5432/db` (a unix socket: `?host=/var/run/postgresql`). */
  connectionString: string
  /** Pool size per service process. Default 10. */
  maxConnections?: number
}

const MINUTE = TIER_MS.minute
const MIGRATION_LOCK = 7_270_001

// BIGINT (ms timestamps, counts) as numbers: every value the service stores fits in 2^53.
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
}

const SERVER_COLUMNS =
  'id, name, is_private AS "isPrivate", require_signature AS "requireSignature", disabled, created_at AS "createdAt", last_received_at AS "lastReceivedAt", rollup_version AS "rollupVersion"'
const ROW_COLUMNS = 'name, type, tags, bucket, count, sum, min, max, last, last_ts AS "lastTs", sketch'
const TIER_TABLE = { minute: 'rollup_minute', hour: 'rollup_hour' } as const

const RETENTION: Record<RetentionTarget, { table: string; column: string; day?: true }> = {
  raw: { table: 'server_metrics', column: 'timestamp' },
  minute: { table: 'rollup_minute', column: 'bucket' },
  hour: { table: 'rollup_hour', column: 'bucket' },
  day: { table: 'server_metrics_daily', column: 'date', day: true },
  events: { table: 'server_events', column: 'timestamp' },
  usage: { table: 'server_usage', column: 'timestamp' },
  heartbeats: { table: 'server_heartbeats', column: 'minute' },
}

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10)

async function insertCredentials(c: pg.PoolClient, serverId: string, credentials: ServerCredentials, now: number): Promise<void> {
  const keys = [[serverId, 'ingest', credentials.ingestKeyHash, credentials.ingestKeyPrefix, now]]
  if (credentials.readTokenHash) keys.push([serverId, 'read', credentials.readTokenHash, credentials.readTokenPrefix ?? '', now])
  for (const key of keys) await c.query('INSERT INTO server_keys (server_id, kind, key_hash, prefix, created_at) VALUES ($1, $2, $3, $4, $5)', key)
  await c.query('INSERT INTO server_secrets (server_id, secret, created_at) VALUES ($1, $2, $3)', [serverId, credentials.signingSecret, now])
}

async function migrate(pool: pg.Pool): Promise<void> {
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK])
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)')
    const applied = new Set((await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version))
    for (const migration of POSTGRES_MIGRATIONS) {
      if (applied.has(migration.version)) continue
      await client.query(migration.sql)
      await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [migration.version, migration.name, Date.now()])
    }
    await client.query('COMMIT')
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {})
    throw error
  } finally {
    client.release()
  }
}

/**
 * The PostgreSQL store, for several stateless service replicas sharing one database. Same tables and
 * behaviour as the SQLite store; batch dedupe and rollup buckets are safe under concurrency (a unique key
 * decides which replica stores a batch; advisory locks serialize work on one rollup bucket).
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store & { readonly pool: pg.Pool }> {
  const pool = new pg.Pool({ connectionString: options.connectionString, max: options.maxConnections ?? 10, types })
  pool.on('error', () => {}) // an idle client's broken connection: the pool replaces it
  await migrate(pool)

  async function transaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await pool.connect()
    try {
      await client.query('BEGIN')
      const result = await fn(client)
      await client.query('COMMIT')
      return result
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {})
      throw error
    } finally {
      client.release()
    }
  }

  const q = <R extends pg.QueryResultRow>(sql: string, params: unknown[] = []) => pool.query<R>(sql, params)
  let closed = false

  return {
    kind: 'postgres',
    pool,
    async ping() {
      await q('SELECT 1')
    },
    async close() {
      if (closed) return
      closed = true
      await pool.end()
    },

    async createServer(server, credentials, now) {
      await transaction(async (c) => {
        const inserted = await c.query(
          'INSERT INTO servers (id, name, is_private, require_signature, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING',
          [server.id, server.name, server.isPrivate, server.requireSignature, now],
        )
        if (inserted.rowCount === 0) throw new StoreConflictError(`server ${server.id} already exists`)
        await insertCredentials(c, server.id, credentials, now)
      })
    },
    async getServer(id) {
      return (await q<ServerRecord>(`SELECT ${SERVER_COLUMNS} FROM servers WHERE id = $1`, [id])).rows[0]
    },
    async listServers() {
      return (await q<ServerRecord>(`SELECT ${SERVER_COLUMNS} FROM servers ORDER BY id COLLATE "C"`)).rows
    },
    async deleteServer(id) {
      return ((await q('DELETE FROM servers WHERE id = $1', [id])).rowCount ?? 0) > 0
    },
    async setServerDisabled(id, disabled) {
      return ((await q('UPDATE servers SET disabled = $1 WHERE id = $2', [disabled, id])).rowCount ?? 0) > 0
    },
    async rotateCredentials(id, credentials, graceUntil, now) {
      return transaction(async (c) => {
        if ((await c.query('SELECT 1 FROM servers WHERE id = $1 FOR UPDATE', [id])).rowCount === 0) return false
        await c.query('DELETE FROM server_keys WHERE expires_at IS NOT NULL AND expires_at <= $1', [now])
        await c.query('DELETE FROM server_secrets WHERE expires_at IS NOT NULL AND expires_at <= $1', [now])
        const kinds = credentials.readTokenHash ? ['ingest', 'read'] : ['ingest']
        await c.query('UPDATE server_keys SET expires_at = $1 WHERE server_id = $2 AND kind = ANY($3::text[]) AND expires_at IS NULL', [graceUntil, id, kinds])
        await c.query('UPDATE server_secrets SET expires_at = $1 WHERE server_id = $2 AND expires_at IS NULL', [graceUntil, id])
        await insertCredentials(c, id, credentials, now)
        return true
      })
    },
    async findServerByKey(kind, keyHash, now) {
      const { rows } = await q<{ server_id: string }>(
        'SELECT server_id FROM server_keys WHERE key_hash = $1 AND kind = $2 AND (expires_at IS NULL OR expires_at > $3)',
        [keyHash, kind, now],
      )
      return rows[0]?.server_id
    },
    async signingSecrets(id, now) {
      const { rows } = await q<{ secret: string }>(
        'SELECT secret FROM server_secrets WHERE server_id = $1 AND (expires_at IS NULL OR expires_at > $2) ORDER BY id DESC',
        [id, now],
      )
      return rows.map((r) => r.secret)
    },

    async ingest(serverId, batchId, points, events, now, dedupeSince) {
      return transaction(async (c) => {
        // The batch id claim decides, also between replicas: a concurrent claim waits for the first and
        // then sees it. An old claim (outside the dedupe window) is taken over.
        const claim = await c.query(
          `INSERT INTO ingest_batches (server_id, batch_id, received_at, points) VALUES ($1, $2, $3, $4)
           ON CONFLICT (server_id, batch_id) DO UPDATE SET received_at = excluded.received_at, points = excluded.points
           WHERE ingest_batches.received_at < $5`,
          [serverId, batchId, now, points.length, dedupeSince],
        )
        if (claim.rowCount === 0) return { duplicate: true, processed: 0 }
        if (points.length > 0) {
          await c.query(
            `INSERT INTO server_metrics (server_id, name, type, tags, timestamp, count, sum, min, max, last, sketch, received_at)
             SELECT $1, * , $12 FROM unnest($2::text[], $3::text[], $4::text[], $5::bigint[], $6::float8[], $7::float8[], $8::float8[], $9::float8[], $10::float8[], $11::text[])`,
            [
              serverId,
              points.map((p) => p.name),
              points.map((p) => p.type),
              points.map((p) => JSON.stringify(p.tags)),
              points.map((p) => p.timestamp),
              points.map((p) => p.count),
              points.map((p) => p.sum),
              points.map((p) => p.min),
              points.map((p) => p.max),
              points.map((p) => p.last),
              points.map((p) => (p.sketch ? JSON.stringify(p.sketch) : null)),
              now,
            ],
          )
        }
        const heartbeats = events.filter((e) => e.type === 'heartbeat').map((e) => Math.floor(e.timestamp / MINUTE) * MINUTE)
        const others = events.filter((e) => e.type !== 'heartbeat')
        if (others.length > 0) {
          await c.query('INSERT INTO server_events (server_id, type, timestamp, details) SELECT $1, * FROM unnest($2::text[], $3::bigint[], $4::text[])', [
            serverId,
            others.map((e) => e.type),
            others.map((e) => e.timestamp),
            others.map((e) => JSON.stringify(e.details)),
          ])
        }
        if (heartbeats.length > 0) {
          await c.query('INSERT INTO server_heartbeats (server_id, minute) SELECT DISTINCT $1, m FROM unnest($2::bigint[]) AS m ON CONFLICT DO NOTHING', [serverId, heartbeats])
        }
        const dirty = [...new Set(points.map((p) => Math.floor(p.timestamp / MINUTE) * MINUTE))]
        if (dirty.length > 0) {
          await c.query('INSERT INTO rollup_dirty (server_id, minute) SELECT $1, m FROM unnest($2::bigint[]) AS m ON CONFLICT DO NOTHING', [serverId, dirty])
        }
        await c.query('UPDATE servers SET last_received_at = GREATEST(COALESCE(last_received_at, 0), $1) WHERE id = $2', [now, serverId])
        return { duplicate: false, processed: points.length }
      })
    },
    async recordUsage(rows) {
      if (rows.length === 0) return
      await q(
        'INSERT INTO server_usage (server_id, action, tool_id, details, visitor_hash, timestamp) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[])',
        [
          rows.map((r) => r.serverId),
          rows.map((r) => r.action),
          rows.map((r) => r.toolId ?? null),
          rows.map((r) => (r.details ? JSON.stringify(r.details) : null)),
          rows.map((r) => r.visitorHash),
          rows.map((r) => r.timestamp),
        ],
      )
    },

    async takeDirtyMinutes(limit) {
      // SKIP LOCKED: replicas take different minutes instead of waiting for each other
      const { rows } = await q<{ serverId: string; minute: number }>(
        `DELETE FROM rollup_dirty WHERE (server_id, minute) IN
           (SELECT server_id, minute FROM rollup_dirty ORDER BY minute LIMIT $1 FOR UPDATE SKIP LOCKED)
         RETURNING server_id AS "serverId", minute`,
        [limit],
      )
      return rows.sort((a, b) => a.minute - b.minute)
    },
    async markDirtyMinutes(serverId, from, to) {
      const result = await q(
        `INSERT INTO rollup_dirty (server_id, minute)
         SELECT DISTINCT server_id, (timestamp / ${MINUTE}) * ${MINUTE} FROM server_metrics
         WHERE timestamp >= $1 AND timestamp < $2 AND ($3::text IS NULL OR server_id = $3)
         ON CONFLICT DO NOTHING`,
        [from, to, serverId ?? null],
      )
      return result.rowCount ?? 0
    },
    async rawRows(serverId, from, to) {
      const { rows } = await q<AggregateRow>(
        `SELECT name, type, tags, timestamp AS bucket, count, sum, min, max, last, timestamp AS "lastTs", sketch
         FROM server_metrics WHERE server_id = $1 AND timestamp >= $2 AND timestamp < $3 ORDER BY id`,
        [serverId, from, to],
      )
      return rows
    },
    async tierRows(serverId, tier, from, to, names) {
      const filter = names ? 'AND name = ANY($4::text[])' : ''
      const params: unknown[] = [serverId, from, to, ...(names ? [names] : [])]
      if (tier === 'day') {
        const { rows } = await q<AggregateRow>(
          `SELECT metric_name AS name, type, tags, (extract(epoch FROM date) * 1000)::bigint AS bucket, count_value AS count,
             sum_value AS sum, min_value AS min, max_value AS max, last_value AS last, last_ts AS "lastTs", sketch
           FROM server_metrics_daily
           WHERE server_id = $1 AND date >= (to_timestamp($2 / 1000.0) AT TIME ZONE 'UTC')::date AND (extract(epoch FROM date) * 1000) < $3
             ${filter.replace('name', 'metric_name')}`,
          params,
        )
        return rows.filter((r) => r.bucket >= from)
      }
      const { rows } = await q<AggregateRow>(`SELECT ${ROW_COLUMNS} FROM ${TIER_TABLE[tier]} WHERE server_id = $1 AND bucket >= $2 AND bucket < $3 ${filter}`, params)
      return rows
    },
    async replaceTierRows(serverId, tier, from, to, rows) {
      await transaction(async (c) => {
        await c.query('UPDATE servers SET rollup_version = rollup_version + 1 WHERE id = $1', [serverId])
        if (tier === 'day') {
          await c.query('DELETE FROM server_metrics_daily WHERE server_id = $1 AND date >= $2::date AND date < $3::date', [serverId, isoDay(from), isoDay(to)])
          for (const r of rows) {
            const sketch = r.sketch ? Sketch.fromJSON(JSON.parse(r.sketch) as SketchJSON) : undefined
            const { p50 = null, p95 = null, p99 = null } = sketchPercentiles(sketch, r.min, r.max)
            await c.query(
              `INSERT INTO server_metrics_daily (server_id, date, metric_name, type, tags, count_value, sum_value, min_value, max_value,
                 avg_value, last_value, last_ts, sketch, p50, p95, p99) VALUES ($1, $2::date, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
              [serverId, isoDay(r.bucket), r.name, r.type, r.tags, r.count, r.sum, r.min, r.max, r.sum / r.count, r.last, r.lastTs, r.sketch, p50, p95, p99],
            )
          }
          return
        }
        const table = TIER_TABLE[tier]
        await c.query(`DELETE FROM ${table} WHERE server_id = $1 AND bucket >= $2 AND bucket < $3`, [serverId, from, to])
        if (rows.length === 0) return
        await c.query(
          `INSERT INTO ${table} (server_id, bucket, name, type, tags, count, sum, min, max, last, last_ts, sketch)
           SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::float8[], $7::float8[], $8::float8[], $9::float8[], $10::float8[], $11::bigint[], $12::text[])`,
          [
            serverId,
            rows.map((r) => r.bucket),
            rows.map((r) => r.name),
            rows.map((r) => r.type),
            rows.map((r) => r.tags),
            rows.map((r) => r.count),
            rows.map((r) => r.sum),
            rows.map((r) => r.min),
            rows.map((r) => r.max),
            rows.map((r) => r.last),
            rows.map((r) => r.lastTs),
            rows.map((r) => r.sketch),
          ],
        )
      })
    },
    async withBucketLock(serverId, tier, start, fn) {
      const client = await pool.connect()
      const key: unknown[] = [`${tier}:${serverId}`, Math.floor(start / TIER_MS[tier as Tier])]
      try {
        await client.query('SELECT pg_advisory_lock(hashtext($1), $2)', key)
        return await fn()
      } finally {
        await client.query('SELECT pg_advisory_unlock(hashtext($1), $2)', key).catch(() => {})
        client.release()
      }
    },
    async heartbeatMinutes(serverId, from, to) {
      const { rows } = await q<{ n: number }>('SELECT count(*) AS n FROM server_heartbeats WHERE server_id = $1 AND minute >= $2 AND minute < $3', [serverId, from, to])
      return rows[0]?.n ?? 0
    },
    async firstHeartbeat(serverId) {
      const { rows } = await q<{ m: number | null }>('SELECT min(minute) AS m FROM server_heartbeats WHERE server_id = $1', [serverId])
      return rows[0]?.m ?? undefined
    },
    async usageRows(serverId, from, to) {
      const { rows } = await q<UsageReadRow>(
        'SELECT action, visitor_hash AS "visitorHash", timestamp FROM server_usage WHERE server_id = $1 AND timestamp >= $2 AND timestamp < $3',
        [serverId, from, to],
      )
      return rows
    },
    async listEvents(serverId, from, to, limit) {
      const { rows } = await q<{ type: EventType; timestamp: number; details: string }>(
        'SELECT type, timestamp, details FROM server_events WHERE server_id = $1 AND timestamp >= $2 AND timestamp < $3 ORDER BY timestamp DESC, id DESC LIMIT $4',
        [serverId, from, to, limit],
      )
      return rows.map((e) => ({ type: e.type, timestamp: e.timestamp, details: JSON.parse(e.details) as EventDetails }))
    },
    async purge(target, before, limit) {
      const { table, column, day } = RETENTION[target]
      const bound = day ? isoDay(before) : before
      const result = await q(`DELETE FROM ${table} WHERE ctid IN (SELECT ctid FROM ${table} WHERE ${column} < $1 LIMIT $2)`, [bound, limit])
      return result.rowCount ?? 0
    },

    async getSetting(key) {
      return (await q<{ value: string }>('SELECT value FROM settings WHERE key = $1', [key])).rows[0]?.value
    },
    async initSetting(key, value) {
      await q('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [key, value])
      return (await q<{ value: string }>('SELECT value FROM settings WHERE key = $1', [key])).rows[0]?.value as string
    },
    async dailySalt(day) {
      const existing = (await q<{ salt: string }>('SELECT salt FROM daily_salts WHERE day = $1', [day])).rows[0]?.salt
      if (existing) return existing
      await q('INSERT INTO daily_salts (day, salt) VALUES ($1, $2) ON CONFLICT (day) DO NOTHING', [day, randomBytes(32).toString('base64')])
      await q('DELETE FROM daily_salts WHERE day < $1', [day])
      return (await q<{ salt: string }>('SELECT salt FROM daily_salts WHERE day = $1', [day])).rows[0]?.salt as string
    },

    async maintain() {
      // PostgreSQL's autovacuum and checkpointer do this work
    },
    async backup() {
      throw new Error('backup copies SQLite databases; for PostgreSQL use pg_dump (or your provider\'s backups)')
    },
  }
}

