// What a store process remembers about series, so ingest resolves a point's series id without a query and
// reads attach each row's name and parsed tags without parsing them per row.
//
// Ids by (name, type, tags) are kept per server *as created at a given time*: a server deleted and created
// again under the same id (by this process or another replica) is a different server, and the ingest
// transaction reads the server's `created_at` under its lock before using the ids. Committed series ids are
// never reused (SQLite AUTOINCREMENT, a PostgreSQL sequence), so a stale id can only fail a foreign key, never
// point at another series; the store then forgets the server and retries once (sql-store.ts). SQLite does hand
// out the ids of a rolled-back transaction again, so only committed ids get in: an ingest remembers the series it
// created once its transaction has committed, never from inside it.
import type { MetricType } from '@mcpdir/metrics/protocol'
import type { SeriesInfo } from '../../query/aggregations'

/** A series as the `series` table holds it. */
export interface SeriesRow {
  id: number
  name: string
  type: MetricType
  /** Canonical JSON: keys sorted. */
  tags: string
}

/** The cache key of a series within its server. */
export const seriesKey = (name: string, type: string, tags: string) => `${name}\u0000${type}\u0000${tags}`

/** A bounded cache of series ids and series; forgets everything when full (it refills from the database). */
export class SeriesCache {
  private readonly servers = new Map<string, { createdAt: number; ids: Map<string, number> }>()
  private readonly infos = new Map<number, SeriesInfo>()
  private entries = 0

  constructor(private readonly maxEntries = 250_000) {}

  /** Series ids of a server as created at `createdAt`, by `seriesKey`; empty for a server not seen so. */
  idsOf(serverId: string, createdAt: number): ReadonlyMap<string, number> {
    let server = this.servers.get(serverId)
    if (!server || server.createdAt !== createdAt) {
      if (server) this.entries -= server.ids.size
      server = { createdAt, ids: new Map() }
      this.servers.set(serverId, server)
    }
    return server.ids
  }

  /** Remembers a server's series (after `idsOf` for the same server and creation time). */
  rememberIds(serverId: string, createdAt: number, rows: readonly SeriesRow[]): void {
    this.makeRoom(rows.length)
    const ids = this.idsOf(serverId, createdAt) as Map<string, number>
    for (const row of rows) {
      const key = seriesKey(row.name, row.type, row.tags)
      if (!ids.has(key)) this.entries++
      ids.set(key, row.id)
    }
  }

  /** A series by id, if remembered. */
  info(id: number): SeriesInfo | undefined {
    return this.infos.get(id)
  }

  /** Remembers series read from the database, tags parsed; answers them. */
  rememberInfos(rows: readonly SeriesRow[]): SeriesInfo[] {
    this.makeRoom(rows.length)
    return rows.map((row) => {
      const info: SeriesInfo = { id: row.id, name: row.name, type: row.type, tags: JSON.parse(row.tags) as Record<string, string> }
      if (!this.infos.has(row.id)) this.entries++
      this.infos.set(row.id, info)
      return info
    })
  }

  /** Forgets a server's ids (it was deleted, or a write with them failed). */
  forgetServer(serverId: string): void {
    const server = this.servers.get(serverId)
    if (!server) return
    this.entries -= server.ids.size
    this.servers.delete(serverId)
  }

  private makeRoom(adding: number): void {
    if (this.entries + adding <= this.maxEntries) return
    this.servers.clear()
    this.infos.clear()
    this.entries = 0
  }
}
