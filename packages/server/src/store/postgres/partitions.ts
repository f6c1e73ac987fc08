// PostgreSQL only: raw point blocks (`metric_blocks`) and the finest tier (`rollup_1m`) are partitioned by UTC day
// (declarative RANGE partitioning on their time column, as TimescaleDB chunks them), so retention drops whole
// days instead of deleting rows. Each table has
// - one partition per day, `<table>_pYYYYMMDD`, FOR VALUES FROM (the day's first ms) TO (the next day's);
// - a DEFAULT partition, `<table>_default`, so an insert for a day without a partition never fails.
// Maintenance (at open and from `maintain()`) creates the partitions of the days data can arrive for (the raw
// retention back, by default 7 days, to tomorrow), moving any rows the DEFAULT partition already holds for such
// a day into it. Retention drops the partitions entirely older than the cutoff and deletes the remaining old
// rows (the partition straddling the cutoff, the DEFAULT partition) in bounded steps, as before.
// Every change of partitions runs under one advisory lock (transaction scoped), so replicas take turns.
import { DEFAULT_RAW_RETENTION_MS, MAX_FUTURE_SKEW_MS } from '@mcpdir/metrics/protocol'
import { all, exec, type Program } from '../sql/program'
import { RETENTION } from '../sql/statements'

export const DAY_MS = 86_400_000

/** Serializes partition changes (creating, moving rows into, dropping) across replicas. */
export const PARTITION_LOCK = 7_270_002

/** A table partitioned by day on a BIGINT column of ms since the epoch. */
export interface PartitionedTable {
  table: string
  column: string
  /** The column saying how many items a row holds, where retention counts those rather than rows. */
  counted?: string
}

/** The partitioned tables, by the retention target that purges them. */
export const PARTITIONED: Readonly<Record<'raw' | '1m', PartitionedTable>> = {
  raw: { table: RETENTION.raw.table, column: RETENTION.raw.column, counted: RETENTION.raw.counted },
  '1m': { table: 'rollup_1m', column: 'bucket' },
}

export interface Partition {
  name: string
  /** First ms of the range (inclusive). */
  from: number
  /** End of the range (exclusive). */
  to: number
}

export const dayStart = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS

/** `metric_blocks_p20261124` for the day starting at `day`. */
export const partitionName = (table: string, day: number) => `${table}_p${new Date(day).toISOString().slice(0, 10).replace(/-/g, '')}`
export const defaultPartitionName = (table: string) => `${table}_default`

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`
/** An integer spliced into DDL (which takes no parameters). */
const int = (n: number) => {
  if (!Number.isSafeInteger(n)) throw new Error(`not an integer: ${n}`)
  return String(n)
}

/** The days maintenance keeps a partition for: data arrives up to the raw retention old, and a little ahead. */
export function partitionWindow(now: number): { first: number; last: number } {
  return { first: dayStart(now - DEFAULT_RAW_RETENTION_MS), last: dayStart(now + MAX_FUTURE_SKEW_MS) + DAY_MS }
}

/** The table's range partitions (not the DEFAULT one), oldest first. */
export function* partitionsOf(t: PartitionedTable): Program<Partition[]> {
  const rows = yield* all<{ name: string; bound: string }>(
    `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = CAST(? AS regclass)`,
    [t.table],
  )
  const out: Partition[] = []
  for (const row of rows) {
    const match = /FROM \('?(-?\d+)'?\) TO \('?(-?\d+)'?\)/.exec(row.bound)
    if (match) out.push({ name: row.name, from: Number(match[1]), to: Number(match[2]) })
  }
  return out.sort((a, b) => a.from - b.from)
}

/**
 * Creates the partitions of the days in the window that have none. A day the DEFAULT partition holds rows for
 * gets them moved into its new partition (created apart, filled, then attached: a partition cannot be created
 * over rows of its range in the DEFAULT one). Past days older than the oldest partition are left to the DEFAULT
 * partition unless it holds rows for them, so retention's drops are not undone. Answers partitions created.
 * Run under PARTITION_LOCK (or the migration lock), in a transaction.
 */
export function* ensurePartitions(t: PartitionedTable, now: number): Program<number> {
  const { first, last } = partitionWindow(now)
  const existing = yield* partitionsOf(t)
  const covered = (day: number) => existing.some((p) => p.from <= day && day < p.to)
  const oldest = existing.length > 0 ? (existing[0] as Partition).from : Number.NEGATIVE_INFINITY
  const today = dayStart(now)
  const col = ident(t.column)
  const fallback = ident(defaultPartitionName(t.table))
  const stray = new Set(
    (yield* all<{ day: number }>(`SELECT DISTINCT (${col} / ${DAY_MS}) * ${DAY_MS} AS day FROM ${fallback} WHERE ${col} >= ? AND ${col} < ?`, [
      Math.max(first, 0),
      last + DAY_MS,
    ])).map((r) => Number(r.day)),
  )
  let created = 0
  for (let day = first; day <= last; day += DAY_MS) {
    if (covered(day) || (day < oldest && day < today && !stray.has(day))) continue
    const name = ident(partitionName(t.table, day))
    const bounds = `FOR VALUES FROM (${int(day)}) TO (${int(day + DAY_MS)})`
    if (stray.has(day)) {
      yield* exec(`CREATE TABLE ${name} (LIKE ${ident(t.table)} INCLUDING DEFAULTS)`)
      yield* exec(`WITH moved AS (DELETE FROM ${fallback} WHERE ${col} >= ? AND ${col} < ? RETURNING *) INSERT INTO ${name} SELECT * FROM moved`, [day, day + DAY_MS])
      yield* exec(`ALTER TABLE ${ident(t.table)} ATTACH PARTITION ${name} ${bounds}`)
    } else {
      yield* exec(`CREATE TABLE IF NOT EXISTS ${name} PARTITION OF ${ident(t.table)} ${bounds}`)
    }
    // read directly (not through the parent and its policies), a partition shows nothing to non-owners
    yield* exec(`ALTER TABLE ${name} ENABLE ROW LEVEL SECURITY`)
    created++
  }
  return created
}

/**
 * Drops the partitions entirely older than `before`; answers the rows they held, and the items (`counted`).
 * The parent is locked first (as an insert or read locks it before its partitions), so no row arrives between
 * counting and dropping. Run under PARTITION_LOCK, in a transaction.
 */
export function* dropPartitionsBefore(t: PartitionedTable, before: number): Program<{ rows: number; deleted: number }> {
  const old = (yield* partitionsOf(t)).filter((p) => p.to <= before)
  const dropped = { rows: 0, deleted: 0 }
  if (old.length === 0) return dropped
  yield* exec(`LOCK TABLE ${ident(t.table)} IN ACCESS EXCLUSIVE MODE`)
  const items = t.counted ? `sum(${ident(t.counted)})` : 'count(*)'
  for (const p of old) {
    const [held] = yield* all<{ rows: number; items: number | null }>(`SELECT count(*) AS rows, ${items} AS items FROM ${ident(p.name)}`)
    dropped.rows += Number(held?.rows ?? 0)
    dropped.deleted += Number(held?.items ?? 0)
    yield* exec(`DROP TABLE ${ident(p.name)}`)
  }
  return dropped
}

/**
 * Deletes up to `limit` rows older than `before` that are left after the drops: those of the partition
 * straddling the cutoff and of the DEFAULT partition (partition pruning keeps both scans to them).
 */
export const purgeRowsSql = (t: PartitionedTable) => {
  const col = ident(t.column)
  const table = ident(t.table)
  return `DELETE FROM ${table} p USING (SELECT tableoid AS t, ctid AS c FROM ${table} WHERE ${col} < ? LIMIT ?) old
    WHERE p.${col} < ? AND p.tableoid = old.t AND p.ctid = old.c RETURNING ${t.counted ? `p.${ident(t.counted)}` : '1'} AS n`
}

/** Converts a table to a partitioned one in place (migration 21): see migrations.ts for the SQL around it. */
export function* fillPartitioned(t: PartitionedTable, order: string, now: number): Program<void> {
  const old = ident(`${t.table}_unpartitioned`)
  const [rls] = yield* all<{ on: boolean }>('SELECT relrowsecurity AS on FROM pg_class WHERE oid = CAST(? AS regclass)', [`${t.table}_unpartitioned`])
  yield* exec(`CREATE TABLE ${ident(defaultPartitionName(t.table))} PARTITION OF ${ident(t.table)} DEFAULT`)
  yield* exec(`ALTER TABLE ${ident(defaultPartitionName(t.table))} ENABLE ROW LEVEL SECURITY`)
  yield* ensurePartitions(t, now)
  yield* exec(`INSERT INTO ${ident(t.table)} SELECT * FROM ${old} ORDER BY ${order}`)
  yield* exec(`DROP TABLE ${old}`)
  // policies stay with the dropped table: RLS stays on (nothing readable by non-owners) until
  // sql/postgres-rls.sql is applied again
  if (rls?.on) yield* exec(`ALTER TABLE ${ident(t.table)} ENABLE ROW LEVEL SECURITY`)
}
