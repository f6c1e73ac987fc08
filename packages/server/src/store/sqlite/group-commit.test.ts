import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { groupCommit } from './group-commit'
import { SharedCommitError } from '../sql/program'

describe('groupCommit', () => {
  let dir: string
  let db: Database.Database
  let reader: Database.Database
  const rows = (from: Database.Database) => (from.prepare('SELECT v FROM t ORDER BY v').pluck().all() as number[])
  const write = (v: number) => () => db.prepare('INSERT INTO t (v) VALUES (?)').run(v).changes
  /** A job that writes `v`, then does `after` (when given), then throws. */
  const failing = (v: number, after?: () => void) => () => {
    write(v)()
    after?.()
    throw new Error(`job ${v} fails`)
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'group-commit-'))
    db = new Database(join(dir, 'g.db'))
    db.pragma('journal_mode = WAL')
    db.exec('CREATE TABLE t (v INTEGER NOT NULL UNIQUE)')
    reader = new Database(join(dir, 'g.db'))
  })
  afterEach(() => {
    reader.close()
    db.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('commits the transactions queued in one turn together, each seeing the ones before it', async () => {
    const enqueue = groupCommit(db).enqueue
    const seen: unknown[] = []
    const results = await Promise.all([
      enqueue(write(1)),
      enqueue(() => {
        // inside the shared transaction: the first one's row is there, and not yet visible to another connection
        seen.push(rows(db), rows(reader), db.inTransaction)
        return write(2)()
      }),
    ])
    expect(results).toEqual([1, 1])
    expect(seen).toEqual([[1], [], true])
    expect(rows(reader)).toEqual([1, 2])
  })

  it('rolls back only the one that throws; the others commit and it rejects with its own error', async () => {
    const enqueue = groupCommit(db).enqueue
    const results = await Promise.allSettled([
      enqueue(write(1)),
      enqueue(() => {
        write(2)()
        return write(1)() // UNIQUE: undoes its own row 2 too
      }),
      enqueue(write(3)),
    ])
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/UNIQUE/)
    expect(rows(reader)).toEqual([1, 3])
  })

  it('rejects the whole group, writing nothing, when its transaction cannot begin', async () => {
    const enqueue = groupCommit(db).enqueue
    db.pragma('busy_timeout = 0')
    reader.prepare('BEGIN IMMEDIATE').run()
    const results = await Promise.allSettled([enqueue(write(1)), enqueue(write(2))])
    reader.prepare('ROLLBACK').run()
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected'])
    for (const r of results) {
      // its own error, not a SharedCommitError: nothing began, so running it alone would not help
      expect((r as PromiseRejectedResult).reason).not.toBeInstanceOf(SharedCommitError)
      expect((r as PromiseRejectedResult).reason.code).toBe('SQLITE_BUSY')
    }
    expect(rows(reader)).toEqual([])
    // and the next group goes on as usual
    expect(await enqueue(write(4))).toBe(1)
    expect(rows(reader)).toEqual([4])
  })

  it('writes nothing of the group when SQLite rolls its transaction back (a full disk), and says who undid it', async () => {
    const enqueue = groupCommit(db).enqueue
    db.exec('CREATE TABLE pad (p TEXT)')
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`)
    const results = await Promise.allSettled([
      enqueue(write(1)),
      enqueue(failing(2)),
      enqueue(() => db.prepare('INSERT INTO pad VALUES (?)').run('x'.repeat(100_000))),
      enqueue(write(3)),
    ])
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected', 'rejected'])
    const reasons = results.map((r) => (r as PromiseRejectedResult).reason)
    // the one that filled the disk gets its error, and so does one that failed on its own before it; the others
    // are told they were undone for another's fault, to run alone
    expect(reasons[1]).not.toBeInstanceOf(SharedCommitError)
    expect(reasons[1].message).toBe('job 2 fails')
    expect(reasons[2]).not.toBeInstanceOf(SharedCommitError)
    expect(reasons[2].code).toBe('SQLITE_FULL')
    for (const i of [0, 3]) {
      expect(reasons[i]).toBeInstanceOf(SharedCommitError)
      expect(reasons[i].cause.code).toBe('SQLITE_FULL')
    }
    expect(rows(reader)).toEqual([])
    db.pragma('max_page_count = 1000000')
    expect(await enqueue(write(4))).toBe(1)
    expect(rows(reader)).toEqual([4])
  })

  it('writes nothing of the group when the savepoint of a failed job cannot be undone', async () => {
    const enqueue = groupCommit(db).enqueue
    const results = await Promise.allSettled([
      enqueue(write(1)),
      // its savepoint gone (better-sqlite3's name for it): ROLLBACK TO fails, and row 2 stays in the transaction
      enqueue(failing(2, () => db.exec('RELEASE `\t_bs3.\t`'))),
      enqueue(write(3)),
    ])
    const reasons = results.map((r) => (r as PromiseRejectedResult).reason)
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected'])
    expect(reasons[1].message).toBe('job 2 fails')
    expect(reasons[1]).not.toBeInstanceOf(SharedCommitError)
    for (const i of [0, 2]) expect(reasons[i]).toBeInstanceOf(SharedCommitError)
    expect(db.inTransaction).toBe(false)
    expect(rows(reader)).toEqual([])
  })

  it('undoes every job of the group when its COMMIT fails, and tells each to run again alone', async () => {
    const enqueue = groupCommit(db).enqueue
    db.pragma('foreign_keys = ON')
    // checked at COMMIT, not when the row is written: every job's savepoint succeeds, the commit does not
    db.exec('CREATE TABLE parent (id INTEGER PRIMARY KEY); CREATE TABLE child (pid INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)')
    const results = await Promise.allSettled([
      enqueue(write(1)),
      enqueue(() => db.prepare('INSERT INTO child (pid) VALUES (99)').run().changes),
      enqueue(write(2)),
    ])
    for (const r of results) {
      expect(r.status).toBe('rejected')
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(SharedCommitError)
      expect((r as PromiseRejectedResult).reason.cause.code).toBe('SQLITE_CONSTRAINT_FOREIGNKEY')
    }
    expect(db.inTransaction).toBe(false)
    expect(rows(reader)).toEqual([])
    expect(reader.prepare('SELECT count(*) FROM child').pluck().get()).toBe(0)
    // run alone, the two innocent ones commit and the orphan fails on its own
    expect(await enqueue(write(1))).toBe(1)
    await expect(enqueue(() => db.prepare('INSERT INTO child (pid) VALUES (99)').run().changes)).rejects.toBeInstanceOf(SharedCommitError)
    expect(rows(reader)).toEqual([1])
  })

  it('runs what is queued while a group runs in the next group, after that one committed', async () => {
    const enqueue = groupCommit(db).enqueue
    let next: Promise<number[]> | undefined
    await enqueue(() => {
      next = enqueue(() => rows(reader))
      return write(1)()
    })
    expect(await next).toEqual([1])
  })

  it('commits a long queue in groups of at most eight, in the order queued', async () => {
    const enqueue = groupCommit(db).enqueue
    const commits: number[] = []
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        enqueue(() => {
          // rows another connection sees: what the groups before this one committed
          commits.push(rows(reader).length)
          return write(i)()
        }),
      ),
    )
    expect(results).toEqual(Array(20).fill(1))
    expect(commits).toEqual([...Array(8).fill(0), ...Array(8).fill(8), ...Array(4).fill(16)])
    expect(rows(reader)).toHaveLength(20)
  })

  it('runs the queued group at once when flushed, as before closing the database', async () => {
    const group = groupCommit(db)
    const pending = Array.from({ length: 10 }, (_, i) => group.enqueue(write(i)))
    group.flush()
    expect(rows(reader)).toHaveLength(10)
    expect(await Promise.all(pending)).toEqual(Array(10).fill(1))
  })
})
