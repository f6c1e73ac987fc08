import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { openStore } from '../src/store/open-store'
import { type PgCluster, requirePostgres, startPostgres } from '../src/testing/postgres-cluster'

const dir = mkdtempSync(join(tmpdir(), 'mcpdir-open-store-'))
const dist = resolve(import.meta.dirname, '../dist')
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('openStore', () => {
  it('opens SQLite from a path, sqlite: and file: URLs, and :memory:', async () => {
    for (const url of [join(dir, 'a.db'), `sqlite:${join(dir, 'b.db')}`, `file:${join(dir, 'c.db')}`, ':memory:']) {
      const store = await openStore(url)
      expect(store.kind).toBe('sqlite')
      await store.ping()
      await store.close()
    }
  })

  it('refuses URLs it cannot open, naming what it takes', async () => {
    await expect(openStore('mysql://root@localhost/db')).rejects.toThrow(/unsupported database URL mysql:\/\/…: use postgres:\/\/, sqlite:<file> or a file path/)
    await expect(openStore('sqlite:')).rejects.toThrow(/names no file/)
  })

  // An install without the optional peer `pg`: SQLite works and never loads it; PostgreSQL says what to install.
  for (const format of ['esm', 'cjs']) {
    it(`works without pg installed (${format} build)`, () => {
      const result = spawnSync(process.execPath, [resolve(import.meta.dirname, 'fixtures/without-pg.mjs'), format, dist, join(dir, `${format}.db`)], { encoding: 'utf8' })
      expect(result.stderr).toBe('')
      expect(JSON.parse(result.stdout)).toEqual({ kind: 'sqlite', postgresError: 'PostgreSQL needs the pg package next to @mcpdir/metrics-server: npm i pg' })
    })
  }

  if (requirePostgres()) {
    let cluster: PgCluster | undefined
    afterAll(() => cluster?.stop())
    it('opens PostgreSQL from a postgresql:// URL', async () => {
      cluster = startPostgres()
      const store = await openStore(cluster.createDatabase('open_store'), { maxConnections: 2 })
      expect(store.kind).toBe('postgres')
      await store.ping()
      await store.close()
    })
  }
})
