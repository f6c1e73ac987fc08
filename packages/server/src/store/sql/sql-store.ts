// The Store methods both dialects run alike, written once as programs over the shared statements. A dialect
// adds what is its own: opening and closing, locks, maintenance and backup.
import { randomBytes } from 'node:crypto'
import { type EventDetails, type EventType, type MetricPoint, type ServerEvent, Sketch, type SketchJSON, sketchPercentiles, TIER_MS, type Tier } from '@mcpdir/metrics/protocol'
import type { AggregateRow } from '../../query/aggregations'
import { type ServerCredentials, type Store, StoreConflictError, type UsageReadRow } from '../store'
import { all, exec, insert, type Program, type SqlDriver } from './program'
import { dayBounds, isoDay, RETENTION, type ServerRow, type SqlFragments, statements, TABLES, toServer } from './statements'

/** What the shared SQL store implements; each dialect supplies the rest. */
export type SqlStoreMethods = Omit<Store, 'kind' | 'withBucketLock' | 'maintain' | 'backup'>

const minuteOf = (timestamp: number) => Math.floor(timestamp / TIER_MS.minute) * TIER_MS.minute
const json = (value: unknown) => (value ? JSON.stringify(value) : null)

export function sqlStore(driver: SqlDriver, fragments: SqlFragments): SqlStoreMethods {
  const S = statements(fragments)
  const rows = <R>(sql: string, params: readonly unknown[] = []) => driver.run(all<R>(sql, params))
  const changes = (sql: string, params: readonly unknown[]) => driver.run(exec(sql, params))

  function* insertCredentials(serverId: string, credentials: ServerCredentials, now: number): Program<void> {
    yield* exec(S.insertKey, [serverId, 'ingest', credentials.ingestKeyHash, credentials.ingestKeyPrefix, now])
    if (credentials.readTokenHash) yield* exec(S.insertKey, [serverId, 'read', credentials.readTokenHash, credentials.readTokenPrefix ?? '', now])
    yield* exec(S.insertSecret, [serverId, credentials.signingSecret, now])
  }

  function* ingest(serverId: string, batchId: string, points: readonly MetricPoint[], events: readonly ServerEvent[], now: number, dedupeSince: number) {
    if ((yield* exec(S.claimBatch, [serverId, batchId, now, points.length, dedupeSince])) === 0) return { duplicate: true, processed: 0 }
    yield* insert(
      TABLES.points,
      points.map((p) => [serverId, p.name, p.type, JSON.stringify(p.tags), p.timestamp, p.count, p.sum, p.min, p.max, p.last, json(p.sketch), now]),
    )
    const heartbeats = new Set(events.filter((e) => e.type === 'heartbeat').map((e) => minuteOf(e.timestamp)))
    const others = events.filter((e) => e.type !== 'heartbeat')
    yield* insert(TABLES.events, others.map((e) => [serverId, e.type, e.timestamp, JSON.stringify(e.details)]))
    yield* insert(TABLES.heartbeats, [...heartbeats].map((minute) => [serverId, minute]))
    yield* insert(TABLES.dirty, [...new Set(points.map((p) => minuteOf(p.timestamp)))].map((minute) => [serverId, minute]))
    yield* exec(S.touchServer, [now, serverId, now])
    yield* exec(S.purgeBatches, [dedupeSince])
    return { duplicate: false, processed: points.length }
  }

  /** A row of a tier's table, in the column order of its TABLES entry. */
  const tierRow = (serverId: string, tier: Tier, r: AggregateRow): unknown[] => {
    if (tier !== 'day') return [serverId, r.bucket, r.name, r.type, r.tags, r.count, r.sum, r.min, r.max, r.last, r.lastTs, r.sketch]
    const sketch = r.sketch ? Sketch.fromJSON(JSON.parse(r.sketch) as SketchJSON) : undefined
    const { p50 = null, p95 = null, p99 = null } = sketchPercentiles(sketch, r.min, r.max)
    return [serverId, isoDay(r.bucket), r.name, r.type, r.tags, r.count, r.sum, r.min, r.max, r.sum / r.count, r.last, r.lastTs, r.sketch, p50, p95, p99]
  }
  /** A tier's time column bounds for buckets in [from, to). */
  const bounds = (tier: Tier, from: number, to: number): unknown[] => (tier === 'day' ? dayBounds(from, to) : [from, to])

  let closed = false
  return {
    async ping() {
      await rows(S.ping)
    },
    async close() {
      if (closed) return
      closed = true
      await driver.end()
    },

    async createServer(server, credentials, now) {
      await driver.transaction(
        (function* () {
          const inserted = yield* exec(S.insertServer, [server.id, server.name, Number(server.isPrivate), Number(server.requireSignature), now])
          if (inserted === 0) throw new StoreConflictError(`server ${server.id} already exists`)
          yield* insertCredentials(server.id, credentials, now)
        })(),
      )
    },
    async getServer(id) {
      const [row] = await rows<ServerRow>(S.getServer, [id])
      return row && toServer(row)
    },
    async listServers() {
      return (await rows<ServerRow>(S.listServers)).map(toServer)
    },
    async deleteServer(id) {
      return (await changes(S.deleteServer, [id])) > 0
    },
    async setServerDisabled(id, disabled) {
      return (await changes(S.setDisabled, [Number(disabled), id])) > 0
    },
    async rotateCredentials(id, credentials, graceUntil, now) {
      return driver.transaction(
        (function* () {
          if ((yield* all(S.lockServer, [id])).length === 0) return false
          yield* exec(S.purgeExpiredKeys, [now])
          yield* exec(S.purgeExpiredSecrets, [now])
          for (const kind of credentials.readTokenHash ? ['ingest', 'read'] : ['ingest']) yield* exec(S.expireKeys, [graceUntil, id, kind])
          yield* exec(S.expireSecrets, [graceUntil, id])
          yield* insertCredentials(id, credentials, now)
          return true
        })(),
      )
    },
    async findServerByKey(kind, keyHash, now) {
      return (await rows<{ server_id: string }>(S.findKey, [keyHash, kind, now]))[0]?.server_id
    },
    async signingSecrets(id, now) {
      return (await rows<{ secret: string }>(S.secrets, [id, now])).map((r) => r.secret)
    },

    async ingest(serverId, batchId, points, events, now, dedupeSince) {
      return driver.transaction(ingest(serverId, batchId, points, events, now, dedupeSince))
    },
    async recordUsage(usage) {
      if (usage.length === 0) return
      const values = usage.map((r) => [r.serverId, r.action, r.toolId ?? null, json(r.details), r.visitorHash, r.timestamp])
      await driver.transaction(insert(TABLES.usage, values))
    },

    async takeDirtyMinutes(limit) {
      const taken = await rows<{ serverId: string; minute: number }>(S.takeDirty, [limit])
      return taken.sort((a, b) => a.minute - b.minute || (a.serverId < b.serverId ? -1 : a.serverId > b.serverId ? 1 : 0))
    },
    async markDirtyMinutes(serverId, from, to) {
      return changes(S.markDirty(serverId !== undefined), serverId === undefined ? [from, to] : [from, to, serverId])
    },
    async rawRows(serverId, from, to) {
      return rows<AggregateRow>(S.rawRows, [serverId, from, to])
    },
    async tierRows(serverId, tier, from, to, names) {
      return rows<AggregateRow>(S.tierRows(tier, names !== undefined), [serverId, ...bounds(tier, from, to), ...(names ? [JSON.stringify(names)] : [])])
    },
    async replaceTierRows(serverId, tier, from, to, tierRows) {
      await driver.transaction(
        (function* () {
          yield* exec(S.bumpRollupVersion, [serverId])
          yield* exec(S.deleteTier(tier), [serverId, ...bounds(tier, from, to)])
          yield* insert(TABLES[tier], tierRows.map((r) => tierRow(serverId, tier, r)))
        })(),
      )
    },
    async heartbeatMinutes(serverId, from, to) {
      return (await rows<{ n: number }>(S.heartbeatCount, [serverId, from, to]))[0]?.n ?? 0
    },
    async firstHeartbeat(serverId) {
      return (await rows<{ m: number | null }>(S.firstHeartbeat, [serverId]))[0]?.m ?? undefined
    },
    async usageRows(serverId, from, to) {
      return rows<UsageReadRow>(S.usageRows, [serverId, from, to])
    },
    async listEvents(serverId, from, to, limit) {
      const events = await rows<{ type: EventType; timestamp: number; details: string }>(S.listEvents, [serverId, from, to, limit])
      return events.map((e) => ({ type: e.type, timestamp: e.timestamp, details: JSON.parse(e.details) as EventDetails }))
    },
    async purge(target, before, limit) {
      return changes(S.purge(target), [RETENTION[target].day ? isoDay(before) : before, limit])
    },

    async getSetting(key) {
      return (await rows<{ value: string }>(S.getSetting, [key]))[0]?.value
    },
    async initSetting(key, value) {
      await changes(S.initSetting, [key, value])
      return (await rows<{ value: string }>(S.getSetting, [key]))[0]?.value as string
    },
    async dailySalt(day) {
      const existing = (await rows<{ salt: string }>(S.getSalt, [day]))[0]?.salt
      if (existing) return existing
      return driver.transaction(
        (function* () {
          yield* exec(S.insertSalt, [day, randomBytes(32).toString('base64')])
          yield* exec(S.purgeSalts, [day])
          return (yield* all<{ salt: string }>(S.getSalt, [day]))[0]?.salt as string
        })(),
      )
    },
  }
}
