import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import type { Command } from './command'
import { DEFAULT_DB, dbOption, openDatabase, usageError } from './database-options'

export const backupCommand: Command = {
  summary: 'write a consistent copy of the database, while the service runs',
  usage: `Usage: mcpdir-metrics backup <file> [--db ${DEFAULT_DB}]`,
  async run(argv) {
    const { values, positionals } = parseArgs({ args: argv, options: { ...dbOption }, allowPositionals: true, strict: true })
    const [file, ...extra] = positionals
    if (file === undefined || extra.length > 0) throw usageError('expected: backup <file>')
    const store = await openDatabase(values)
    try {
      await store.backup(resolve(file))
      process.stdout.write(`backed up ${resolve(values.db)} to ${resolve(file)}\n`)
      return 0
    } finally {
      await store.close()
    }
  },
}
