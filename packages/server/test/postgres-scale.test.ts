// PostgreSQL for self-hosters who outgrow one machine: the CLI on --database-url, two service replicas
// sharing one database under concurrent SDK senders, and `migrate` from SQLite.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createMetrics, type Metrics } from '@mcpdir/metrics'
import { createSignatureHeaders, type MetricsFetchResponse, PERIODS, ROUTES, TIERS } from '@mcpdir/metrics/protocol'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../src/app/create-app'
import { hashKey } from '../src/credentials/keys'
import { openStore } from '../src/store/open-store'
import { blockPoints } from '../src/store/sql/point-block'
import { CLI, type RunningService, startService } from '../src/testing'
import { type PgCluster, requirePostgres, startPostgres } from '../src/testing/postgres-cluster'

const run = requirePostgres()
let cluster: PgCluster
const ADMIN = 'scale-admin-key-0123456789'

beforeAll(() => {
  if (run) cluster = startPostgres()
})
afterAll(() => cluster?.stop())

const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' })
const addServer = (id: string, target: string[]) => JSON.parse(cli('servers', 'add', id, '--json', ...target).stdout) as { api_key: string; signing_secret: string }

async function report(url: string, id: string, period = '1h') {
  const response = await fetch(`${url}/functions/v1/metrics-fetch?server_id=${id}&period=${period}`, { headers: { authorization: `Bearer ${ADMIN}` } })
  return (await response.json()) as MetricsFetchResponse
}

/** Every period's metrics-fetch answer from the database at `url`, read in-process at the instant `now`. */
async function reportsAt(url: string, id: string, now: number): Promise<Record<string, MetricsFetchResponse>> {
  const store = await openStore(url)
  const app = createApp({ store, clock: () => now, backgroundJobs: false, config: { adminKeyHash: hashKey(ADMIN) } })
  try {
    const out: Record<string, MetricsFetchResponse> = {}
    for (const period of PERIODS) {
      const response = await app.request(`${ROUTES.metricsFetch}?server_id=${id}&period=${period}`, { headers: { authorization: `Bearer ${ADMIN}` } })
      out[period] = (await response.json()) as MetricsFetchResponse
    }
    return out
  } finally {
    app.stop()
    await store.close()
  }
}

const summaryOf = (r: MetricsFetchResponse, name: string) => r.metrics.find((m) => m.name === name)?.summary

describe.runIf(run)('PostgreSQL scale-out', () => {
  it('two replicas, concurrent SDK senders: exact totals in raw points and every tier', async () => {
    const url = cluster.createDatabase('scale')
    const target = ['--database-url', url]
    const replicas: RunningService[] = []
    const senders: Metrics[] = []
    try {
      replicas.push(await startService({ args: target, env: { MCPDIR_ADMIN_KEY: ADMIN } }))
      replicas.push(await startService({ args: target, env: { MCPDIR_ADMIN_KEY: ADMIN } }))
      const servers = ['alpha', 'beta'].map((id) => ({ id, creds: addServer(id, target) }))
      for (let i = 0; i < 6; i++) {
        const { id, creds } = servers[i % 2] as (typeof servers)[number]
        senders.push(
          createMetrics({
            serverId: id,
            apiKey: creds.api_key,
            signingSecret: creds.signing_secret,
            endpoint: (replicas[i % 2] as RunningService).url,
            flushIntervalMs: 60_000,
            maxBatchPoints: 5,
            handleProcessEvents: false,
            spool: false,
            env: {},
          }),
        )
      }
      // record and flush in rounds, while both replicas roll up (every fetch rolls up pending minutes)
      for (let round = 0; round < 10; round++) {
        senders.forEach((m, i) => {
          for (let k = 0; k < 20; k++) m.counter('work.done', { shard: String(k % 7) }).inc(i + 1)
          m.timer('work.ms', { sender: String(i) }).record(10 * (round + 1))
        })
        await Promise.all([...senders.map((m) => m.flush()), ...replicas.flatMap((r) => servers.map((s) => report(r.url, s.id)))])
      }
      // alpha got senders 0, 2, 4 (inc 1, 3, 5), beta senders 1, 3, 5 (inc 2, 4, 6): 20 incs per round, 10 rounds
      const expected = { alpha: (1 + 3 + 5) * 20 * 10, beta: (2 + 4 + 6) * 20 * 10 }
      // Rollups a replica is still writing become visible to the other within moments: read until they agree.
      for (const replica of replicas) {
        for (const { id } of servers) {
          await expect
            .poll(async () => {
              const r = await report(replica.url, id)
              return [summaryOf(r, 'work.done')?.sum, summaryOf(r, 'work.ms')?.count, summaryOf(r, 'work.ms')?.sum]
            }, { timeout: 10_000, interval: 100 })
            .toEqual([expected[id as 'alpha' | 'beta'], 30, 3 * 550])
        }
      }
      // a read of a coarser tier rolls up what the replica has pending (1h reads the 1m rows merged at ingest)
      for (const replica of replicas) for (const { id } of servers) await report(replica.url, id, '1d')
      const db = new pg.Client({ connectionString: url })
      await db.connect()
      try {
        const totals = async (sql: string) => (await db.query(sql)).rows.map((row) => [row.server_id, Number(row.total)])
        const sumOf = (table: string) =>
          totals(`SELECT s.server_id, sum(t.sum) AS total FROM ${table} t JOIN series s ON s.id = t.series_id WHERE s.name = 'work.done' GROUP BY 1 ORDER BY 1`)
        // raw points are packed: unpack the blocks
        const workDone = new Set((await db.query("SELECT id FROM series WHERE name = 'work.done'")).rows.map((r) => Number(r.id)))
        const rawTotals = new Map<string, number>()
        for (const { server_id, data } of (await db.query<{ server_id: string; data: Buffer }>('SELECT server_id, data FROM metric_blocks')).rows) {
          for (const p of blockPoints(data)) if (workDone.has(p.seriesId)) rawTotals.set(server_id, (rawTotals.get(server_id) ?? 0) + p.sum)
        }
        const raw = [...rawTotals].sort(([a], [b]) => a.localeCompare(b))
        expect(raw).toEqual([['alpha', expected.alpha], ['beta', expected.beta]])
        for (const tier of TIERS) expect(await sumOf(`rollup_${tier}`), tier).toEqual(raw)
        expect((await db.query('SELECT count(*) AS n FROM rollup_dirty')).rows[0].n).toBe('0')
      } finally {
        await db.end()
      }
    } finally {
      await Promise.all(senders.map((m) => m.shutdown()))
      await Promise.all(replicas.map((r) => r.stop()))
    }
  })

  it('migrates a SQLite database into PostgreSQL: the same answers from both', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcpdir-migrate-'))
    const sqlite = await startService({ env: { MCPDIR_ADMIN_KEY: ADMIN }, dir })
    const creds = addServer('moved', ['--db', sqlite.dbPath])
    cli('servers', 'add', 'hidden', '--private', '--db', sqlite.dbPath)
    const now = Date.now()
    const body = JSON.stringify({
      server_id: 'moved',
      metrics: Array.from({ length: 30 }, (_, i) => ({ name: 'm.lat', type: 'timer', value: 10 + i, timestamp: now - i * 60_000 })),
      events: [{ type: 'deployment', details: { version: '2' } }, { type: 'heartbeat' }],
    })
    const headers = await createSignatureHeaders({ secrets: creds.signing_secret, id: 'mig-1', body })
    expect((await fetch(`${sqlite.url}/functions/v1/metrics-collect`, { method: 'POST', body, headers: { ...headers, 'x-api-key': creds.api_key } })).status).toBe(200)
    await fetch(`${sqlite.url}/functions/v1/usage-track`, { method: 'POST', body: JSON.stringify({ serverId: 'moved', action: 'install' }), headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0' } })
    const dbPath = sqlite.dbPath
    expect(await sqlite.stop()).toBe(0)
    // Both sides are read in-process at one fixed instant: reports depend on the clock (availability counts
    // ended minutes), so reading each side when it happens to run would differ across a minute boundary.
    const at = now + 120_000
    const before = await reportsAt(dbPath, 'moved', at)

    const url = cluster.createDatabase('migrated')
    const migrated = cli('migrate', '--from', dbPath, '--to', url)
    expect(migrated.stderr).toContain('migrated')
    expect(migrated.status).toBe(0)
    expect(cli('migrate', '--from', dbPath, '--to', url).status).toBe(1) // not into a database that has servers
    // and vacuumed and analyzed: the planner has statistics, index-only scans a visibility map
    const stats = new pg.Client({ connectionString: url })
    await stats.connect()
    try {
      const { rows } = await stats.query("SELECT relname, vacuum_count, analyze_count FROM pg_stat_user_tables WHERE relname IN ('servers', 'heartbeat_hours', 'rollup_1d') ORDER BY relname")
      expect(rows.map((r) => [r.relname, Number(r.vacuum_count) > 0, Number(r.analyze_count) > 0])).toEqual([
        ['heartbeat_hours', true, true],
        ['rollup_1d', true, true],
        ['servers', true, true],
      ])
    } finally {
      await stats.end()
    }

    const after = await reportsAt(url, 'moved', at)
    expect(after).toEqual(before)
    expect(before['1h']?.availability).toBeGreaterThan(0)
    expect(before['1h']?.events.map((e) => e.type)).toEqual(['deployment'])

    const postgres = await startService({ args: ['--database-url', url], env: { MCPDIR_ADMIN_KEY: ADMIN } })
    try {
      // keys came along: the ingest key still works, and a replay is still recognised
      const again = await fetch(`${postgres.url}/functions/v1/metrics-collect`, { method: 'POST', body, headers: { ...headers, 'x-api-key': creds.api_key } })
      expect(await again.json()).toMatchObject({ duplicate: true })
      expect(JSON.parse(cli('servers', 'list', '--json', '--database-url', url).stdout).map((s: { id: string }) => s.id)).toEqual(['hidden', 'moved'])
    } finally {
      await postgres.stop()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
