// Two stores on one database, as two service replicas: the series ids one caches must never outlive the server
// they belong to when the other deletes it and creates it again under the same id, even in the same millisecond.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { openPostgresStore } from './postgres/postgres-store'
import { openSqliteStore } from './sqlite/sqlite-store'
import type { Store } from './store'
import { type PgCluster, requirePostgres, startPostgres } from '../testing/postgres-cluster'

const T0 = Date.parse('2026-03-10T12:00:00Z')
const credentials = (tag: string) => ({ ingestKeyHash: `ingest-${tag}`, ingestKeyPrefix: 'mcpm_x…', signingSecret: `whsec_${tag}` })
const server = { id: 'twice', name: 'Twice', isPrivate: false, requireSignature: true }
const point = (name: string, v: number) => ({ name, type: 'counter' as const, tags: { k: 'v' }, timestamp: T0, count: 1, sum: v, min: v, max: v, last: v })

async function deletedAndCreatedAgain(a: Store, b: Store) {
  await a.createServer(server, credentials('1'), T0)
  await a.ingest('twice', 'a-1', [point('x', 1), point('y', 2)], [], T0, T0 - 1)
  // replica b deletes the server and creates it again, in the very millisecond it was first created
  expect(await b.deleteServer('twice')).toBe(true)
  await b.createServer(server, credentials('2'), T0)
  await b.ingest('twice', 'b-1', [point('y', 20)], [], T0, T0 - 1)
  // replica a still remembers the first server's series ids
  await a.ingest('twice', 'a-2', [point('x', 100), point('y', 200)], [], T0, T0 - 1)
  for (const store of [a, b]) {
    const sums = (await store.tierRows('twice', '1m', T0, T0 + 60_000)).map((r) => [r.series.name, r.sum]).sort()
    expect(sums, store.kind).toEqual([
      ['x', 100],
      ['y', 220],
    ])
    expect((await store.rawRows('twice', T0, T0 + 60_000)).map((r) => r.sum)).toEqual([20, 100, 200])
  }
}

describe('series ids cached by two replicas of one database', () => {
  it('SQLite: survive a server deleted and created again by the other', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcpdir-replicas-'))
    const a = openSqliteStore({ path: join(dir, 'metrics.db') })
    const b = openSqliteStore({ path: join(dir, 'metrics.db') })
    try {
      await deletedAndCreatedAgain(a, b)
    } finally {
      await a.close()
      await b.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })

  const run = requirePostgres()
  let cluster: PgCluster | undefined
  afterAll(() => cluster?.stop())

  it.runIf(run)('PostgreSQL: survive a server deleted and created again by the other', async () => {
    cluster ??= startPostgres()
    const url = cluster.createDatabase('replicas')
    const a = await openPostgresStore({ connectionString: url })
    const b = await openPostgresStore({ connectionString: url })
    try {
      await deletedAndCreatedAgain(a, b)
    } finally {
      await a.close()
      await b.close()
    }
  })
})
