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

/** The key of a series within its server, by its tags' canonical JSON. */
export const seriesKey = (name: string, type: string, tags: string) => `${name}\u0000${type}\u0000${tags}`

/** A node of {@link SeriesIds}' trie: the series whose tags end here, and the next tag's keys and values. */
interface TagNode {
  id: number | undefined
  next: Map<string, Map<string, TagNode>> | undefined
}

const tagNode = (): TagNode => ({ id: undefined, next: undefined })

/**
 * Series ids of one server by name, type and tags, found without building a key string (ingest looks up every
 * point): a trie of Maps over the tags' keys and values in their order. Tags come with keys sorted (the protocol's
 * `sortTags`; a stored series' canonical JSON parses back in that order), and tag keys start with a letter, so the
 * order is their JSON's and equal series walk the same path.
 */
export class SeriesIds {
  /** Series remembered. */
  size = 0
  /** Trie nodes and maps made, what its memory grows with: about one a series when series share their first tags. */
  cells = 0
  private readonly byName = new Map<string, Map<string, TagNode>>()

  get(name: string, type: string, tags: Readonly<Record<string, string>>): number | undefined {
    let node = this.byName.get(name)?.get(type)
    for (const key in tags) {
      if (!node) return undefined
      node = node.next?.get(key)?.get(tags[key] as string)
    }
    return node?.id
  }

  set(name: string, type: string, tags: Readonly<Record<string, string>>, id: number): void {
    let types = this.byName.get(name)
    if (!types) this.byName.set(name, (types = this.made(new Map())))
    let node = types.get(type)
    if (!node) types.set(type, (node = this.made(tagNode())))
    for (const key in tags) {
      node.next ??= this.made(new Map())
      let values = node.next.get(key)
      if (!values) node.next.set(key, (values = this.made(new Map())))
      const value = tags[key] as string
      let child = values.get(value)
      if (!child) values.set(value, (child = this.made(tagNode())))
      node = child
    }
    if (node.id === undefined) this.size++
    node.id = id
  }

  private made<T>(cell: T): T {
    this.cells++
    return cell
  }
}

/** The series cache's default memory, in MB: about 200 000 series of a usual shape. */
export const DEFAULT_SERIES_CACHE_MB = 40

/** Trie cells (or parsed series) a cache of `mb` MB holds: about 80 bytes a cell, as measured. */
export const seriesCacheCells = (mb: number) => Math.max(1, Math.floor((mb * 1e6) / 80))

/**
 * A bounded cache of series ids and series; forgets everything when full (it refills from the database). Its
 * entries are the series it holds parsed and the cells of its id tries, so series whose first tags all differ (a
 * trie of several maps each) count for several.
 */
export class SeriesCache {
  private readonly servers = new Map<string, { createdAt: number; ids: SeriesIds }>()
  private readonly infos = new Map<number, SeriesInfo>()
  private entries = 0

  constructor(private readonly maxEntries = seriesCacheCells(DEFAULT_SERIES_CACHE_MB)) {}

  /** Series ids of a server as created at `createdAt`; empty for a server not seen so. */
  idsOf(serverId: string, createdAt: number): Pick<SeriesIds, 'get' | 'size'> {
    return this.serverIds(serverId, createdAt)
  }

  private serverIds(serverId: string, createdAt: number): SeriesIds {
    let server = this.servers.get(serverId)
    if (!server || server.createdAt !== createdAt) {
      if (server) this.entries -= server.ids.cells
      server = { createdAt, ids: new SeriesIds() }
      this.servers.set(serverId, server)
    }
    return server.ids
  }

  /** Remembers a server's series (after `idsOf` for the same server and creation time). */
  rememberIds(serverId: string, createdAt: number, rows: readonly SeriesRow[]): void {
    const parsed = rows.map((row) => JSON.parse(row.tags) as Record<string, string>)
    // at most a map and a node for the name and type, and a map and a node for each tag
    this.makeRoom(parsed.reduce((n, tags) => n + 2 + 2 * Object.keys(tags).length, 0))
    const ids = this.serverIds(serverId, createdAt)
    const before = ids.cells
    rows.forEach((row, i) => ids.set(row.name, row.type, parsed[i] as Record<string, string>, row.id))
    this.entries += ids.cells - before
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
    this.entries -= server.ids.cells
    this.servers.delete(serverId)
  }

  private makeRoom(adding: number): void {
    if (this.entries + adding <= this.maxEntries) return
    this.servers.clear()
    this.infos.clear()
    this.entries = 0
  }
}
