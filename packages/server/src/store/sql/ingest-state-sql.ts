// State an ingest keeps between a server's batches (table `ingest_state`, migration 22): OTLP's cumulative
// series (their last point, so the next one becomes a delta) and the services' last versions. Read, derived from
// and written inside the ingest transaction, after the server's row lock, so replicas take turns.
import type { MetricPoint, ServerEvent } from '@mcpdir/metrics/protocol'
import type { StatefulIngest } from '../store'
import { all, exec, insert, type Program } from './program'
import { bulk, type SqlFragments } from './statements'

/** `ingest_state` written in bulk: a key's value replaced when it is there already. */
const STATE_TABLE = bulk(
  'ingest_state',
  'server_id text, key text, value text, updated_at bigint',
  ' ON CONFLICT (server_id, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
)

/** The programs over `ingest_state`. */
export function ingestStateSql(f: SqlFragments) {
  const read = `SELECT key, value FROM ingest_state WHERE server_id = ? AND key IN (SELECT value FROM ${f.jsonValues})`
  const forget = 'DELETE FROM ingest_state WHERE server_id = ? AND updated_at < ?'

  return {
    /**
     * Reads the state `stateful` needs, derives from it and keeps what it answers (state not written since
     * `forgetBefore` is dropped first); answers the points and events derived.
     */
    *apply(serverId: string, stateful: StatefulIngest, now: number): Program<{ points: MetricPoint[]; events: ServerEvent[] }> {
      yield* exec(forget, [serverId, stateful.forgetBefore])
      const stored = new Map<string, string>()
      if (stateful.keys.length > 0) {
        for (const row of yield* all<{ key: string; value: string }>(read, [serverId, JSON.stringify(stateful.keys)])) stored.set(row.key, row.value)
      }
      const derived = stateful.derive(stored)
      yield* insert(STATE_TABLE, derived.states.map((s) => [serverId, s.key, s.value, now]))
      return { points: derived.points, events: derived.events }
    },
  }
}
