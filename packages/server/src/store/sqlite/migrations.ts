// Versioned schema migrations for the SQLite store, applied in order at start, each in its own transaction.
// Never edit a released migration; add the next one.
export const SQLITE_MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'servers, keys, raw metrics, events, usage, dedupe',
    sql: `
      CREATE TABLE servers (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        is_private INTEGER NOT NULL DEFAULT 0,
        require_signature INTEGER NOT NULL DEFAULT 1,
        disabled INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        last_received_at INTEGER
      );

      -- ingest keys and read tokens, stored as SHA-256; expires_at is NULL while current
      CREATE TABLE server_keys (
        id INTEGER PRIMARY KEY,
        server_id TEXT NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('ingest', 'read')),
        key_hash TEXT NOT NULL UNIQUE,
        prefix TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER
      );
      CREATE INDEX server_keys_server ON server_keys(server_id, kind);

      -- HMAC secrets must be readable to verify signatures, so they are kept as they are
      CREATE TABLE server_secrets (
        id INTEGER PRIMARY KEY,
        server_id TEXT NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
        secret TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER
      );
      CREATE INDEX server_secrets_server ON server_secrets(server_id);

      -- raw points: one observation (seed form) or one SDK flush window per series
      CREATE TABLE server_metrics (
        id INTEGER PRIMARY KEY,
        server_id TEXT NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        type TEXT NOT NULL CHECK (type IN ('counter', 'gauge', 'timer')),
        tags TEXT NOT NULL DEFAULT '{}',
        timestamp INTEGER NOT NULL,
        count REAL NOT NULL,
        sum REAL NOT NULL,
        min REAL NOT NULL,
        max REAL NOT NULL,
        last REAL NOT NULL,
        sketch TEXT,
        received_at INTEGER NOT NULL
      );
      CREATE INDEX server_metrics_server_time ON server_metrics(server_id, timestamp);
      CREATE INDEX server_metrics_received ON server_metrics(received_at);

      -- the seed's daily rollup, one row per series and UTC day; percentiles for timers
      CREATE TABLE server_metrics_daily (
        server_id TEXT NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
        metric_name TEXT NOT NULL,
        type TEXT NOT NULL,
        tags TEXT NOT NULL DEFAULT '{}',
        date TEXT NOT NULL,
        min_value REAL NOT NULL,
        max_value REAL NOT NULL,
        avg_value REAL NOT NULL,
        sum_value REAL NOT NULL,
        count_value REAL NOT NULL,
        last_value REAL NOT NULL,
        p50 REAL,
        p95 REAL,
        p99 REAL,
        sketch TEXT,
        PRIMARY KEY (server_id, metric_name, tags, date)
      ) WITHOUT ROWID;

      CREATE TABLE server_events (
        id INTEGER PRIMARY KEY,
        server_id TEXT NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
        type TEXT NOT NULL,
        timestamp INTEGER NOT NULL,
        details TEXT NOT NULL DEFAULT '{}'
      );
      CREATE INDEX server_events_server_time ON server_events(server_id, timestamp);

      -- visitor_hash: keyed hash with a daily salt; no IP address or user agent is ever stored
      CREATE TABLE server_usage (
        id INTEGER PRIMARY KEY,
        server_id TEXT NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
        action TEXT NOT NULL CHECK (action IN ('view', 'install', 'test', 'invoke')),
        tool_id TEXT,
        details TEXT,
        visitor_hash TEXT NOT NULL,
        timestamp INTEGER NOT NULL
      );
      CREATE INDEX server_usage_server_time ON server_usage(server_id, timestamp);

      -- batch ids seen, so a retried batch is counted once
      CREATE TABLE ingest_batches (
        server_id TEXT NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
        batch_id TEXT NOT NULL,
        received_at INTEGER NOT NULL,
        points INTEGER NOT NULL,
        PRIMARY KEY (server_id, batch_id)
      ) WITHOUT ROWID;
      CREATE INDEX ingest_batches_received ON ingest_batches(received_at);

      CREATE TABLE daily_salts (day TEXT PRIMARY KEY, salt TEXT NOT NULL);
      CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    `,
  },
  {
    version: 2,
    name: 'rollup tiers, dirty buckets, heartbeats',
    sql: `
      -- minute and hour tiers: one row per series and bucket, same columns as raw points
      CREATE TABLE rollup_minute (
        server_id TEXT NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
        bucket INTEGER NOT NULL,
        name TEXT NOT NULL,
        type TEXT NOT NULL,
        tags TEXT NOT NULL,
        count REAL NOT NULL,
        sum REAL NOT NULL,
        min REAL NOT NULL,
        max REAL NOT NULL,
        last REAL NOT NULL,
        last_ts INTEGER NOT NULL,
        sketch TEXT,
        PRIMARY KEY (server_id, bucket, name, type, tags)
      ) WITHOUT ROWID;
      CREATE TABLE rollup_hour (
        server_id TEXT NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
        bucket INTEGER NOT NULL,
        name TEXT NOT NULL,
        type TEXT NOT NULL,
        tags TEXT NOT NULL,
        count REAL NOT NULL,
        sum REAL NOT NULL,
        min REAL NOT NULL,
        max REAL NOT NULL,
        last REAL NOT NULL,
        last_ts INTEGER NOT NULL,
        sketch TEXT,
        PRIMARY KEY (server_id, bucket, name, type, tags)
      ) WITHOUT ROWID;
      CREATE INDEX rollup_minute_bucket ON rollup_minute(bucket);
      CREATE INDEX rollup_hour_bucket ON rollup_hour(bucket);
      ALTER TABLE server_metrics_daily ADD COLUMN last_ts INTEGER NOT NULL DEFAULT 0;
      CREATE INDEX server_metrics_daily_date ON server_metrics_daily(date);

      -- minutes that received points since they were last rolled up
      CREATE TABLE rollup_dirty (
        server_id TEXT NOT NULL,
        minute INTEGER NOT NULL,
        PRIMARY KEY (server_id, minute)
      ) WITHOUT ROWID;

      -- minutes in which a server sent a heartbeat: its availability
      CREATE TABLE server_heartbeats (
        server_id TEXT NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
        minute INTEGER NOT NULL,
        PRIMARY KEY (server_id, minute)
      ) WITHOUT ROWID;
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
      ALTER TABLE servers ADD COLUMN rollup_version INTEGER NOT NULL DEFAULT 0;
    `,
  },
]
