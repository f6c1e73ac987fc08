// Group commit: transactions queued within one turn of the event loop share one BEGIN IMMEDIATE ... COMMIT,
// each inside a savepoint of its own, so one that fails is rolled back alone and the others still commit.
// Concurrent ingest requests become ready together (their HMAC checks finish on the thread pool); one commit
// writes the pages they share (index pages, the same minutes' rows) to the WAL once instead of once each.
// Nothing is acknowledged before the commit that holds it: each caller's promise settles after it. When one of
// them makes SQLite undo the whole transaction (a full disk), or fails where its savepoint cannot be undone (then
// the whole transaction is rolled back), the others are refused with a SharedCommitError,
// which tells their caller to run them again alone.
import type Database from 'better-sqlite3'
import { SharedCommitError } from '../sql/program'

/** At most this many transactions share a commit (about 20 ms of a busy SQLite ingest's work). */
const MAX_GROUP = 8

interface Queued {
  run: () => unknown
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
}

export interface GroupCommit {
  /** Runs `run` in a savepoint of the next group's transaction; settles once that commits. */
  enqueue<T>(run: () => T): Promise<T>
  /** Runs everything queued now (before closing the database); nothing when none is queued. */
  flush(): void
}

/** Group commit on `db`: what is enqueued within one turn of the event loop runs in one transaction. */
export function groupCommit(db: Database.Database): GroupCommit {
  let queue: Queued[] = []

  const flush = () => {
    if (queue.length === 0) return
    const group = queue.splice(0, MAX_GROUP)
    // the rest in a later turn, so reads are not held up behind one long transaction
    if (queue.length > 0) setImmediate(flush)
    const outcomes: { ok: boolean; value: unknown }[] = []
    let began = false
    try {
      db.transaction(() => {
        began = true
        for (const job of group) {
          let own: { error: unknown } | undefined
          try {
            // nested: better-sqlite3 runs it in a savepoint, rolled back (and rethrown) if it throws
            const value = db.transaction(() => {
              try {
                return job.run()
              } catch (error) {
                own = { error }
                throw error
              }
            })()
            outcomes.push({ ok: true, value })
          } catch (error) {
            // its own error, also when undoing its savepoint failed too (the whole group is undone then)
            outcomes.push({ ok: false, value: own ? own.error : error })
            // SQLite rolled the whole transaction back (a full disk, an I/O error), or the savepoint's own statements
            // failed (then what the job wrote may still be in the transaction): none of the group is written
            if (!db.inTransaction || own?.error !== error) throw error
          }
        }
      }).immediate()
    } catch (error) {
      // nothing of the group was written
      group.forEach((job, i) => {
        const outcome = outcomes[i]
        // BEGIN failed (busy past the timeout): every one of them would have, alone too
        if (!began) job.reject(error)
        // its own failure (or the one that undid the whole transaction)
        else if (outcome && !outcome.ok) job.reject(outcome.value)
        // undone for another's fault, or the commit failed: the caller may run it again alone
        else job.reject(new SharedCommitError(error))
      })
      return
    }
    group.forEach((job, i) => {
      const outcome = outcomes[i] as { ok: boolean; value: unknown }
      if (outcome.ok) job.resolve(outcome.value)
      else job.reject(outcome.value)
    })
  }

  return {
    enqueue: <T>(run: () => T) =>
      new Promise<T>((resolve, reject) => {
        if (queue.length === 0) setImmediate(flush)
        queue.push({ run, resolve: resolve as (value: unknown) => void, reject })
      }),
    flush() {
      while (queue.length > 0) flush()
    },
  }
}
