// The migration that builds usage aggregates from the raw rows already stored (version 20), in both dialects:
// a database at the schema before it, holding raw `server_usage` rows as release 0 wrote them, is migrated; every
// period's usage section then answers what release 0 answered from the raw rows at one fixed instant, and the
// aggregates are byte for byte those the live write path makes from the same rows.
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PERIODS, USAGE_ACTIONS, type UsageAction } from '@mcpdir/metrics/protocol'
import { afterAll, describe, expect, it } from 'vitest'
import { usageSection } from '../../query/usage-report'
import { periodWindow } from '../../query/server-report'
import { requirePostgres } from '../../testing/postgres-cluster'
import { expectUsageMatches, type RawUsage, referenceUsageReport } from '../conformance/usage-reference'
import { type MigrationDialect, postgresDialect, seededRandom, sqliteDialect } from './migration-test-dialects'

const BEFORE = 19
const NOW = Date.parse('2026-03-10T12:07:30.000Z')
const MIN = 60_000
const HOUR = 60 * MIN
const DAY = 24 * HOUR
const SERVERS = ['small', 'busy', 'edges', 'quiet']

/** Raw rows as release 0 stored them (visitor hashes 32 hex characters, rotating daily), seeded. */
function rawUsage(): (RawUsage & { serverId: string; toolId: string | null; details: string | null })[] {
  const random = seededRandom(20260310)
  const hash = (t: number, visitor: number) => createHash('sha256').update(`${new Date(t).toISOString().slice(0, 10)}:${visitor}`).digest('hex').slice(0, 32)
  const action = () => USAGE_ACTIONS[Math.floor(random() * 4)] as UsageAction
  const row = (serverId: string, t: number, visitor: number, a = action()) => ({
    serverId,
    action: a,
    toolId: a === 'invoke' ? 'search' : null,
    details: a === 'test' ? '{"ok":true}' : null,
    visitorHash: hash(t, visitor),
    timestamp: t,
  })
  const rows = []
  // a few visitors over 200 days (the oldest beyond any period), denser in the last hours
  for (let i = 0; i < 500; i++) rows.push(row('small', NOW - Math.floor(random() * random() * 200 * DAY), Math.floor(random() * 8)))
  // thousands of visitors a day: dense sketches, estimated counts
  for (let day = 0; day < 3; day++) {
    for (let v = 0; v < 1500; v++) rows.push(row('busy', NOW - day * DAY - Math.floor(random() * 3 * HOUR), v))
  }
  // on bucket and period edges of every width
  for (const width of [MIN, 5 * MIN, 10 * MIN, 15 * MIN, HOUR, 6 * HOUR, DAY]) {
    for (const k of [0, 1, 59, 60, 90, 179, 180]) {
      for (const delta of [-1, 0, 1]) rows.push(row('edges', Math.min(NOW, Math.floor(NOW / width) * width - k * width + delta), k % 3))
    }
  }
  return rows
}

const AGGREGATES = [
  'SELECT server_id, width, bucket, action, count FROM usage_counts ORDER BY server_id, width, bucket, action',
  'SELECT server_id, width, bucket, sketch FROM usage_visitors ORDER BY server_id, width, bucket',
]
const plain = (rows: Record<string, unknown>[]) => rows.map((r) => Object.values(r).map((v) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : Number.isFinite(Number(v)) ? Number(v) : v)))

function migrationTest(name: string, dialect: MigrationDialect) {
  it(`${name}: builds usage aggregates from the raw rows, answering every period as release 0 did`, async () => {
    const rows = rawUsage()
    const old = await dialect.old()
    const before = new Map<string, ReturnType<typeof referenceUsageReport>>()
    try {
      for (const id of SERVERS) await old.exec('INSERT INTO servers (id, name, created_at) VALUES (?, ?, ?)', [id, id, NOW - 400 * DAY])
      for (const r of rows) {
        await old.exec('INSERT INTO server_usage (server_id, action, tool_id, details, visitor_hash, timestamp) VALUES (?, ?, ?, ?, ?, ?)', [
          r.serverId, r.action, r.toolId, r.details, r.visitorHash, r.timestamp,
        ])
      }
      // release 0's answers: its statement over the raw rows, its usageReport
      for (const id of SERVERS) {
        for (const period of PERIODS) {
          const w = periodWindow(period, NOW)
          const raw = await old.exec('SELECT action, visitor_hash AS "visitorHash", timestamp FROM server_usage WHERE server_id = ? AND timestamp >= ? AND timestamp < ?', [id, w.previousFrom, w.to])
          before.set(`${id} ${period}`, referenceUsageReport(raw.map((r) => ({ ...(r as unknown as RawUsage), timestamp: Number(r.timestamp) })), w))
        }
      }
    } finally {
      await old.close()
    }
    expect(before.get('small 90d')?.totals.views).toBeGreaterThan(0)

    const migrated = await dialect.store(false)
    const live = await dialect.store(true)
    try {
      for (const id of SERVERS) {
        for (const period of PERIODS) expectUsageMatches(await usageSection(migrated, id, periodWindow(period, NOW)), before.get(`${id} ${period}`) as ReturnType<typeof referenceUsageReport>, `${id} ${period}`)
      }
      // the same rows through the write path of the service, in batches: the same aggregates, byte for byte
      for (const id of SERVERS) await live.createServer({ id, name: id, isPrivate: false, requireSignature: true }, { ingestKeyHash: id, ingestKeyPrefix: 'x', signingSecret: id }, NOW)
      for (let i = 0; i < rows.length; i += 700) await live.recordUsage(rows.slice(i, i + 700).map((r) => ({ serverId: r.serverId, action: r.action, visitorHash: r.visitorHash, timestamp: r.timestamp })))
      for (const query of AGGREGATES) expect(plain(await migrated.sql(query))).toEqual(plain(await live.sql(query)))
      expect((await migrated.sql(AGGREGATES[0] as string)).length).toBeGreaterThan(1000)
    } finally {
      await migrated.close()
      await live.close()
    }
  })
}

describe('usage aggregates migration (version 20)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mcpdir-usage-migration-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  migrationTest('SQLite', sqliteDialect(join(dir, 'old.db'), BEFORE))

  if (requirePostgres()) {
    const postgres = postgresDialect('usage_migration', BEFORE)
    afterAll(() => postgres.stop())
    migrationTest('PostgreSQL', postgres)
  }
})
