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

/** Parents before children; every table of the schema. */
const TABLES = [
  'servers',
  'server_keys',
  'server_secrets',
  'settings',
  'daily_salts',
  'ingest_batches',
  'server_metrics',
  'server_events',
  'server_usage',
  'server_heartbeats',
  'rollup_dirty',
  'rollup_minute',
  'rollup_hour',
  'server_metrics_daily',
] as const
const BOOLEAN_COLUMNS = new Set(['is_private', 'require_signature', 'disabled'])
const SERIAL_TABLES = ['server_keys', 'server_secrets', 'server_metrics', 'server_events', 'server_usage']
const BATCH = 2_000

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
that batches acknowledged during the copy stay in the SQLite file only).`,
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
      await client.query('BEGIN')
      for (const table of TABLES) {
        const columns = (source.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name)
        const total = (source.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n
        let done = 0
        let rows: unknown[][] = []
        const flush = async () => {
          if (rows.length === 0) return
          const placeholders = rows.map((_, r) => `(${columns.map((_, c) => `$${r * columns.length + c + 1}`).join(', ')})`).join(', ')
          await client.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${placeholders}`, rows.flat())
          done += rows.length
          rows = []
          progress(done, total, table)
        }
        progress(0, total, table)
        for (const row of source.prepare(`SELECT ${columns.join(', ')} FROM ${table}`).raw().iterate() as Iterable<unknown[]>) {
          rows.push(row.map((value, i) => (BOOLEAN_COLUMNS.has(columns[i] as string) ? value === 1 : value)))
          if (rows.length >= BATCH) await flush()
        }
        await flush()
        if (total === 0) progress(0, 0, table)
      }
      for (const table of SERIAL_TABLES) {
        await client.query(`SELECT setval(pg_get_serial_sequence('${table}', 'id'), COALESCE((SELECT max(id) FROM ${table}), 0) + 1, false)`)
      }
      await client.query('COMMIT')
      process.stderr.write(`migrated ${from} into PostgreSQL\n`)
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
