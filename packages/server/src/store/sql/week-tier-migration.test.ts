// The migration that adds the `1w` tier (version 27), in both dialects: a database at the schema before it, holding
// `1d` rows as version 26 wrote them (several servers and series, days over many more weeks than one read window, gaps,
// a day long ago), gets one `1w` row per series and week with days, each equal to those days merged, and their
// chart rows (chart-reference.ts).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Sketch, TIER_MS } from '@mcpdir/metrics/protocol'
import { afterAll, describe, expect, it } from 'vitest'
import type { AggregateRow } from '../../query/aggregations'
import { requirePostgres } from '../../testing/postgres-cluster'
import { expectChartOf, mergedBy } from '../conformance/chart-reference'
import { type MigrationDialect, postgresDialect, seededRandom, sqliteDialect, type StoreWithSql } from './migration-test-dialects'

const BEFORE = 26
const NOW = Date.parse('2026-03-10T12:07:30.000Z')
const DAY = TIER_MS['1d']
const WEEK = 7 * DAY
const SERVERS = ['alpha', 'beta', 'idle']
const SERIES = [
  { name: 'mcp.tool.calls', type: 'counter', tags: { outcome: 'ok', tool: 'a' } },
  { name: 'mcp.tool.calls', type: 'counter', tags: { outcome: 'error', tool: 'b' } },
  { name: 'mcp.tool.duration', type: 'timer', tags: { tool: 'a' } },
  { name: 'mcp.tool.duration', type: 'timer', tags: { tool: 'b' } },
  { name: 'heap', type: 'gauge', tags: {} },
] as const

type Dialect = MigrationDialect & { after(store: StoreWithSql): Promise<void> }

/** Day rows as the week each lies in, in day order: what a week's row must merge to. */
const asWeeks = (days: readonly AggregateRow[]) => [...days].sort((a, b) => a.bucket - b.bucket).map((r) => ({ ...r, bucket: Math.floor(r.bucket / WEEK) * WEEK }))
const bySeriesAndWeek = (r: AggregateRow) => `${r.series.id}|${r.bucket}`

function migrationTest(name: string, dialect: Dialect) {
  it(`${name}: rolls every series' days up into their weeks, with the weeks' chart rows`, async () => {
    const random = seededRandom(20261125)
    const old = await dialect.old()
    try {
      let seriesId = 0
      for (const id of SERVERS) {
        await old.exec('INSERT INTO servers (id, name, created_at) VALUES (?, ?, ?)', [id, id, NOW - 500 * DAY])
        if (id === 'idle') continue
        const ids: number[] = []
        for (const s of SERIES) {
          await old.exec('INSERT INTO series (server_id, name, type, tags) VALUES (?, ?, ?, ?)', [id, s.name, s.type, JSON.stringify(s.tags)])
          ids.push(++seriesId)
        }
        // 420 days (many more weeks than the backfill reads at once), a 30-day gap, and one day long ago
        const days = [Math.floor((NOW - 480 * DAY) / DAY) * DAY, ...Array.from({ length: 420 }, (_, i) => Math.floor(NOW / DAY) * DAY - i * DAY)]
        for (const day of days) {
          if (day < NOW - 200 * DAY && day > NOW - 230 * DAY) continue
          for (const [i, s] of SERIES.entries()) {
            if (random() < 0.3) continue // not every series every day
            // quarters, so sums come out exact in any order
            const v = Math.round(random() * 400) / 4
            const sketch = s.type === 'timer' ? Buffer.from(Sketch.of([v, v + 1.5, v * 3]).toBytes()) : null
            await old.exec('INSERT INTO rollup_1d (series_id, bucket, count, sum, min, max, last, last_ts, sketch) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)', [
              ids[i], day, 3, 3 * v, v, 3 * v, v + 0.25, day + Math.floor(random() * DAY), sketch,
            ])
          }
        }
      }
    } finally {
      await old.close()
    }

    const store = await dialect.store(false)
    try {
      for (const id of SERVERS) {
        const days = await store.tierRows(id, '1d', 0, NOW + WEEK)
        const weeks = await store.tierRows(id, '1w', 0, NOW + WEEK)
        expect(days.length > 0, id).toBe(id !== 'idle')
        expect(weeks.every((r) => r.bucket % WEEK === 0), id).toBe(true)
        expect(mergedBy(weeks, bySeriesAndWeek), id).toEqual(mergedBy(asWeeks(days), bySeriesAndWeek))
        expectChartOf(await store.chartRows(id, '1w', 0, NOW + WEEK), weeks, `${id} 1w`)
      }
      // a week with days, in the gap, and the one long ago
      const alpha = await store.tierRows('alpha', '1w', 0, NOW + WEEK)
      expect(alpha.some((r) => r.bucket < NOW - 470 * DAY)).toBe(true)
      expect(alpha.some((r) => r.bucket > NOW - 222 * DAY && r.bucket < NOW - 208 * DAY)).toBe(false)
      await dialect.after(store)
    } finally {
      await store.close()
    }
  })
}

describe('the week tier rolled up from the days (version 27)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mcpdir-week-migration-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  migrationTest('SQLite', { ...sqliteDialect(join(dir, 'old.db'), BEFORE), async after() {} })

  if (requirePostgres()) {
    // RLS on rollup_1w exactly where rollup_1d had it
    for (const rls of [true, false]) {
      const postgres = postgresDialect(`week_migration_${rls ? 'rls' : 'plain'}`, BEFORE, NOW)
      afterAll(() => postgres.stop())
      migrationTest(`PostgreSQL${rls ? ' with RLS' : ''}`, {
        ...postgres,
        async old() {
          const old = await postgres.old()
          if (rls) await old.exec('ALTER TABLE rollup_1d ENABLE ROW LEVEL SECURITY')
          return old
        },
        async after(store) {
          expect(await store.sql("SELECT relrowsecurity AS on FROM pg_class WHERE relname = 'rollup_1w'")).toEqual([{ on: rls }])
        },
      })
    }
  }
})
