import { parseArgs } from 'node:util'
import type { Command } from './command'
import { DEFAULT_DB, dbOption, openDatabase, usageError } from './database-options'
import { rotateServerKeys } from '../credentials/server-credentials'

export const keysCommand: Command = {
  summary: "rotate a server's ingest key, signing secret and read token",
  usage: `Usage: mcpdir-metrics keys rotate <id> [--grace-hours 24] [--json] [--db ${DEFAULT_DB} | --database-url URL]

Prints the new credentials once. The previous ones stay valid for the grace period, so running servers
can be moved over without losing data.`,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { ...dbOption, 'grace-hours': { type: 'string', default: '24' }, json: { type: 'boolean', default: false } },
      allowPositionals: true,
      strict: true,
    })
    const [action, id, ...extra] = positionals
    if (action !== 'rotate' || id === undefined || extra.length > 0) throw usageError('expected: keys rotate <id>')
    const hours = Number(values['grace-hours'])
    if (!Number.isFinite(hours) || hours < 0) throw usageError('--grace-hours must be a number ≥ 0')
    const store = await openDatabase(values)
    try {
      const shown = await rotateServerKeys(store, id, hours * 3_600_000, Date.now())
      if (!shown) {
        process.stderr.write(`mcpdir-metrics keys rotate: no server ${id}\n`)
        return 1
      }
      if (values.json) process.stdout.write(`${JSON.stringify(shown, null, 2)}\n`)
      else {
        process.stdout.write(`New credentials for ${id} (shown once; the previous ones work for ${hours} h):\n\n`)
        process.stdout.write(`  MCPDIR_API_KEY=${shown.api_key}\n  MCPDIR_SIGNING_SECRET=${shown.signing_secret}\n`)
        if (shown.read_token) process.stdout.write(`  read token: ${shown.read_token}\n`)
      }
      return 0
    } finally {
      await store.close()
    }
  },
}
