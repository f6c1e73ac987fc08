// The migration that counts heartbeat minutes per hour (version 26), in both dialects: a database at the schema
// before it, holding heartbeat minutes as version 25 wrote them (several servers, gaps, hours full and nearly
// empty, a day long ago), gets one row per server and hour with the minutes it holds, and availability's
// counts of any window equal the minutes counted directly.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { TIER_MS } from '@mcpdir/metrics/protocol'
import { afterAll, describe, expect, it } from 'vitest'
import { requirePostgres } from '../../testing/postgres-cluster'
import { type MigrationDialect, postgresDialect, seededRandom, sqliteDialect, type StoreWithSql } from './migration-test-dialects'

const BEFORE = 25
const NOW = Date.parse('2026-03-10T12:07:30.000Z')
const MIN = TIER_MS['1m']
const HOUR = TIER_MS['1h']
const DAY = TIER_MS['1d']
const SERVERS = ['alpha', 'beta', 'idle']

type Dialect = MigrationDialect & { after(store: StoreWithSql): Promise<void> }

function migrationTest(name: string, dialect: Dialect) {
  it(`${name}: counts every server's heartbeat minutes per hour`, async () => {
    const random = seededRandom(20261124)
    const sent = new Map<string, number[]>(SERVERS.map((id) => [id, []]))
    const old = await dialect.old()
    try {
      for (const id of SERVERS) {
        await old.exec('INSERT INTO servers (id, name, created_at) VALUES (?, ?, ?)', [id, id, NOW - 400 * DAY])
        if (id === 'idle') continue
        // the last two days minute by minute, each hour up with its own likelihood; and one minute long ago
        const start = Math.floor((NOW - 2 * DAY) / HOUR) * HOUR
        const minutes = [Math.floor((NOW - 300 * DAY) / MIN) * MIN - 7 * MIN]
        for (let hour = start; hour < NOW; hour += HOUR) {
          const up = random()
          for (let m = hour; m < Math.min(hour + HOUR, NOW); m += MIN) if (random() < up) minutes.push(Math.floor(m / MIN) * MIN)
        }
        sent.set(id, minutes)
        for (const minute of minutes) await old.exec('INSERT INTO server_heartbeats (server_id, minute) VALUES (?, ?)', [id, minute])
      }
    } finally {
      await old.close()
    }

    const store = await dialect.store(false)
    try {
      const rows = await store.sql('SELECT server_id, hour, minutes FROM heartbeat_hours ORDER BY server_id, hour')
      const expected = [...sent].flatMap(([id, minutes]) => {
        const hours = new Map<number, number>()
        for (const m of minutes) hours.set(Math.floor(m / HOUR) * HOUR, (hours.get(Math.floor(m / HOUR) * HOUR) ?? 0) + 1)
        return [...hours].sort(([a], [b]) => a - b).map(([hour, n]) => [id, hour, n])
      })
      expect(rows.map((r) => [r.server_id, Number(r.hour), Number(r.minutes)])).toEqual(expected)
      const windows = [[0, NOW], [NOW - DAY, NOW], [NOW - DAY + 17 * MIN, NOW - 3 * HOUR - 1], [NOW - 2 * HOUR, NOW - 2 * HOUR + 5 * MIN]] as const
      for (const [id, minutes] of sent) {
        for (const [from, to] of windows) expect(await store.heartbeatMinutes(id, from, to), `${id} [${from}, ${to})`).toBe(minutes.filter((m) => m >= from && m < to).length)
      }
      await dialect.after(store)
    } finally {
      await store.close()
    }
  })
}

describe('heartbeat minutes counted per hour (version 26)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mcpdir-heartbeats-migration-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  migrationTest('SQLite', { ...sqliteDialect(join(dir, 'old.db'), BEFORE), async after() {} })

  if (requirePostgres()) {
    const postgres = postgresDialect('heartbeats_migration', BEFORE, NOW)
    afterAll(() => postgres.stop())
    migrationTest('PostgreSQL', {
      ...postgres,
      async old() {
        const old = await postgres.old()
        await old.exec('ALTER TABLE server_heartbeats ENABLE ROW LEVEL SECURITY')
        return old
      },
      async after(store) {
        // RLS on where server_heartbeats had it
        expect(await store.sql("SELECT relrowsecurity AS on FROM pg_class WHERE relname = 'heartbeat_hours'")).toEqual([{ on: true }])
      },
    })
  }
})
