// `mcpdir-metrics migrate --from <sqlite file> --to <postgres url>`: copies everything, in one PostgreSQL
// transaction (all or nothing), with a progress bar on stderr.
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import Database from 'better-sqlite3'
import type { Command } from './command'
import { usageError } from './database-options'
import { loadPostgresStore } from '../store/open-store'
import { migrateSqlite } from '../store/sqlite/sqlite-store'

/**
 * Every table of the SQLite schema but the migrations' own bookkeeping, parents before children (by their
 * foreign keys), so a table added by a later migration comes along without being listed here.
 */
export function tablesInOrder(source: Database.Database): string[] {
  const names = (source.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations' ORDER BY name").pluck().all() as string[])
  const parents = new Map(names.map((name) => [name, (source.prepare(`PRAGMA foreign_key_list(${name})`).all() as { table: string }[]).map((fk) => fk.table).filter((t) => t !== name)]))
  const ordered: string[] = []
  const visit = (name: string) => {
    if (ordered.includes(name)) return
    for (const parent of parents.get(name) ?? []) visit(parent)
    ordered.push(name)
  }
  for (const name of names) visit(name)
  return ordered
}

/** Bytes of blobs per INSERT, at most (about). */
const MAX_STATEMENT_BYTES = 4 * 1024 * 1024

/** Rows per INSERT: PostgreSQL takes at most 65 535 parameters a statement. */
const batchRows = (columns: number) => Math.max(1, Math.min(2_000, Math.floor(60_000 / columns)))

function progress(done: number, total: number, table: string) {
  if (!process.stderr.isTTY && done !== total) return
  const width = 30
  const filled = total === 0 ? width : Math.round((done / total) * width)
  process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${total === 0 ? 100 : Math.floor((done / total) * 100)}% ${table.padEnd(22)} ${done}/${total}${done === total ? '\n' : ''}`)
}

export const migrateCommand: Command = {
  summary: 'copy a SQLite database into PostgreSQL',
  usage: `Usage: mcpdir-metrics migrate --from <sqlite file> --to <postgres url>

Copies every table in one PostgreSQL transaction: either everything arrives or nothing does. The target
database gets the schema if it has none, and must hold no servers yet. Stop the service first (or accept
that batches acknowledged during the copy stay in the SQLite file only). The copied tables are then vacuumed
and analyzed, so the planner has their statistics from the first report on.`,
  async run(argv) {
    const { values } = parseArgs({ args: argv, options: { from: { type: 'string' }, to: { type: 'string' } }, strict: true })
    if (!values.from || !values.to) throw usageError('both --from <sqlite file> and --to <postgres url> are needed')
    const from = resolve(values.from)
    if (!existsSync(from)) throw usageError(`no SQLite database at ${from}`)
    if (!/^postgres(ql)?:\/\//.test(values.to)) throw usageError('--to must be a postgresql:// URL')

    const source = new Database(from, { fileMustExist: true })
    migrateSqlite(source) // bring an older file up to the current schema first
    const { openPostgresStore } = await loadPostgresStore()
    const target = await openPostgresStore({ connectionString: values.to, maxConnections: 1 })
    const client = await target.pool.connect()
    try {
      if (((await client.query('SELECT count(*) AS n FROM servers')).rows[0] as { n: number }).n > 0) {
        process.stderr.write('mcpdir-metrics migrate: the target already holds servers; migrate into an empty database\n')
        return 1
      }
      // what PostgreSQL types differently: booleans (SQLite's 0 and 1) and serial ids (sequences to move on)
      const booleans = new Set(
        (await client.query<{ t: string; c: string }>("SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = current_schema() AND data_type = 'boolean'")).rows.map((r) => `${r.t}.${r.c}`),
      )
      const serials = (await client.query<{ t: string }>("SELECT table_name AS t FROM information_schema.columns WHERE table_schema = current_schema() AND column_name = 'id' AND column_default LIKE 'nextval%'")).rows.map((r) => r.t)
      await client.query('BEGIN')
      const copied = tablesInOrder(source)
      for (const table of copied) {
        const columns = (source.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name)
        const total = (source.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n
        let done = 0
        let rows: unknown[][] = []
        let bytes = 0
        const flush = async () => {
          if (rows.length === 0) return
          const placeholders = rows.map((_, r) => `(${columns.map((_, c) => `$${r * columns.length + c + 1}`).join(', ')})`).join(', ')
          await client.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${placeholders}`, rows.flat())
          done += rows.length
          rows = []
          bytes = 0
          progress(done, total, table)
        }
        progress(0, total, table)
        for (const row of source.prepare(`SELECT ${columns.join(', ')} FROM ${table}`).raw().iterate() as Iterable<unknown[]>) {
          rows.push(row.map((value, i) => (booleans.has(`${table}.${columns[i]}`) ? value === 1 : value)))
          for (const value of row) if (value instanceof Uint8Array) bytes += value.byteLength
          // blobs (raw point blocks, sketches) also bound a statement: a few MB each, not 2 000 blocks at once
          if (rows.length >= batchRows(columns.length) || bytes >= MAX_STATEMENT_BYTES) await flush()
        }
        await flush()
      }
      for (const table of serials) {
        await client.query(`SELECT setval(pg_get_serial_sequence('${table}', 'id'), COALESCE((SELECT max(id) FROM ${table}), 0) + 1, false)`)
      }
      await client.query('COMMIT')
      process.stderr.write(`migrated ${from} into PostgreSQL\n`)
      // Freshly copied tables have no planner statistics and no visibility map: until autovacuum reaches them,
      // plans are guesses and counts such as a report's heartbeat counts read the table instead of its index.
      // The copy is committed either way: if this fails, say so and leave it to the operator.
      process.stderr.write('vacuuming and analyzing the copied tables\n')
      try {
        await client.query(`VACUUM (ANALYZE) ${copied.map((t) => `"${t}"`).join(', ')}`)
      } catch (error) {
        process.stderr.write(`mcpdir-metrics migrate: VACUUM (ANALYZE) failed (${(error as Error).message}); run it on the database yourself\n`)
      }
      return 0
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {})
      throw error
    } finally {
      client.release()
      await target.close()
      source.close()
    }
  },
}
