// Versioned schema migrations for the PostgreSQL store: the same versions, tables and semantics as the
// SQLite ones (sqlite-migrations.ts), plus what only PostgreSQL has (21: tables partitioned by day; each
// dialect applies its own list, so SQLite has no 21). Applied at start under an advisory lock, so replicas
// starting together migrate once. Never edit a released migration; add the next one.
import { ensurePartitions, fillPartitioned } from './partitions'
import { all, exec, type Program } from '../sql/program'
import { backfillChartBlocks } from '../sql/chart-blocks-migration'
import { backfillHeartbeatHours } from '../sql/heartbeat-hours-migration'
import { packRawPoints } from '../sql/raw-blocks-migration'
import { backfillWeekTier } from '../sql/week-tier-migration'
import { buildNewTiers, keyPointsBySeries, keyTiersBySeries } from '../sql/series-migration'
import { backfillUsageAggregates } from '../sql/usage-sql'

/** A migration: its SQL, then optionally a JavaScript step (a program shared by both dialects), in one transaction. */
export const POSTGRES_MIGRATIONS: readonly { version: number; name: string; sql: string; /** `now`: the store's clock, for steps that depend on the date (partitions by day). */ program?: (now: number) => Program<void> }[] = [
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
  {
    version: 4,
    name: 'series dictionary; raw points and tiers 1m 5m 15m 1h 6h 1d keyed by series',
    sql: `
      CREATE TABLE series (
        id BIGSERIAL PRIMARY KEY,
        server_id TEXT NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        type TEXT NOT NULL CHECK (type IN ('counter', 'gauge', 'timer')),
        tags TEXT NOT NULL
      );
      -- tags may outgrow a btree entry (16 tags of 200 characters): unique on their hash
      CREATE UNIQUE INDEX series_key ON series(server_id, name, type, md5(tags));
      CREATE TABLE metric_points (
        id BIGSERIAL PRIMARY KEY,
        series_id BIGINT NOT NULL REFERENCES series(id) ON DELETE CASCADE,
        timestamp BIGINT NOT NULL,
        count DOUBLE PRECISION NOT NULL,
        sum DOUBLE PRECISION NOT NULL,
        min DOUBLE PRECISION NOT NULL,
        max DOUBLE PRECISION NOT NULL,
        last DOUBLE PRECISION NOT NULL,
        sketch BYTEA
      );
      CREATE INDEX metric_points_series_time ON metric_points(series_id, timestamp);
      CREATE INDEX metric_points_time ON metric_points(timestamp);
      CREATE TABLE rollup_1m (
        series_id BIGINT NOT NULL REFERENCES series(id) ON DELETE CASCADE,
        bucket BIGINT NOT NULL,
        count DOUBLE PRECISION NOT NULL,
        sum DOUBLE PRECISION NOT NULL,
        min DOUBLE PRECISION NOT NULL,
        max DOUBLE PRECISION NOT NULL,
        last DOUBLE PRECISION NOT NULL,
        last_ts BIGINT NOT NULL,
        sketch BYTEA,
        PRIMARY KEY (series_id, bucket)
      );
      CREATE INDEX rollup_1m_bucket ON rollup_1m(bucket);
      CREATE TABLE rollup_5m (LIKE rollup_1m INCLUDING ALL);
      ALTER TABLE rollup_5m ADD FOREIGN KEY (series_id) REFERENCES series(id) ON DELETE CASCADE;
      CREATE TABLE rollup_15m (LIKE rollup_1m INCLUDING ALL);
      ALTER TABLE rollup_15m ADD FOREIGN KEY (series_id) REFERENCES series(id) ON DELETE CASCADE;
      CREATE TABLE rollup_1h (LIKE rollup_1m INCLUDING ALL);
      ALTER TABLE rollup_1h ADD FOREIGN KEY (series_id) REFERENCES series(id) ON DELETE CASCADE;
      CREATE TABLE rollup_6h (LIKE rollup_1m INCLUDING ALL);
      ALTER TABLE rollup_6h ADD FOREIGN KEY (series_id) REFERENCES series(id) ON DELETE CASCADE;
      CREATE TABLE rollup_1d (LIKE rollup_1m INCLUDING ALL);
      ALTER TABLE rollup_1d ADD FOREIGN KEY (series_id) REFERENCES series(id) ON DELETE CASCADE;
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
      CREATE TABLE usage_counts (
        server_id TEXT NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
        width BIGINT NOT NULL,
        bucket BIGINT NOT NULL,
        action TEXT NOT NULL CHECK (action IN ('view', 'install', 'test', 'invoke')),
        count BIGINT NOT NULL,
        PRIMARY KEY (server_id, width, bucket, action)
      );
      CREATE INDEX usage_counts_width_bucket ON usage_counts(width, bucket);
      CREATE TABLE usage_visitors (
        server_id TEXT NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
        width BIGINT NOT NULL,
        bucket BIGINT NOT NULL,
        sketch BYTEA NOT NULL,
        PRIMARY KEY (server_id, width, bucket)
      );
      CREATE INDEX usage_visitors_width_bucket ON usage_visitors(width, bucket);
    `,
    program: backfillUsageAggregates,
  },
  {
    version: 21,
    name: 'raw points and 1m tier partitioned by day (PostgreSQL only)',
    // the old tables renamed out of the way (with their constraint and index names), the partitioned parents
    // created in their place (primary keys include the partition key; the id sequence carried over), then a
    // JavaScript step: DEFAULT and daily partitions created, rows copied in id order, old tables dropped
    sql: `
      ALTER TABLE metric_points RENAME TO metric_points_unpartitioned;
      ALTER TABLE metric_points_unpartitioned RENAME CONSTRAINT metric_points_pkey TO metric_points_unpartitioned_pkey;
      ALTER INDEX metric_points_series_time RENAME TO metric_points_unpartitioned_series_time;
      ALTER INDEX metric_points_time RENAME TO metric_points_unpartitioned_time;
      ALTER SEQUENCE metric_points_id_seq OWNED BY NONE;
      CREATE TABLE metric_points (
        id BIGINT NOT NULL DEFAULT nextval('metric_points_id_seq'),
        series_id BIGINT NOT NULL REFERENCES series(id) ON DELETE CASCADE,
        timestamp BIGINT NOT NULL,
        count DOUBLE PRECISION NOT NULL,
        sum DOUBLE PRECISION NOT NULL,
        min DOUBLE PRECISION NOT NULL,
        max DOUBLE PRECISION NOT NULL,
        last DOUBLE PRECISION NOT NULL,
        sketch BYTEA,
        PRIMARY KEY (id, timestamp)
      ) PARTITION BY RANGE (timestamp);
      ALTER SEQUENCE metric_points_id_seq OWNED BY metric_points.id;
      CREATE INDEX metric_points_series_time ON metric_points(series_id, timestamp);
      CREATE INDEX metric_points_time ON metric_points(timestamp);

      ALTER TABLE rollup_1m RENAME TO rollup_1m_unpartitioned;
      ALTER TABLE rollup_1m_unpartitioned RENAME CONSTRAINT rollup_1m_pkey TO rollup_1m_unpartitioned_pkey;
      ALTER INDEX rollup_1m_bucket RENAME TO rollup_1m_unpartitioned_bucket;
      CREATE TABLE rollup_1m (
        series_id BIGINT NOT NULL REFERENCES series(id) ON DELETE CASCADE,
        bucket BIGINT NOT NULL,
        count DOUBLE PRECISION NOT NULL,
        sum DOUBLE PRECISION NOT NULL,
        min DOUBLE PRECISION NOT NULL,
        max DOUBLE PRECISION NOT NULL,
        last DOUBLE PRECISION NOT NULL,
        last_ts BIGINT NOT NULL,
        sketch BYTEA,
        PRIMARY KEY (series_id, bucket)
      ) PARTITION BY RANGE (bucket);
      CREATE INDEX rollup_1m_bucket ON rollup_1m(bucket);
    `,
    *program(now) {
      // the raw points' table as it was then (version 24 replaced it)
      yield* fillPartitioned({ table: 'metric_points', column: 'timestamp' }, 'id', now)
      yield* fillPartitioned({ table: 'rollup_1m', column: 'bucket' }, 'series_id, bucket', now)
    },
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
        updated_at BIGINT NOT NULL,
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
        id BIGSERIAL PRIMARY KEY,
        server_id TEXT NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
        metric TEXT NOT NULL CHECK (metric IN ('error_rate', 'p95', 'availability', 'calls', 'silence', 'digest')),
        direction TEXT CHECK (direction IN ('above', 'below')),
        threshold DOUBLE PRECISION,
        window_ms BIGINT NOT NULL,
        webhook_url TEXT NOT NULL,
        secret TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('ok', 'firing')),
        state_since BIGINT NOT NULL,
        pending_since BIGINT,
        evaluated_to BIGINT,
        last_value DOUBLE PRECISION,
        digest_week TEXT,
        version BIGINT NOT NULL DEFAULT 0
      );
      CREATE INDEX alert_rules_server ON alert_rules(server_id);

      -- a notification: its body, signed anew at each attempt under the same id (the webhook-id)
      CREATE TABLE alert_deliveries (
        id TEXT PRIMARY KEY,
        rule_id BIGINT NOT NULL REFERENCES alert_rules(id) ON DELETE CASCADE,
        type TEXT NOT NULL,
        payload TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
        attempts BIGINT NOT NULL,
        next_attempt_at BIGINT,
        last_status BIGINT,
        last_error TEXT
      );
      CREATE INDEX alert_deliveries_due ON alert_deliveries(status, next_attempt_at);
      CREATE INDEX alert_deliveries_rule ON alert_deliveries(rule_id, created_at);

      CREATE TABLE alert_attempts (
        delivery_id TEXT NOT NULL REFERENCES alert_deliveries(id) ON DELETE CASCADE,
        attempt BIGINT NOT NULL,
        attempted_at BIGINT NOT NULL,
        response_status BIGINT,
        error TEXT,
        next_attempt_at BIGINT,
        PRIMARY KEY (delivery_id, attempt)
      );

      -- who does a job only one process should do at a time (the alert evaluator), until when
      CREATE TABLE leases (
        name TEXT PRIMARY KEY,
        holder TEXT NOT NULL,
        expires_at BIGINT NOT NULL
      );
    `,
  },
  {
    version: 24,
    name: 'raw points packed: a block per server and minute',
    sql: `
      -- raw points packed, in arrival order: one row per server and minute a batch touches
      -- (store/sql/point-block.ts); read back only to re-aggregate; partitioned by day like metric_points was
      CREATE TABLE metric_blocks (
        id BIGSERIAL,
        server_id TEXT NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
        minute BIGINT NOT NULL,
        points INTEGER NOT NULL,
        data BYTEA NOT NULL,
        PRIMARY KEY (id, minute)
      ) PARTITION BY RANGE (minute);
      CREATE INDEX metric_blocks_server_minute ON metric_blocks(server_id, minute);
      CREATE INDEX metric_blocks_minute ON metric_blocks(minute);
    `,
    // metric_points locked first (a replica still on the old code waits, then fails and its SDKs retry, instead
    // of committing points behind the copy); metric_blocks' partitions (RLS on each, as maintenance makes them);
    // metric_points packed into it in id order and dropped; RLS stays on where it was on (sql/postgres-rls.sql
    // gives metric_blocks its policy when applied again)
    *program(now) {
      yield* exec('LOCK TABLE metric_points IN ACCESS EXCLUSIVE MODE')
      const [rls] = yield* all<{ on: boolean }>("SELECT relrowsecurity AS on FROM pg_class WHERE oid = CAST('metric_points' AS regclass)")
      yield* exec('CREATE TABLE metric_blocks_default PARTITION OF metric_blocks DEFAULT')
      yield* exec('ALTER TABLE metric_blocks_default ENABLE ROW LEVEL SECURITY')
      yield* ensurePartitions({ table: 'metric_blocks', column: 'minute' }, now)
      yield* packRawPoints()
      if (rls?.on) yield* exec('ALTER TABLE metric_blocks ENABLE ROW LEVEL SECURITY')
    },
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
        bucket BIGINT NOT NULL,
        data BYTEA NOT NULL,
        PRIMARY KEY (server_id, tier, bucket)
      );
      CREATE INDEX chart_blocks_tier_bucket ON chart_blocks(tier, bucket);
    `,
    // the rolled tiers locked while the blocks of every bucket the tiers hold are written, so no rebuild commits
    // behind the backfill; RLS on where the tiers have it (sql/postgres-rls.sql gives chart_blocks its policy when
    // applied again). Replicas on the old code must be stopped before this runs (docs/postgres.md): left running,
    // they roll buckets up without their chart rows
    *program() {
      yield* exec('LOCK TABLE rollup_5m, rollup_15m, rollup_1h, rollup_6h, rollup_1d IN SHARE MODE')
      const [rls] = yield* all<{ on: boolean }>("SELECT relrowsecurity AS on FROM pg_class WHERE oid = CAST('rollup_1h' AS regclass)")
      yield* backfillChartBlocks()
      if (rls?.on) yield* exec('ALTER TABLE chart_blocks ENABLE ROW LEVEL SECURITY')
    },
  },
  {
    version: 26,
    name: 'heartbeat minutes counted per hour',
    sql: `
      -- how many minutes of each hour carry a heartbeat, kept by ingest: availability sums whole hours here
      -- and counts only the minutes of its partial first and last hour. The key includes the count, so that sum
      -- is an index-only scan: the rows of one server lie scattered across the table's pages (ingest writes every
      -- server's current hour), 400 heap pages for a 90d report where the index holds them in a dozen
      CREATE TABLE heartbeat_hours (
        server_id TEXT NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
        hour BIGINT NOT NULL,
        minutes INTEGER NOT NULL,
        PRIMARY KEY (server_id, hour) INCLUDE (minutes)
      );
      CREATE INDEX heartbeat_hours_hour ON heartbeat_hours(hour);
    `,
    // heartbeat minutes locked while they are counted, so no ingest commits one behind the count; RLS on where
    // server_heartbeats has it (sql/postgres-rls.sql gives heartbeat_hours its policy when applied again).
    // Replicas on the old code must be stopped before this runs (docs/postgres.md): left running, they record
    // heartbeat minutes without counting them
    *program() {
      yield* exec('LOCK TABLE server_heartbeats IN SHARE MODE')
      const [rls] = yield* all<{ on: boolean }>("SELECT relrowsecurity AS on FROM pg_class WHERE oid = CAST('server_heartbeats' AS regclass)")
      yield* backfillHeartbeatHours()
      if (rls?.on) yield* exec('ALTER TABLE heartbeat_hours ENABLE ROW LEVEL SECURITY')
    },
  },
  {
    version: 27,
    name: 'a week tier for the totals of long periods',
    sql: `
      -- weeks from the epoch, rolled up from rollup_1d: a long period's totals read whole weeks here and days only
      -- at its edges (query/tier-cover.ts); kept as long as rollup_1d
      CREATE TABLE rollup_1w (LIKE rollup_1d INCLUDING ALL);
      ALTER TABLE rollup_1w ADD FOREIGN KEY (series_id) REFERENCES series(id) ON DELETE CASCADE;
    `,
    // the days locked while their weeks are rolled up, so no rollup commits a day behind them; RLS on where
    // rollup_1d has it (sql/postgres-rls.sql gives rollup_1w its policy when applied again). Replicas on the old
    // code must be stopped before this runs (docs/postgres.md): left running, they roll up days without their weeks
    *program() {
      yield* exec('LOCK TABLE rollup_1d IN SHARE MODE')
      const [rls] = yield* all<{ on: boolean }>("SELECT relrowsecurity AS on FROM pg_class WHERE oid = CAST('rollup_1d' AS regclass)")
      yield* backfillWeekTier()
      if (rls?.on) yield* exec('ALTER TABLE rollup_1w ENABLE ROW LEVEL SECURITY')
    },
  },
]
