// The migration that packs raw points into blocks (version 24), in both dialects: a database at the schema before
// it, holding `metric_points` rows as version 23 wrote them (several servers, late and out-of-order points,
// sketches, a point from long ago and one ahead), is migrated in batches smaller than a minute's points. Every
// point then reads back exactly, in its order within its minute, as it does from a fresh store fed the same
// points through ingest; minutes rebuilt from them equal the live ones; `metric_points` is gone.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type MetricPoint, Sketch, TIER_MS } from '@mcpdir/metrics/protocol'
import { afterAll, describe, expect, it } from 'vitest'
import type { AggregateRow } from '../../query/aggregations'
import { requirePostgres } from '../../testing/postgres-cluster'
import { dayStart, partitionName } from '../postgres/partitions'
import type { Store } from '../store'
import { type MigrationDialect, postgresDialect, seededRandom, sqliteDialect, type StoreWithSql } from './migration-test-dialects'
import { setMigrationBatchRows } from './series-migration'

const BEFORE = 23
const NOW = Date.parse('2026-03-10T12:07:30.000Z')
const MIN = TIER_MS['1m']
const HOUR = 60 * MIN
const DAY = 24 * HOUR
const SERVERS = ['alpha', 'beta', 'gamma']

interface Point extends MetricPoint {
  serverId: string
}

/** Points in the order version 23 stored them, seeded: interleaved servers, late points, every type. */
function rawPoints(): Point[] {
  const random = seededRandom(20261124)
  const points: Point[] = []
  const add = (serverId: string, timestamp: number) => {
    const kind = Math.floor(random() * 3)
    const tags = { tool: `tool-${Math.floor(random() * 3)}` }
    const v = Math.round(random() * 400) / 4
    if (kind === 0) points.push({ serverId, name: 'mcp.tool.calls', type: 'counter', tags, timestamp, count: 1, sum: v, min: v, max: v, last: v })
    else if (kind === 1) points.push({ serverId, name: 'process.heap_mb', type: 'gauge', tags: {}, timestamp, count: 2, sum: 2 * v, min: v - 1, max: v + 1, last: v })
    else {
      const values = [v, v + 3.25, v * 2]
      points.push({ serverId, name: 'mcp.tool.duration', type: 'timer', tags, timestamp, count: 3, sum: values.reduce((a, b) => a + b, 0), min: v, max: v * 2, last: v * 2, sketch: Sketch.of(values).toJSON() })
    }
  }
  // five days of 10 s windows, a few minutes an hour, servers interleaved; now and then a late point
  for (let t = NOW - 5 * DAY; t < NOW; t += 10_000) {
    if (Math.floor(t / MIN) % 60 > 3) continue
    for (const serverId of SERVERS) if (random() < 0.8) add(serverId, t + Math.floor(random() * 10_000))
    if (random() < 0.02) add(SERVERS[Math.floor(random() * 3)] as string, t - Math.floor(random() * 2 * DAY))
  }
  // many points of one minute, so a minute spans several migration batches
  for (let i = 0; i < 300; i++) add('alpha', Math.floor(NOW / MIN) * MIN - 2 * MIN + i * 7)
  add('beta', NOW - 30 * DAY)
  add('gamma', NOW + 30_000)
  return points
}

const seriesKey = (p: Point) => `${p.serverId}|${p.name}|${p.type}|${JSON.stringify(p.tags)}`
/** Rows as the store answers them, stable-sorted by minute: the order kept within each minute is compared. */
const byMinute = (rows: AggregateRow[]) =>
  rows
    .map((r, i) => ({ i, r }))
    .sort((a, b) => Math.floor(a.r.bucket / MIN) - Math.floor(b.r.bucket / MIN) || a.i - b.i)
    .map(({ r }) => [r.series.name, JSON.stringify(r.series.tags), r.bucket, r.count, r.sum, r.min, r.max, r.last, r.lastTs, r.sketch ? Buffer.from(r.sketch).toString('hex') : null])

/** A dialect, and more checks of the database it migrated. */
type Dialect = MigrationDialect & { after(store: StoreWithSql): Promise<void> }

function migrationTest(name: string, dialect: Dialect) {
  it(`${name}: packs every raw point into its server's and minute's block, reading back as ingest stores it`, async () => {
    const points = rawPoints()
    const old = await dialect.old()
    const ids = new Map<string, number>()
    try {
      for (const id of SERVERS) await old.exec('INSERT INTO servers (id, name, created_at) VALUES (?, ?, ?)', [id, id, NOW - 400 * DAY])
      for (const p of points) {
        const key = seriesKey(p)
        if (!ids.has(key)) {
          await old.exec('INSERT INTO series (server_id, name, type, tags) VALUES (?, ?, ?, ?)', [p.serverId, p.name, p.type, JSON.stringify(p.tags)])
          ids.set(key, ids.size + 1)
        }
        await old.exec('INSERT INTO metric_points (series_id, timestamp, count, sum, min, max, last, sketch) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [
          ids.get(key), p.timestamp, p.count, p.sum, p.min, p.max, p.last, p.sketch ? Buffer.from(Sketch.fromJSON(p.sketch).toBytes()) : null,
        ])
      }
      expect((await old.exec('SELECT count(*) AS n FROM metric_points')).map((r) => Number(r.n))).toEqual([points.length])
    } finally {
      await old.close()
    }

    setMigrationBatchRows(97)
    const migrated = await dialect.store(false).finally(() => setMigrationBatchRows(5_000))
    const live = await dialect.store(true)
    try {
      // the same points through ingest, in batches of 50 (series created in the same order: the same ids)
      for (const id of SERVERS) await live.createServer({ id, name: id, isPrivate: false, requireSignature: true }, { ingestKeyHash: id, ingestKeyPrefix: 'x', signingSecret: id }, NOW - 400 * DAY)
      for (let i = 0; i < points.length; i += 50) {
        const batch = points.slice(i, i + 50)
        for (const id of SERVERS) {
          const mine = batch.filter((p) => p.serverId === id).map(({ serverId: _, ...p }) => p)
          if (mine.length > 0) await live.ingest(id, `b-${i}`, mine, [], NOW, NOW - 60 * DAY)
        }
      }
      for (const id of SERVERS) {
        const mine = points.filter((p) => p.serverId === id)
        const all = await migrated.rawRows(id, 0, Number.MAX_SAFE_INTEGER)
        expect(all, id).toHaveLength(mine.length)
        expect(all.reduce((s, r) => s + r.sum, 0), id).toBe(mine.reduce((s, p) => s + p.sum, 0))
        expect(byMinute(all), id).toEqual(byMinute(await live.rawRows(id, 0, Number.MAX_SAFE_INTEGER)))
        // windows not on minute edges: only their points
        for (const [from, to] of [[NOW - DAY - 25_000, NOW - DAY + 3 * HOUR + 7], [NOW - 2 * MIN + 700, NOW - 2 * MIN + 1_400]] as const) {
          const window = await migrated.rawRows(id, from, to)
          expect(window.every((r) => r.bucket >= from && r.bucket < to), `${id} ${from}`).toBe(true)
          expect(window.length, `${id} ${from}`).toBe(mine.filter((p) => p.timestamp >= from && p.timestamp < to).length)
          expect(byMinute(window), `${id} ${from}`).toEqual(byMinute(await live.rawRows(id, from, to)))
        }
        // minutes rebuilt from the migrated points are the live store's minutes, sketches byte for byte
        const from = Math.floor((NOW - 2 * DAY) / HOUR) * HOUR
        await migrated.rebuildTier(id, '1m', from, from + DAY, 'raw')
        const minutes = (store: Store) => store.tierRows(id, '1m', from, from + DAY).then((rows) => byMinute(rows.sort((a, b) => a.bucket - b.bucket || a.series.id - b.series.id)))
        expect(await minutes(migrated), id).toEqual(await minutes(live))
      }
      expect((await migrated.rawRows('alpha', Math.floor(NOW / MIN) * MIN - 2 * MIN, Math.floor(NOW / MIN) * MIN - MIN)).length).toBeGreaterThan(97)
      // each block says how many points it holds
      expect((await migrated.sql('SELECT sum(points) AS n FROM metric_blocks')).map((r) => Number(r.n))).toEqual([points.length])
      await dialect.after(migrated)
    } finally {
      await migrated.close()
      await live.close()
    }
  })
}

describe('raw points packed into blocks (version 24)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mcpdir-blocks-migration-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  migrationTest('SQLite', {
    ...sqliteDialect(join(dir, 'old.db'), BEFORE),
    async after(store) {
      expect(await store.sql("SELECT name FROM sqlite_master WHERE name = 'metric_points'")).toEqual([])
    },
  })

  if (requirePostgres()) {
    const postgres = postgresDialect('blocks_migration', BEFORE, NOW)
    afterAll(() => postgres.stop())
    migrationTest('PostgreSQL', {
      ...postgres,
      async old() {
        const old = await postgres.old()
        await old.exec('ALTER TABLE metric_points ENABLE ROW LEVEL SECURITY')
        return old
      },
      async after(store) {
        expect(await store.sql("SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = 'metric_points'")).toEqual([{ n: 0 }])
        // blocks in their day's partition; the one from long ago in the DEFAULT partition; RLS kept on
        const inDay = await store.sql(`SELECT count(*)::int AS n FROM ${partitionName('metric_blocks', dayStart(NOW - DAY))}`)
        expect(inDay[0]?.n).toBeGreaterThan(0)
        expect(await store.sql('SELECT server_id FROM metric_blocks_default')).toEqual([{ server_id: 'beta' }])
        expect(await store.sql("SELECT relrowsecurity AS on FROM pg_class WHERE relname = 'metric_blocks'")).toEqual([{ on: true }])
      },
    })
  }
})
