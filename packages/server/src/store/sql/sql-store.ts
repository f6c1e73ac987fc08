// The Store methods both dialects run alike, written once as programs over the shared statements. A dialect
// adds what is its own: opening and closing, maintenance and backup.
import { randomBytes } from 'node:crypto'
import { bucketStart, type EventDetails, type EventType, type MetricPoint, type ServerEvent, type Tier, TIER_MS, TIERS } from '@mcpdir/metrics/protocol'
import { type RetentionTarget, type ServerCredentials, type IngestResult, type StatefulIngest, type Store, StoreClosedError, StoreConflictError } from '../store'
import { alertMethods } from './alerts-sql'
import { ingestStateSql } from './ingest-state-sql'
import { all, exec, insert, type Program, SharedCommitError, type SqlDriver } from './program'
import { metricStatements } from './metric-statements'
import { metricsSql } from './metrics-sql'
import { DEFAULT_SERIES_CACHE_MB, SeriesCache, seriesCacheCells } from './series-cache'
import { purgeCutoff, RETENTION, type ServerRow, type SqlFragments, statements, TABLES, toServer } from './statements'
import { usageSql } from './usage-sql'

/** What the shared SQL store implements; each dialect supplies the rest. */
export type SqlStoreMethods = Omit<Store, 'kind' | 'maintain' | 'backup'>

const isTier = (target: RetentionTarget): target is Tier => (TIERS as readonly string[]).includes(target)

const HOUR = TIER_MS['1h']

/** [from, to) as its whole hours and the partial hours before and after them (each range empty when none). */
function hourSplit(from: number, to: number) {
  const first = Math.ceil(from / HOUR) * HOUR
  const last = bucketStart(to, HOUR)
  if (last <= first) return { hours: [to, to], edges: [[from, to], [to, to]] } as const
  return { hours: [first, last], edges: [[from, first], [last, to]] } as const
}

/** A write that named a row another table no longer has: for ingest, a series id cached before a delete. */
const isForeignKeyViolation = (error: unknown) => {
  const code = (error as { code?: unknown } | null)?.code
  return code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || code === '23503'
}

/** `driver`, refusing every program with a StoreClosedError once it has ended (not a driver's own error, a 500). */
function closable(driver: SqlDriver): SqlDriver {
  let ended = false
  return {
    run: (program) => (ended ? Promise.reject(new StoreClosedError()) : driver.run(program)),
    transaction: (program, options) => (ended ? Promise.reject(new StoreClosedError()) : driver.transaction(program, options)),
    async end() {
      ended = true
      await driver.end()
    },
  }
}

/** What both stores take for the shared SQL. */
export interface SqlStoreOptions {
  /**
   * Memory for the series cache, in MB (default 40: about 200 000 series of a usual shape). A store that receives
   * more series than it holds reads a batch's series back from the database (two statements more a batch); give
   * it about 200 B a series it should hold.
   */
  seriesCacheMb?: number
}

export function sqlStore(dialectDriver: SqlDriver, fragments: SqlFragments, options: SqlStoreOptions = {}): SqlStoreMethods {
  const driver = closable(dialectDriver)
  const S = statements(fragments)
  const MS = metricStatements(fragments)
  const usage = usageSql(fragments)
  const seriesCache = new SeriesCache(seriesCacheCells(options.seriesCacheMb ?? DEFAULT_SERIES_CACHE_MB))
  const metrics = metricsSql(fragments, seriesCache)
  const ingestState = ingestStateSql(fragments)
  const rows = <R>(sql: string, params: readonly unknown[] = []) => driver.run(all<R>(sql, params))
  const changes = (sql: string, params: readonly unknown[]) => driver.run(exec(sql, params))

  function* insertCredentials(serverId: string, credentials: ServerCredentials, now: number): Program<void> {
    yield* exec(S.insertKey, [serverId, 'ingest', credentials.ingestKeyHash, credentials.ingestKeyPrefix, now])
    if (credentials.readTokenHash) yield* exec(S.insertKey, [serverId, 'read', credentials.readTokenHash, credentials.readTokenPrefix ?? '', now])
    yield* exec(S.insertSecret, [serverId, credentials.signingSecret, now])
  }

  function* ingest(serverId: string, batchId: string, points: readonly MetricPoint[], events: readonly ServerEvent[], now: number, dedupeSince: number, stateful?: StatefulIngest) {
    if ((yield* exec(S.claimBatch, [serverId, batchId, now, points.length, dedupeSince])) === 0) return { duplicate: true, processed: 0, series: undefined }
    // the server's row lock first: every merge below happens under it (see touchServer)
    const [server] = yield* all<{ created_at: number }>(S.touchServer, [now, now, serverId])
    if (!server) throw new Error(`no server ${serverId}`)
    if (stateful) {
      const derived = yield* ingestState.apply(serverId, stateful, now)
      points = [...points, ...derived.points]
      events = [...events, ...derived.events]
    }
    const series = yield* metrics.storePoints(serverId, server.created_at, points)
    const heartbeats = new Set(events.filter((e) => e.type === 'heartbeat').map((e) => bucketStart(e.timestamp, TIER_MS['1m'])))
    const others = events.filter((e) => e.type !== 'heartbeat')
    yield* insert(TABLES.events, others.map((e) => [serverId, e.type, e.timestamp, JSON.stringify(e.details)]))
    yield* insert(TABLES.heartbeats, [...heartbeats].map((minute) => [serverId, minute]))
    for (const hour of new Set([...heartbeats].map((minute) => bucketStart(minute, HOUR)))) yield* exec(S.countHeartbeatHour, [serverId, hour, hour + HOUR])
    yield* exec(S.purgeBatches, [dedupeSince])
    return { duplicate: false, processed: points.length, series: { createdAt: server.created_at, rows: series } }
  }

  /**
   * Heartbeat retention, a whole hour at a time: the oldest hour rows before `cutoff` (about `limit` minutes'
   * worth), then exactly those hours' minutes, in one transaction, so an hour row never outlives or loses its
   * minutes and any window's count stays exact while a purge runs. Minutes without an hour row (written by a
   * replica on older code) go once no hour row is left before the cutoff.
   */
  function* purgeHeartbeats(cutoff: number, limit: number): Program<{ rows: number; deleted: number }> {
    const hours = yield* all<{ serverId: string; hour: number }>(S.purgeHeartbeatHours, [cutoff, Math.max(1, Math.floor(limit / 60))])
    let deleted = 0
    for (const { serverId, hour } of hours) deleted += yield* exec(S.purgeHeartbeatHour, [serverId, Number(hour), Number(hour) + HOUR])
    if (hours.length === 0) deleted = yield* exec(S.purge('heartbeats'), [cutoff, limit])
    return { rows: Math.max(hours.length, deleted), deleted }
  }

  /** Ingests not yet settled, retries included: closing waits for them. */
  const ingesting = new Set<Promise<unknown>>()
  async function ingestOrRetry(...args: Parameters<typeof ingest>): Promise<IngestResult> {
    let result
    try {
      result = await driver.transaction(ingest(...args), { groupCommit: true })
    } catch (error) {
      // Run it once more, alone, when it was undone with the others of its group commit (group-commit.ts says when), or
      // when it used series ids cached for a server that another replica deleted and created again within the
      // same millisecond (their foreign key fails: those ids go first). A failed ingest cached nothing (below).
      if (isForeignKeyViolation(error)) seriesCache.forgetServer(args[0])
      else if (!(error instanceof SharedCommitError)) throw error
      result = await driver.transaction(ingest(...args))
    }
    // committed: its series ids are for keeping (series-cache.ts)
    const { series, ...outcome } = result
    if (series && series.rows.length > 0) seriesCache.rememberIds(args[0], series.createdAt, series.rows)
    return outcome
  }

  let closing: Promise<void> | undefined
  return {
    ...alertMethods(driver, fragments),
    async ping() {
      await rows(S.ping)
    },
    close() {
      closing ??= (async () => {
        // a batch undone with its group commit while the database closes is run again alone first, not refused
        while (ingesting.size > 0) await Promise.allSettled([...ingesting])
        await driver.end()
      })()
      return closing
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
      seriesCache.forgetServer(id)
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

    async ingest(serverId, batchId, points, events, now, dedupeSince, stateful) {
      if (closing) throw new StoreClosedError()
      const running = ingestOrRetry(serverId, batchId, points, events, now, dedupeSince, stateful)
      ingesting.add(running)
      const settled = () => ingesting.delete(running)
      running.then(settled, settled)
      return running
    },
    async recordUsage(records) {
      if (records.length > 0) await driver.transaction(usage.record(records))
    },

    async takeDirtyMinutes(limit, serverId) {
      const taken = await rows<{ serverId: string; minute: number }>(serverId === undefined ? S.takeDirty : S.takeDirtyOfServer, serverId === undefined ? [limit] : [serverId, limit])
      return taken.sort((a, b) => a.minute - b.minute || (a.serverId < b.serverId ? -1 : a.serverId > b.serverId ? 1 : 0))
    },
    async markDirtyMinutes(serverId, from, to) {
      return driver.run(metrics.markDirty(serverId, from, to))
    },
    async serversWithPoints(from, to) {
      return driver.run(metrics.serversWithPoints(from, to))
    },
    async rawRows(serverId, from, to) {
      return driver.run(metrics.rawRows(serverId, from, to))
    },
    async tierRows(serverId, tier, from, to, names) {
      return driver.run(metrics.tierRows(serverId, [{ tier, from, to }], names))
    },
    async chartRows(serverId, tier, from, to, names) {
      return driver.run(metrics.chartRows(serverId, [{ tier, from, to }], names))
    },
    async rebuildCharts(serverId, tier, from, to) {
      return driver.transaction(metrics.rebuildCharts(serverId, tier, from, to))
    },
    async coverRows(serverId, spans, kind, names) {
      return driver.run(kind === 'chart' ? metrics.chartRows(serverId, spans, names) : metrics.tierRows(serverId, spans, names))
    },
    async rebuildTier(serverId, tier, from, to, source) {
      return driver.transaction(metrics.rebuildTier(serverId, tier, from, to, source))
    },
    async heartbeatMinutes(serverId, from, to) {
      const { hours, edges } = hourSplit(from, to)
      return (await rows<{ n: number }>(S.heartbeatCount, [serverId, ...hours, ...edges.flatMap((edge) => [serverId, ...edge])]))[0]?.n ?? 0
    },
    async firstHeartbeat(serverId) {
      return (await rows<{ m: number | null }>(S.firstHeartbeat, [serverId]))[0]?.m ?? undefined
    },
    async usageAggregates(serverId, width, from, to) {
      return driver.run(usage.read(serverId, width, from, to))
    },
    async listEvents(serverId, from, to, limit) {
      const events = await rows<{ type: EventType; timestamp: number; details: string }>(S.listEvents, [serverId, from, to, limit])
      return events.map((e) => ({ type: e.type, timestamp: e.timestamp, details: JSON.parse(e.details) as EventDetails }))
    },
    async purge(target, before, limit) {
      const params = [purgeCutoff(target, before), limit]
      if (isTier(target)) {
        // the tier's chart blocks go by the same cutoff; steps go on while either table has rows left
        const [n, charts] = await driver.transaction(
          (function* () {
            return [yield* exec(S.purge(target), params), yield* exec(MS.purgeCharts, [target, ...params])] as const
          })(),
        )
        return { rows: Math.max(n, charts), deleted: n }
      }
      if (target === 'heartbeats') return driver.transaction(purgeHeartbeats(bucketStart(before, HOUR), limit))
      if (!RETENTION[target].counted) {
        const n = await changes(S.purge(target), params)
        return { rows: n, deleted: n }
      }
      const deleted = await rows<{ n: number }>(S.purge(target), params)
      return { rows: deleted.length, deleted: deleted.reduce((total, r) => total + Number(r.n), 0) }
    },
    async purgeUsageAggregates(width, before, limit) {
      return driver.transaction(usage.purge(width, before, limit))
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
