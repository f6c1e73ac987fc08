// Migration 26's backfill, in both dialects: each server's heartbeat minutes counted per hour.
import { exec, type Program } from './program'

/**
 * Counts the heartbeat minutes of every server and hour: exact, and safe to run again while no ingest commits
 * meanwhile (the migration holds `server_heartbeats` locked; docs/postgres.md gives the recount with its lock).
 */
export function* backfillHeartbeatHours(): Program<void> {
  yield* exec(`INSERT INTO heartbeat_hours (server_id, hour, minutes)
    SELECT server_id, minute - minute % 3600000, count(*) FROM server_heartbeats GROUP BY server_id, minute - minute % 3600000
    ON CONFLICT (server_id, hour) DO UPDATE SET minutes = excluded.minutes`)
}
