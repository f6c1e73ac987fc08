// The metric programs on a real SQLite database, where a test can reach into the series cache between statements.
import Database from 'better-sqlite3'
import type { MetricPoint } from '@mcpdir/metrics/protocol'
import { describe, expect, it } from 'vitest'
import { executor, migrateSqlite, SQLITE_FRAGMENTS } from '../sqlite/sqlite-store'
import { metricStatements } from './metric-statements'
import { metricsSql } from './metrics-sql'
import { driveSync } from './program'
import { SeriesCache } from './series-cache'
import { statements } from './statements'

const T0 = Date.parse('2026-03-10T12:00:00.000Z')
const point = (name: string, sum: number): MetricPoint => ({ name, type: 'counter', tags: {}, timestamp: T0, count: 1, sum, min: sum, max: sum, last: sum })

describe('metricsSql', () => {
  it('files every point under its own series when the cache forgets the server while the batch waits on the database', () => {
    // On PostgreSQL, another ingest of the server may roll back (and so forget its ids) while this one waits for
    // its new series to be read back.
    const db = new Database(':memory:')
    db.pragma('foreign_keys = ON')
    migrateSqlite(db)
    db.prepare(statements(SQLITE_FRAGMENTS).insertServer).run('s', 's', 0, 0, T0)
    const cache = new SeriesCache()
    const metrics = metricsSql(SQLITE_FRAGMENTS, cache)
    const execute = executor(db)
    // k1 is known: what the first batch read back is remembered, as the store does once it has committed
    cache.rememberIds('s', T0, driveSync(metrics.storePoints('s', T0, [point('k1', 1)]), execute))

    const { seriesByName } = metricStatements(SQLITE_FRAGMENTS)
    let forgotten = 0
    const read = driveSync(metrics.storePoints('s', T0, [point('k2', 2), point('k1', 3)]), (op) => {
      if (op.kind === 'all' && op.sql === seriesByName) {
        cache.forgetServer('s')
        forgotten++
      }
      return execute(op)
    })
    expect(forgotten).toBe(1)
    // nothing new was put in the cache while the transaction ran: it is for the caller, after the commit
    expect(cache.idsOf('s', T0).size).toBe(0)
    expect(read.map((s) => s.name)).toEqual(['k2'])
    const rows = db.prepare('SELECT s.name, r.count, r.sum FROM rollup_1m r JOIN series s ON s.id = r.series_id ORDER BY s.name').all()
    expect(rows).toEqual([
      { name: 'k1', count: 2, sum: 4 },
      { name: 'k2', count: 1, sum: 2 },
    ])
  })
})
