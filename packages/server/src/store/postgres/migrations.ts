// Versioned schema migrations for the PostgreSQL store: the same versions, tables and semantics as the
// SQLite ones (sqlite-migrations.ts). Applied at start under an advisory lock, so replicas starting together
// migrate once. Never edit a released migration; add the next one.
export const POSTGRES_MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'servers, keys, raw metrics, events, usage, dedupe',
    sql: `
      CREATE TABLE servers (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        is_private BOOLEAN NOT NULL DEFAULT false,
        require_signature BOOLEAN NOT NULL DEFAULT true,
        disabled BOOLEAN NOT NULL DEFAULT false,
        created_at BIGINT NOT NULL,
        last_received_at BIGINT
      );
      CREATE TABLE server_keys (
        id BIGSERIAL PRIMARY KEY,
        server_id TEXT NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('ingest', 'read')),
        key_hash TEXT NOT NULL UNIQUE,
        prefix TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        expires_at BIGINT
      );
      CREATE INDEX server_keys_server ON server_keys(server_id, kind);
      CREATE TABLE server_secrets (
        id BIGSERIAL PRIMARY KEY,
        server_id TEXT NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
        secret TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        expires_at BIGINT
      );
      CREATE INDEX server_secrets_server ON server_secrets(server_id);
      CREATE TABLE server_metrics (
        id BIGSERIAL PRIMARY KEY,
        server_id TEXT NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        type TEXT NOT NULL CHECK (type IN ('counter', 'gauge', 'timer')),
        tags TEXT NOT NULL DEFAULT '{}',
        timestamp BIGINT NOT NULL,
        count DOUBLE PRECISION NOT NULL,
        sum DOUBLE PRECISION NOT NULL,
        min DOUBLE PRECISION NOT NULL,
        max DOUBLE PRECISION NOT NULL,
        last DOUBLE PRECISION NOT NULL,
        sketch TEXT,
        received_at BIGINT NOT NULL
      );
      CREATE INDEX server_metrics_server_time ON server_metrics(server_id, timestamp);
      CREATE INDEX server_metrics_received ON server_metrics(received_at);
      CREATE TABLE server_metrics_daily (
        server_id TEXT NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
        metric_name TEXT NOT NULL,
        type TEXT NOT NULL,
        tags TEXT NOT NULL DEFAULT '{}',
        date DATE NOT NULL,
        min_value DOUBLE PRECISION NOT NULL,
        max_value DOUBLE PRECISION NOT NULL,
        avg_value DOUBLE PRECISION NOT NULL,
        sum_value DOUBLE PRECISION NOT NULL,
        count_value DOUBLE PRECISION NOT NULL,
        last_value DOUBLE PRECISION NOT NULL,
        p50 DOUBLE PRECISION,
        p95 DOUBLE PRECISION,
        p99 DOUBLE PRECISION,
        sketch TEXT,
        PRIMARY KEY (server_id, metric_name, tags, date)
      );
      CREATE TABLE server_events (
        id BIGSERIAL PRIMARY KEY,
        server_id TEXT NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
        type TEXT NOT NULL,
        timestamp BIGINT NOT NULL,
        details TEXT NOT NULL DEFAULT '{}'
      );
      CREATE INDEX server_events_server_time ON server_events(server_id, timestamp);
      CREATE TABLE server_usage (
        id BIGSERIAL PRIMARY KEY,
        server_id TEXT NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
        action TEXT NOT NULL CHECK (action IN ('view', 'install', 'test', 'invoke')),
        tool_id TEXT,
        details TEXT,
        visitor_hash TEXT NOT NULL,
        timestamp BIGINT NOT NULL
      );
      CREATE INDEX server_usage_server_time ON server_usage(server_id, timestamp);
      CREATE TABLE ingest_batches (
        server_id TEXT NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
        batch_id TEXT NOT NULL,
        received_at BIGINT NOT NULL,
        points INTEGER NOT NULL,
        PRIMARY KEY (server_id, batch_id)
      );
      CREATE INDEX ingest_batches_received ON ingest_batches(received_at);
      CREATE TABLE daily_salts (day TEXT PRIMARY KEY, salt TEXT NOT NULL);
      CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    `,
  },
  {
    version: 2,
    name: 'rollup tiers, dirty buckets, heartbeats',
    sql: `
      CREATE TABLE rollup_minute (
        server_id TEXT NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
        bucket BIGINT NOT NULL,
        name TEXT NOT NULL,
        type TEXT NOT NULL,
        tags TEXT NOT NULL,
        count DOUBLE PRECISION NOT NULL,
        sum DOUBLE PRECISION NOT NULL,
        min DOUBLE PRECISION NOT NULL,
        max DOUBLE PRECISION NOT NULL,
        last DOUBLE PRECISION NOT NULL,
        last_ts BIGINT NOT NULL,
        sketch TEXT,
        PRIMARY KEY (server_id, bucket, name, type, tags)
      );
      CREATE TABLE rollup_hour (LIKE rollup_minute INCLUDING ALL);
      ALTER TABLE rollup_hour ADD FOREIGN KEY (server_id) REFERENCES servers(id) ON DELETE CASCADE;
      CREATE INDEX rollup_minute_bucket ON rollup_minute(bucket);
      CREATE INDEX rollup_hour_bucket ON rollup_hour(bucket);
      ALTER TABLE server_metrics_daily ADD COLUMN last_ts BIGINT NOT NULL DEFAULT 0;
      CREATE INDEX server_metrics_daily_date ON server_metrics_daily(date);
      CREATE TABLE rollup_dirty (
        server_id TEXT NOT NULL,
        minute BIGINT NOT NULL,
        PRIMARY KEY (server_id, minute)
      );
      CREATE TABLE server_heartbeats (
        server_id TEXT NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
        minute BIGINT NOT NULL,
        PRIMARY KEY (server_id, minute)
      );
      CREATE INDEX server_heartbeats_minute ON server_heartbeats(minute);
      CREATE INDEX server_usage_time ON server_usage(timestamp);
      CREATE INDEX server_events_time ON server_events(timestamp);
    `,
  },
  {
    version: 3,
    name: 'rollup version per server',
    sql: `
      -- bumped whenever a server's minute rollups are rewritten, by any replica: cached reports compare it
      ALTER TABLE servers ADD COLUMN rollup_version BIGINT NOT NULL DEFAULT 0;
    `,
  },
]
