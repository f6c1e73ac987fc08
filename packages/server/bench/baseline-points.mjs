// The plain baseline the query benchmarks compare with: the raw points as one row each in a table indexed by
// (series, time), as a simple design (and this service before version 24) keeps them, and a GROUP BY over the
// points of one server and period. The service keeps raw points packed (and never reads them for a report), so
// the benchmark writes this table itself, in its own SQLite file, and copies it into PostgreSQL for that side.
import Database from 'better-sqlite3'

const SCHEMA = {
  sqlite: `CREATE TABLE series (id INTEGER PRIMARY KEY, server_id TEXT NOT NULL);
    CREATE TABLE raw_points (id INTEGER PRIMARY KEY, series_id INTEGER NOT NULL, timestamp INTEGER NOT NULL, count REAL NOT NULL, sum REAL NOT NULL,
      min REAL NOT NULL, max REAL NOT NULL, last REAL NOT NULL, sketch BLOB);`,
  postgres: `CREATE TABLE baseline_series (id BIGINT PRIMARY KEY, server_id TEXT NOT NULL);
    CREATE TABLE baseline_points (id BIGINT PRIMARY KEY, series_id BIGINT NOT NULL, timestamp BIGINT NOT NULL, count FLOAT8 NOT NULL, sum FLOAT8 NOT NULL,
      min FLOAT8 NOT NULL, max FLOAT8 NOT NULL, last FLOAT8 NOT NULL, sketch BYTEA);`,
}
const INDEX = {
  sqlite: 'CREATE INDEX raw_points_series_time ON raw_points(series_id, timestamp)',
  postgres: 'CREATE INDEX baseline_points_series_time ON baseline_points(series_id, timestamp)',
}

/** A baseline file at `path`: `series(id, server)`, then `point(...)` per raw point, then `close()` (indexes it). */
export function baselineWriter(path) {
  const db = new Database(path)
  // a scratch file the benchmark rebuilds every run: no journal, no syncs
  db.pragma('journal_mode = OFF')
  db.pragma('synchronous = OFF')
  db.exec(SCHEMA.sqlite)
  const series = db.prepare('INSERT INTO series (id, server_id) VALUES (?, ?)')
  const point = db.prepare('INSERT INTO raw_points (series_id, timestamp, count, sum, min, max, last, sketch) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
  let pending = 0
  db.exec('BEGIN')
  return {
    series: (id, serverId) => series.run(id, serverId),
    point(...values) {
      point.run(...values)
      if (++pending === 500_000) {
        db.exec('COMMIT')
        db.exec('BEGIN')
        pending = 0
      }
    },
    close() {
      db.exec('COMMIT')
      db.exec(INDEX.sqlite)
      db.exec('ANALYZE')
      db.close()
    },
  }
}

/** The GROUP BY: points of one server and period grouped by series and bucket. */
export function groupBySql(dialect, bucketMs) {
  const [series, points, [a, b, c]] = dialect === 'sqlite' ? ['series', 'raw_points', ['?', '?', '?']] : ['baseline_series', 'baseline_points', ['$1', '$2', '$3']]
  // CROSS JOIN keeps SQLite to series first, then each series' points by the index
  return `SELECT p.series_id, p.timestamp / ${bucketMs} AS b, count(*) AS n, sum(p.sum) AS s, min(p.min) AS lo, max(p.max) AS hi
          FROM ${series} s CROSS JOIN ${points} p WHERE p.series_id = s.id AND s.server_id = ${a} AND p.timestamp >= ${b} AND p.timestamp < ${c}
          GROUP BY p.series_id, b`
}

/** Copies the baseline file at `path` into PostgreSQL (`pool`), 5 000 rows a statement; answers rows copied. */
export async function copyBaselineToPostgres(path, pool) {
  const db = new Database(path, { readonly: true })
  try {
    await pool.query(SCHEMA.postgres)
    for (const { id, server_id } of db.prepare('SELECT id, server_id FROM series').iterate()) {
      await pool.query('INSERT INTO baseline_series (id, server_id) VALUES ($1, $2)', [id, server_id])
    }
    let rows = []
    let copied = 0
    const flush = async () => {
      if (rows.length === 0) return
      const columns = Array.from({ length: 9 }, (_, c) => rows.map((r) => r[c]))
      await pool.query(
        `INSERT INTO baseline_points SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::float8[], $5::float8[], $6::float8[], $7::float8[], $8::float8[], $9::bytea[])`,
        columns,
      )
      copied += rows.length
      rows = []
    }
    for (const row of db.prepare('SELECT id, series_id, timestamp, count, sum, min, max, last, sketch FROM raw_points').raw().iterate()) {
      rows.push(row)
      if (rows.length === 5_000) await flush()
    }
    await flush()
    await pool.query(INDEX.postgres)
    await pool.query('ANALYZE baseline_series, baseline_points')
    return copied
  } finally {
    db.close()
  }
}
