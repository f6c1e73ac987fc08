// The store's work written once for both dialects: a program is a generator that yields the statements it
// needs and gets their results back. The SQLite driver answers synchronously (better-sqlite3 transactions
// must not await), the PostgreSQL driver asynchronously; the program cannot tell.
import type { BulkTable } from './statements'

export type Op =
  /** A statement whose rows are wanted. */
  | { kind: 'all'; sql: string; params: readonly unknown[] }
  /** A statement whose rows are wanted as arrays of column values, in select order: cheaper for many rows. */
  | { kind: 'arrays'; sql: string; params: readonly unknown[] }
  /** A statement whose count of changed rows is wanted. */
  | { kind: 'run'; sql: string; params: readonly unknown[] }
  /** Many rows into one table, each row's values in the table's column order; answers how many. */
  | { kind: 'insert'; table: BulkTable; rows: readonly (readonly unknown[])[] }

export type Program<T> = Generator<Op, T, unknown>

/** Runs a statement for its rows. SQL is written with `?` placeholders. */
export function* all<R>(sql: string, params: readonly unknown[] = []): Program<R[]> {
  return (yield { kind: 'all', sql, params }) as R[]
}

/** Runs a statement for its rows as arrays of column values (reports read thousands of rows this way). */
export function* arrays<R extends readonly unknown[]>(sql: string, params: readonly unknown[] = []): Program<R[]> {
  return (yield { kind: 'arrays', sql, params }) as R[]
}

/** Runs a statement for the number of rows it changed. */
export function* exec(sql: string, params: readonly unknown[] = []): Program<number> {
  return (yield { kind: 'run', sql, params }) as number
}

/** Inserts rows in bulk (nothing for none). */
export function* insert(table: BulkTable, rows: readonly (readonly unknown[])[]): Program<void> {
  if (rows.length > 0) yield { kind: 'insert', table, rows }
}

export interface TransactionOptions {
  /**
   * The driver may commit the transaction together with others queued at the same time (still all of it or
   * nothing, on its own); SQLite's does.
   */
  groupCommit?: boolean
}

/**
 * A transaction undone with the others it shared a commit with (`groupCommit`) through no fault of its own: one of
 * them made the database roll back the whole transaction, or the commit failed. Nothing of it was written; run it
 * again alone. `cause` is what undid it.
 */
export class SharedCommitError extends Error {
  override readonly name = 'SharedCommitError'
  constructor(cause: unknown) {
    super(`undone with the transactions it shared a commit with: ${(cause as Error)?.message ?? String(cause)}`, { cause })
  }
}

/** How a dialect's store runs programs; everything it does beyond that is its own. */
export interface SqlDriver {
  /** Runs a program statement by statement, each committing on its own. */
  run<T>(program: Program<T>): Promise<T>
  /** Runs a program in one write transaction: all of it or nothing. */
  transaction<T>(program: Program<T>, options?: TransactionOptions): Promise<T>
  /** Closes the database (called once). */
  end(): Promise<void>
}

/** Runs a program against a synchronous executor. */
export function driveSync<T>(program: Program<T>, execute: (op: Op) => unknown): T {
  let step = program.next()
  while (!step.done) step = program.next(execute(step.value))
  return step.value
}

/** Runs a program against an asynchronous executor. */
export async function driveAsync<T>(program: Program<T>, execute: (op: Op) => Promise<unknown>): Promise<T> {
  let step = program.next()
  while (!step.done) step = program.next(await execute(step.value))
  return step.value
}

/** Rows as column arrays (`[[a, 1], [b, 2]]` → `[[a, b], [1, 2]]`), for PostgreSQL's `unnest`. */
export function columnsOf(rows: readonly (readonly unknown[])[], width: number): unknown[][] {
  return Array.from({ length: width }, (_, i) => rows.map((row) => row[i] ?? null))
}
