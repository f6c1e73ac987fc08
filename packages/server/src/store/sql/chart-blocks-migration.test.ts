// The migration that backfills chart rows (version 25), in both dialects: a database at the schema before it,
// holding tier rows as version 24 wrote them (several servers, every tier, counters of every
// outcome class, timers with sketches, more buckets than one read window, a day long ago), gets a chart row per
// server, tier, bucket and chart group, each equal to the group's tier rows merged (chart-reference.ts).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Sketch, TIER_MS } from '@mcpdir/metrics/protocol'
import { afterAll, describe, expect, it } from 'vitest'
import { requirePostgres } from '../../testing/postgres-cluster'
import { expectChartOf } from '../conformance/chart-reference'
import { type MigrationDialect, postgresDialect, seededRandom, sqliteDialect, type StoreWithSql } from './migration-test-dialects'

const BEFORE = 24
const NOW = Date.parse('2026-03-10T12:07:30.000Z')
const DAY = TIER_MS['1d']
const SERVERS = ['alpha', 'beta', 'gamma', 'idle']
/** The tiers at version 24 (`1w` came with version 27, rolled up from `1d`: week-tier-migration.test.ts). */
const TIERS = ['1m', '5m', '15m', '1h', '6h', '1d'] as const
const SERIES = [
  { name: 'mcp.tool.calls', type: 'counter', tags: { outcome: 'ok', tool: 'a' } },
  { name: 'mcp.tool.calls', type: 'counter', tags: { outcome: 'ok', tool: 'b' } },
  { name: 'mcp.tool.calls', type: 'counter', tags: { outcome: 'error', tool: 'a' } },
  { name: 'mcp.tool.calls', type: 'counter', tags: { outcome: 'timeout', tool: 'b' } },
  { name: 'mcp.tool.calls', type: 'counter', tags: { outcome: 'client_error', tool: 'a' } },
  { name: 'mcp.tool.duration', type: 'timer', tags: { tool: 'a' } },
  { name: 'mcp.tool.duration', type: 'timer', tags: { tool: 'b' } },
  { name: 'heap', type: 'gauge', tags: {} },
] as const
/** How far back each tier is written: the 1- and 5-minute tiers over more buckets than the backfill reads at once. */
const SPAN: Record<string, number> = { '1m': 0.4 * DAY, '5m': 2.5 * DAY, '15m': 2 * DAY, '1h': 5 * DAY, '6h': 20 * DAY, '1d': 60 * DAY }

type Dialect = MigrationDialect & { after(store: StoreWithSql): Promise<void> }

function migrationTest(name: string, dialect: Dialect) {
  it(`${name}: packs every tier bucket's rows into its chart rows, merged per chart group`, async () => {
    const random = seededRandom(20261124)
    const old = await dialect.old()
    let expectedBlocks = 0
    try {
      let seriesId = 0
      for (const id of SERVERS) {
        await old.exec('INSERT INTO servers (id, name, created_at) VALUES (?, ?, ?)', [id, id, NOW - 400 * DAY])
        if (id === 'idle') continue
        const ids: number[] = []
        for (const s of SERIES) {
          await old.exec('INSERT INTO series (server_id, name, type, tags) VALUES (?, ?, ?, ?)', [id, s.name, s.type, JSON.stringify(s.tags)])
          ids.push(++seriesId)
        }
        for (const tier of TIERS) {
          const width = TIER_MS[tier]
          const buckets = new Set<number>()
          const starts = [NOW - 400 * DAY, ...Array.from({ length: Math.floor((SPAN[tier] as number) / width) }, (_, i) => Math.floor((NOW - (SPAN[tier] as number)) / width) * width + i * width)]
          for (const start of starts) {
            const bucket = Math.floor(start / width) * width
            for (const [i, s] of SERIES.entries()) {
              if (random() < 0.3) continue // not every series in every bucket
              buckets.add(bucket)
              const v = Math.round(random() * 400) / 4
              const sketch = s.type === 'timer' ? Buffer.from(Sketch.of([v, v + 1.5, v * 3]).toBytes()) : null
              await old.exec(`INSERT INTO rollup_${tier} (series_id, bucket, count, sum, min, max, last, last_ts, sketch) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
                ids[i], bucket, 3, 3 * v, v, 3 * v, v, bucket + Math.floor(random() * width), sketch,
              ])
            }
          }
          expectedBlocks += buckets.size
        }
      }
    } finally {
      await old.close()
    }

    const store = await dialect.store(false)
    try {
      for (const id of SERVERS) {
        for (const tier of TIERS) {
          const tierRows = await store.tierRows(id, tier, 0, NOW + DAY)
          const chart = await store.chartRows(id, tier, 0, NOW + DAY)
          expect(tierRows.length > 0, `${id} ${tier}`).toBe(id !== 'idle')
          expectChartOf(chart, tierRows, `${id} ${tier}`)
        }
      }
      expect((await store.sql("SELECT count(*) AS n FROM chart_blocks WHERE tier <> '1w'")).map((r) => Number(r.n))).toEqual([expectedBlocks])
      await dialect.after(store)
    } finally {
      await store.close()
    }
  })
}

describe('chart rows backfilled from the tiers (version 25)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mcpdir-charts-migration-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  migrationTest('SQLite', { ...sqliteDialect(join(dir, 'old.db'), BEFORE), async after() {} })

  if (requirePostgres()) {
    const postgres = postgresDialect('charts_migration', BEFORE, NOW)
    afterAll(() => postgres.stop())
    migrationTest('PostgreSQL', {
      ...postgres,
      async old() {
        const old = await postgres.old()
        for (const tier of TIERS) await old.exec(`ALTER TABLE rollup_${tier} ENABLE ROW LEVEL SECURITY`)
        return old
      },
      async after(store) {
        // RLS on where the tiers had it
        expect(await store.sql("SELECT relrowsecurity AS on FROM pg_class WHERE relname = 'chart_blocks'")).toEqual([{ on: true }])
      },
    })
  }
})
