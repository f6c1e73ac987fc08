-- Optional Row Level Security for the mcpdir-metrics PostgreSQL schema, for exposing the tables directly
-- (Supabase, PostgREST) with the service's read rules: a public server's data is readable by anyone; a
-- private server's only with its read token; credentials, salts and settings by nobody but the owner.
--
-- The token comes from the setting mcpdir.read_token (SET LOCAL mcpdir.read_token = 'mcpr_…'), or from the
-- x-mcpdir-read-token request header under PostgREST. Apply as the tables' owner; the service itself
-- connects as the owner and is not affected (owners bypass RLS unless FORCE is set).
--
--   psql "$DATABASE_URL" -f postgres-rls.sql

CREATE OR REPLACE FUNCTION mcpdir_can_read(server text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT EXISTS (
    SELECT 1 FROM servers s
    WHERE s.id = server AND NOT s.disabled AND (
      NOT s.is_private OR EXISTS (
        SELECT 1 FROM server_keys k
        WHERE k.server_id = s.id AND k.kind = 'read'
          AND (k.expires_at IS NULL OR k.expires_at > (extract(epoch FROM now()) * 1000)::bigint)
          AND k.key_hash = encode(sha256(convert_to(coalesce(
                nullif(current_setting('mcpdir.read_token', true), ''),
                nullif(current_setting('request.headers', true), '')::json ->> 'x-mcpdir-read-token',
                ''), 'UTF8')), 'hex')
      )
    )
  )
$$;
REVOKE ALL ON FUNCTION mcpdir_can_read(text) FROM PUBLIC;

DO $$
DECLARE t text;
BEGIN
  -- readable under the read rules
  FOREACH t IN ARRAY ARRAY['series', 'metric_blocks', 'chart_blocks', 'server_events', 'server_usage', 'usage_counts', 'usage_visitors', 'server_heartbeats', 'heartbeat_hours'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('DROP POLICY IF EXISTS mcpdir_read ON %I', t);
    EXECUTE format('CREATE POLICY mcpdir_read ON %I FOR SELECT USING (mcpdir_can_read(server_id))', t);
  END LOOP;
  -- the tiers name their series, whose server decides
  FOREACH t IN ARRAY ARRAY['rollup_1m', 'rollup_5m', 'rollup_15m', 'rollup_1h', 'rollup_6h', 'rollup_1d', 'rollup_1w'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('DROP POLICY IF EXISTS mcpdir_read ON %I', t);
    EXECUTE format('CREATE POLICY mcpdir_read ON %I FOR SELECT USING (mcpdir_can_read((SELECT s.server_id FROM series s WHERE s.id = series_id)))', t);
  END LOOP;
  -- never readable through the API: RLS on, no policy
  FOREACH t IN ARRAY ARRAY['server_keys', 'server_secrets', 'settings', 'daily_salts', 'ingest_batches', 'rollup_dirty',
                           'alert_rules', 'alert_deliveries', 'alert_attempts', 'leases', 'ingest_state', 'schema_migrations'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
  END LOOP;
END $$;

ALTER TABLE servers ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS mcpdir_read ON servers;
CREATE POLICY mcpdir_read ON servers FOR SELECT USING (mcpdir_can_read(id));
