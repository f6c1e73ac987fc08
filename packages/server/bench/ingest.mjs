// Ingest throughput: signed, SDK-sized batches (500 points and a heartbeat) from concurrent senders, through HTTP into the
// real service (a child process), beside the raw ceiling measured in the same run: a bare prepared insert of
// the same rows in one transaction (SQLite), or one multi-row insert (PostgreSQL); the two take turns, three
// rounds each, and the figures are their medians.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSignatureHeaders, ROUTES, Sketch } from '@mcpdir/metrics/protocol'
import Database from 'better-sqlite3'
import pg from 'pg'
import { Agent, request } from 'undici'
import { openStore } from '../dist/index.js'
import { CLI, startService } from '../dist/testing.js'

const full = process.env.BENCH_PROFILE === 'full'
const BATCHES = full ? 2_000 : 400
const POINTS = 500
const SENDERS = 8
const SERIES = 50

/**
 * One SDK-like window of a 500-series server: counters with tags, gauges, and timers with sketches. Batch b
 * is its server's window number b / SENDERS, 10 s apart going back from now, as an SDK would have sent them
 * (so rollups see the minutes they would see in a real deployment, not 100 000 points in one minute).
 */
const windowOf = (b, now) => now - Math.floor(b / SENDERS) * 10_000

function batchPoints(b, now) {
  const at = windowOf(b, now)
  const points = []
  for (let i = 0; i < POINTS; i++) {
    const series = i % SERIES
    // keys in sorted order, as the SDK sends them (its canonical tags)
    const tags = { client: 'claude-ai', outcome: series % 7 === 0 ? 'error' : 'ok', tool: `tool-${series % 10}` }
    const kind = series % 3
    if (kind === 0) points.push({ name: 'mcp.tool.calls', type: 'counter', count: 3, sum: 3, tags, timestamp: at })
    else if (kind === 1) points.push({ name: 'process.heap_mb', type: 'gauge', count: 2, sum: 200, min: 90, max: 110, last: 110, tags, timestamp: at })
    else {
      const values = [12 + series, 40 + series, 95 + series]
      points.push({ name: 'mcp.tool.duration', type: 'timer', count: 3, sum: values.reduce((a, v) => a + v, 0), min: values[0], max: values[2], sketch: Sketch.of(values).toJSON(), tags, timestamp: at })
    }
  }
  return points
}

/** Each sender is its own MCP server (its own key), as in a real deployment. */
async function throughput(url, servers) {
  const now = Date.now()
  const prepared = []
  for (let b = 0; b < BATCHES; b++) {
    const { id, creds } = servers[b % servers.length]
    // each with the heartbeat an SDK's flush sends
    const body = JSON.stringify({ server_id: id, batch_id: `bench-${b}-${now}`, metrics: batchPoints(b, now), events: [{ type: 'heartbeat', timestamp: windowOf(b, now) }] })
    const headers = await createSignatureHeaders({ secrets: creds.signing_secret, id: `bench-${b}-${now}`, body })
    // bytes, not a string: the load generator must not be what limits the measurement
    prepared.push({ body: Buffer.from(body), headers: { ...headers, 'x-api-key': creds.api_key, 'content-type': 'application/json' } })
  }
  const agent = new Agent({ connections: SENDERS, pipelining: 1 })
  let next = 0
  let failed = 0
  const start = process.hrtime.bigint()
  await Promise.all(
    Array.from({ length: SENDERS }, async () => {
      while (next < prepared.length) {
        const { body, headers } = prepared[next++]
        const response = await request(`${url}${ROUTES.metricsCollect}`, { method: 'POST', body, headers, dispatcher: agent })
        await response.body.dump()
        if (response.statusCode !== 200) failed++
      }
    }),
  )
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  await agent.close()
  if (failed > 0) throw new Error(`${failed} batches were refused`)
  return { pointsPerSecond: Math.round((BATCHES * POINTS) / seconds), batchesPerSecond: Math.round(BATCHES / seconds) }
}

function rowsOf(now) {
  const rows = []
  for (let b = 0; b < BATCHES; b++) {
    for (const p of batchPoints(b, now)) {
      rows.push(['srv', p.name, p.type, JSON.stringify(p.tags), p.timestamp, p.count, p.sum, p.min ?? p.sum, p.max ?? p.sum, p.last ?? p.sum, p.sketch ? JSON.stringify(p.sketch) : null, now])
    }
  }
  return rows
}

function sqliteCeiling(dir, round) {
  const db = new Database(join(dir, `ceiling-${round}.db`))
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.exec(`CREATE TABLE server_metrics (id INTEGER PRIMARY KEY, server_id TEXT, name TEXT, type TEXT, tags TEXT, timestamp INTEGER,
    count REAL, sum REAL, min REAL, max REAL, last REAL, sketch TEXT, received_at INTEGER);
    CREATE INDEX server_metrics_server_time ON server_metrics(server_id, timestamp);`)
  const rows = rowsOf(Date.now())
  const insert = db.prepare('INSERT INTO server_metrics (server_id, name, type, tags, timestamp, count, sum, min, max, last, sketch, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
  const start = process.hrtime.bigint()
  db.transaction(() => {
    for (const row of rows) insert.run(...row)
  })()
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  db.close()
  return { pointsPerSecond: Math.round(rows.length / seconds) }
}

async function pgCeiling(connectionString, round) {
  const client = new pg.Client({ connectionString })
  await client.connect()
  await client.query(`CREATE TABLE ceiling_${round} (id BIGSERIAL PRIMARY KEY, server_id TEXT, name TEXT, type TEXT, tags TEXT, timestamp BIGINT,
    count FLOAT8, sum FLOAT8, min FLOAT8, max FLOAT8, last FLOAT8, sketch TEXT, received_at BIGINT);
    CREATE INDEX ceiling_${round}_time ON ceiling_${round}(server_id, timestamp);`)
  const rows = rowsOf(Date.now())
  const start = process.hrtime.bigint()
  await client.query('BEGIN')
  for (let i = 0; i < rows.length; i += POINTS) {
    const chunk = rows.slice(i, i + POINTS)
    const columns = Array.from({ length: 12 }, (_, c) => chunk.map((r) => r[c]))
    await client.query(
      `INSERT INTO ceiling_${round} (server_id, name, type, tags, timestamp, count, sum, min, max, last, sketch, received_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::float8[], $7::float8[], $8::float8[], $9::float8[], $10::float8[], $11::text[], $12::bigint[])`,
      columns,
    )
  }
  await client.query('COMMIT')
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  await client.end()
  return { pointsPerSecond: Math.round(rows.length / seconds) }
}

const ROUNDS = 5
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

/**
 * The service's throughput and the ceiling, measured in turns (ROUNDS each), so a stretch of noise on the host
 * weighs on both sides alike; each figure is the median of its rounds, the share the median of the rounds' shares.
 */
async function rounds(service, ceiling) {
  const measured = []
  for (let round = 0; round < ROUNDS; round++) {
    const ours = await service()
    const bare = await ceiling(round)
    measured.push({ ...ours, ceilingPointsPerSecond: bare.pointsPerSecond, shareOfCeiling: Math.round((ours.pointsPerSecond / bare.pointsPerSecond) * 100) / 100 })
  }
  return {
    pointsPerSecond: median(measured.map((r) => r.pointsPerSecond)),
    batchesPerSecond: median(measured.map((r) => r.batchesPerSecond)),
    ceilingPointsPerSecond: median(measured.map((r) => r.ceilingPointsPerSecond)),
    shareOfCeiling: median(measured.map((r) => r.shareOfCeiling)),
    rounds: measured,
  }
}

function register(target) {
  return Array.from({ length: SENDERS }, (_, i) => {
    const id = `bench-${i}`
    const out = spawnSync(process.execPath, [CLI, 'servers', 'add', id, '--json', ...target], { encoding: 'utf8' })
    return { id, creds: JSON.parse(out.stdout) }
  })
}

export async function benchIngest({ postgresUrl } = {}) {
  const results = {}
  const dir = mkdtempSync(join(tmpdir(), 'mcpdir-bench-'))
  try {
    const service = await startService({ args: ['--ingest-rate', '100000'] })
    try {
      const servers = register(['--db', service.dbPath])
      await throughput(service.url, servers) // warm-up run (JIT, page cache), then the measured ones
      results.sqlite = await rounds(() => throughput(service.url, servers), (round) => sqliteCeiling(dir, round))
    } finally {
      await service.stop()
    }
    if (postgresUrl) {
      const store = await openStore(postgresUrl)
      await store.close()
      const service = await startService({ args: ['--database-url', postgresUrl, '--ingest-rate', '100000'] })
      try {
        const servers = register(['--database-url', postgresUrl])
        await throughput(service.url, servers)
        results.postgres = await rounds(() => throughput(service.url, servers), (round) => pgCeiling(postgresUrl, round))
      } finally {
        await service.stop()
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  results.batchPoints = POINTS
  results.senders = SENDERS
  results.batches = BATCHES
  return results
}

