// Versioned schema migrations for the SQLite store, applied in order at start, each in its own transaction.
// Never edit a released migration; add the next one.
import type { Program } from '../sql/program'
import { backfillChartBlocks } from '../sql/chart-blocks-migration'
import { backfillHeartbeatHours } from '../sql/heartbeat-hours-migration'
import { packRawPoints } from '../sql/raw-blocks-migration'
import { backfillWeekTier } from '../sql/week-tier-migration'
import { buildNewTiers, keyPointsBySeries, keyTiersBySeries } from '../sql/series-migration'
import { backfillUsageAggregates } from '../sql/usage-sql'

/** A migration: its SQL, then optionally a JavaScript step (a program shared by both dialects), in one transaction. */
export const SQLITE_MIGRATIONS: readonly { version: number; name: string; sql: string; program?: () => Program<void> }[] = [
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
  {
    version: 4,
    name: 'series dictionary; raw points and tiers 1m 5m 15m 1h 6h 1d keyed by series',
    sql: `
      -- one row per series: what a metric is named, its type and tags (canonical JSON, keys sorted); ids are
      -- never reused (AUTOINCREMENT), so a process may cache them
      CREATE TABLE series (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        server_id TEXT NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        type TEXT NOT NULL CHECK (type IN ('counter', 'gauge', 'timer')),
        tags TEXT NOT NULL,
        UNIQUE (server_id, name, type, tags)
      );

      -- raw points: one observation or one SDK flush window of a series, in insertion order; sketches are
      -- Sketch.toBytes()
      CREATE TABLE metric_points (
        id INTEGER PRIMARY KEY,
        series_id INTEGER NOT NULL REFERENCES series(id) ON DELETE CASCADE,
        timestamp INTEGER NOT NULL,
        count REAL NOT NULL,
        sum REAL NOT NULL,
        min REAL NOT NULL,
        max REAL NOT NULL,
        last REAL NOT NULL,
        sketch BLOB
      );
      CREATE INDEX metric_points_series_time ON metric_points(series_id, timestamp);
      CREATE INDEX metric_points_time ON metric_points(timestamp);

      -- a tier per bucket width a period shows: numbers only, one row per series and bucket
      CREATE TABLE rollup_1m (
        series_id INTEGER NOT NULL REFERENCES series(id) ON DELETE CASCADE,
        bucket INTEGER NOT NULL,
        count REAL NOT NULL,
        sum REAL NOT NULL,
        min REAL NOT NULL,
        max REAL NOT NULL,
        last REAL NOT NULL,
        last_ts INTEGER NOT NULL,
        sketch BLOB,
        PRIMARY KEY (series_id, bucket)
      ) WITHOUT ROWID;
      CREATE INDEX rollup_1m_bucket ON rollup_1m(bucket);
      CREATE TABLE rollup_5m (
        series_id INTEGER NOT NULL REFERENCES series(id) ON DELETE CASCADE,
        bucket INTEGER NOT NULL,
        count REAL NOT NULL,
        sum REAL NOT NULL,
        min REAL NOT NULL,
        max REAL NOT NULL,
        last REAL NOT NULL,
        last_ts INTEGER NOT NULL,
        sketch BLOB,
        PRIMARY KEY (series_id, bucket)
      ) WITHOUT ROWID;
      CREATE INDEX rollup_5m_bucket ON rollup_5m(bucket);
      CREATE TABLE rollup_15m (
        series_id INTEGER NOT NULL REFERENCES series(id) ON DELETE CASCADE,
        bucket INTEGER NOT NULL,
        count REAL NOT NULL,
        sum REAL NOT NULL,
        min REAL NOT NULL,
        max REAL NOT NULL,
        last REAL NOT NULL,
        last_ts INTEGER NOT NULL,
        sketch BLOB,
        PRIMARY KEY (series_id, bucket)
      ) WITHOUT ROWID;
      CREATE INDEX rollup_15m_bucket ON rollup_15m(bucket);
      CREATE TABLE rollup_1h (
        series_id INTEGER NOT NULL REFERENCES series(id) ON DELETE CASCADE,
        bucket INTEGER NOT NULL,
        count REAL NOT NULL,
        sum REAL NOT NULL,
        min REAL NOT NULL,
        max REAL NOT NULL,
        last REAL NOT NULL,
        last_ts INTEGER NOT NULL,
        sketch BLOB,
        PRIMARY KEY (series_id, bucket)
      ) WITHOUT ROWID;
      CREATE INDEX rollup_1h_bucket ON rollup_1h(bucket);
      CREATE TABLE rollup_6h (
        series_id INTEGER NOT NULL REFERENCES series(id) ON DELETE CASCADE,
        bucket INTEGER NOT NULL,
        count REAL NOT NULL,
        sum REAL NOT NULL,
        min REAL NOT NULL,
        max REAL NOT NULL,
        last REAL NOT NULL,
        last_ts INTEGER NOT NULL,
        sketch BLOB,
        PRIMARY KEY (series_id, bucket)
      ) WITHOUT ROWID;
      CREATE INDEX rollup_6h_bucket ON rollup_6h(bucket);
      CREATE TABLE rollup_1d (
        series_id INTEGER NOT NULL REFERENCES series(id) ON DELETE CASCADE,
        bucket INTEGER NOT NULL,
        count REAL NOT NULL,
        sum REAL NOT NULL,
        min REAL NOT NULL,
        max REAL NOT NULL,
        last REAL NOT NULL,
        last_ts INTEGER NOT NULL,
        sketch BLOB,
        PRIMARY KEY (series_id, bucket)
      ) WITHOUT ROWID;
      CREATE INDEX rollup_1d_bucket ON rollup_1d(bucket);
    `,
  },
  {
    version: 5,
    name: 'raw points keyed by series, sketches binary',
    sql: '-- a JavaScript step: server_metrics copied into metric_points in id order',
    program: keyPointsBySeries,
  },
  {
    version: 6,
    name: 'minute, hour and day tiers keyed by series',
    sql: '-- a JavaScript step: rollup_minute, rollup_hour and server_metrics_daily copied into rollup_1m, rollup_1h and rollup_1d',
    program: keyTiersBySeries,
  },
  {
    version: 7,
    name: 'pending minutes rolled up; 5m, 15m and 6h tiers built',
    sql: '-- a JavaScript step: dirty minutes into rollup_1m from raw points, then rollup_5m, rollup_15m and rollup_6h',
    program: buildNewTiers,
  },
  {
    version: 8,
    name: 'release 0 metric tables dropped',
    sql: `
      DROP TABLE server_metrics;
      DROP TABLE rollup_minute;
      DROP TABLE rollup_hour;
      DROP TABLE server_metrics_daily;
    `,
  },
  {
    version: 20,
    name: 'usage pre-aggregated per width, bucket and action; unique visitors as sketches',
    sql: `
      -- usage counted as it is recorded, per bucket width (ms: 1m 5m 15m 1h 6h 1d), bucket and action
      CREATE TABLE usage_counts (
        server_id TEXT NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
        width INTEGER NOT NULL,
        bucket INTEGER NOT NULL,
        action TEXT NOT NULL CHECK (action IN ('view', 'install', 'test', 'invoke')),
        count INTEGER NOT NULL,
        PRIMARY KEY (server_id, width, bucket, action)
      ) WITHOUT ROWID;
      CREATE INDEX usage_counts_width_bucket ON usage_counts(width, bucket);

      -- unique visitors per width and bucket: a HyperLogLog sketch of the daily visitor hashes, exact below
      -- 512 (query/visitor-sketch.ts); a rowid table, as the sketches reach 4 KB
      CREATE TABLE usage_visitors (
        server_id TEXT NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
        width INTEGER NOT NULL,
        bucket INTEGER NOT NULL,
        sketch BLOB NOT NULL,
        PRIMARY KEY (server_id, width, bucket)
      );
      CREATE INDEX usage_visitors_width_bucket ON usage_visitors(width, bucket);
    `,
    // the aggregates of the usage already stored
    program: backfillUsageAggregates,
  },
  {
    version: 22,
    name: "state kept between a server's ingests (OTLP cumulative series, service versions)",
    sql: `
      -- one row per key: an OTLP cumulative series (its last point, so the next one becomes a delta) or a
      -- service's last version; written in the ingest transaction, forgotten a day after its last write
      CREATE TABLE ingest_state (
        server_id TEXT NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (server_id, key)
      );
      CREATE INDEX ingest_state_updated ON ingest_state(server_id, updated_at);
    `,
  },
  {
    version: 23,
    name: 'alert rules with their state, deliveries and their attempts, leases',
    sql: `
      -- a rule per row: an alert (metric, direction, threshold, window) or a weekly digest (metric 'digest'),
      -- its webhook and its own signing secret (kept readable: it signs, like server_secrets), and its state;
      -- version is bumped by every change of state, which is only made from the version read
      CREATE TABLE alert_rules (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        server_id TEXT NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
        metric TEXT NOT NULL CHECK (metric IN ('error_rate', 'p95', 'availability', 'calls', 'silence', 'digest')),
        direction TEXT CHECK (direction IN ('above', 'below')),
        threshold REAL,
        window_ms INTEGER NOT NULL,
        webhook_url TEXT NOT NULL,
        secret TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('ok', 'firing')),
        state_since INTEGER NOT NULL,
        pending_since INTEGER,
        evaluated_to INTEGER,
        last_value REAL,
        digest_week TEXT,
        version INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX alert_rules_server ON alert_rules(server_id);

      -- a notification: its body, signed anew at each attempt under the same id (the webhook-id)
      CREATE TABLE alert_deliveries (
        id TEXT PRIMARY KEY,
        rule_id INTEGER NOT NULL REFERENCES alert_rules(id) ON DELETE CASCADE,
        type TEXT NOT NULL,
        payload TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
        attempts INTEGER NOT NULL,
        next_attempt_at INTEGER,
        last_status INTEGER,
        last_error TEXT
      );
      CREATE INDEX alert_deliveries_due ON alert_deliveries(status, next_attempt_at);
      CREATE INDEX alert_deliveries_rule ON alert_deliveries(rule_id, created_at);

      CREATE TABLE alert_attempts (
        delivery_id TEXT NOT NULL REFERENCES alert_deliveries(id) ON DELETE CASCADE,
        attempt INTEGER NOT NULL,
        attempted_at INTEGER NOT NULL,
        response_status INTEGER,
        error TEXT,
        next_attempt_at INTEGER,
        PRIMARY KEY (delivery_id, attempt)
      );

      -- who does a job only one process should do at a time (the alert evaluator), until when
      CREATE TABLE leases (
        name TEXT PRIMARY KEY,
        holder TEXT NOT NULL,
        expires_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 24,
    name: 'raw points packed: a block per server and minute',
    sql: `
      -- raw points packed, in arrival order: one row per server and minute a batch touches
      -- (store/sql/point-block.ts); read back only to re-aggregate, purged by minute
      CREATE TABLE metric_blocks (
        id INTEGER PRIMARY KEY,
        server_id TEXT NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
        minute INTEGER NOT NULL,
        points INTEGER NOT NULL,
        data BLOB NOT NULL
      );
      CREATE INDEX metric_blocks_server_minute ON metric_blocks(server_id, minute);
      CREATE INDEX metric_blocks_minute ON metric_blocks(minute);
    `,
    // metric_points packed into it in id order, then dropped
    program: packRawPoints,
  },
  {
    version: 25,
    name: 'chart blocks: each tier bucket merged per chart group',
    sql: `
      -- a tier's bucket merged per metric name, type and counter outcome, one row per server, tier
      -- and bucket (store/sql/chart-block.ts): what a report's chart reads; purged with the tier's rows
      CREATE TABLE chart_blocks (
        server_id TEXT NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
        tier TEXT NOT NULL,
        bucket INTEGER NOT NULL,
        data BLOB NOT NULL,
        PRIMARY KEY (server_id, tier, bucket)
      ) WITHOUT ROWID;
      CREATE INDEX chart_blocks_tier_bucket ON chart_blocks(tier, bucket);
    `,
    // the blocks of every bucket the tiers already hold
    program: backfillChartBlocks,
  },
  {
    version: 26,
    name: 'heartbeat minutes counted per hour',
    sql: `
      -- how many minutes of each hour carry a heartbeat, kept by ingest: availability sums whole hours here
      -- and counts only the minutes of its partial first and last hour
      CREATE TABLE heartbeat_hours (
        server_id TEXT NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
        hour INTEGER NOT NULL,
        minutes INTEGER NOT NULL,
        PRIMARY KEY (server_id, hour)
      ) WITHOUT ROWID;
      CREATE INDEX heartbeat_hours_hour ON heartbeat_hours(hour);
    `,
    program: backfillHeartbeatHours,
  },
  {
    version: 27,
    name: 'a week tier for the totals of long periods',
    sql: `
      -- weeks from the epoch, rolled up from rollup_1d: a long period's totals read whole weeks here and days only
      -- at its edges (query/tier-cover.ts); kept as long as rollup_1d
      CREATE TABLE rollup_1w (
        series_id INTEGER NOT NULL REFERENCES series(id) ON DELETE CASCADE,
        bucket INTEGER NOT NULL,
        count REAL NOT NULL,
        sum REAL NOT NULL,
        min REAL NOT NULL,
        max REAL NOT NULL,
        last REAL NOT NULL,
        last_ts INTEGER NOT NULL,
        sketch BLOB,
        PRIMARY KEY (series_id, bucket)
      ) WITHOUT ROWID;
      CREATE INDEX rollup_1w_bucket ON rollup_1w(bucket);
    `,
    // the weeks of every day the 1d tier holds, and their chart blocks
    program: backfillWeekTier,
  },
]
