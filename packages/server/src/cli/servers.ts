import { parseArgs } from 'node:util'
import { serverIdProblem } from '@mcpdir/metrics/protocol'
import type { Command } from './command'
import { DEFAULT_DB, dbOption, openDatabase, usageError } from './database-options'
import { registerServer } from '../credentials/server-credentials'
import { StoreConflictError } from '../store/store'

const USAGE = `Usage:
  mcpdir-metrics servers add <id> [--name <name>] [--private] [--no-signature] [--json] [--db ${DEFAULT_DB} | --database-url URL]
  mcpdir-metrics servers list [--json] [--db ${DEFAULT_DB} | --database-url URL]
  mcpdir-metrics servers remove <id> [--db ${DEFAULT_DB} | --database-url URL]
  mcpdir-metrics servers disable <id> | enable <id> [--db ${DEFAULT_DB} | --database-url URL]

add prints the server's ingest key, signing secret (and read token for --private) once: they are stored
only hashed (the secret excepted) and cannot be shown again; rotate them with "keys rotate".`

export const serversCommand: Command = {
  summary: 'register, list, remove, disable or enable servers',
  usage: USAGE,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: {
        ...dbOption,
        name: { type: 'string' },
        private: { type: 'boolean', default: false },
        'no-signature': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
      },
      allowPositionals: true,
      strict: true,
    })
    const [action, id, ...extra] = positionals
    if (extra.length > 0) throw usageError(`unexpected argument "${extra[0]}"`)
    if (action === 'list') {
      if (id !== undefined) throw usageError(`servers list takes no id`)
      const store = await openDatabase(values)
      try {
        const servers = await store.listServers()
        if (values.json) process.stdout.write(`${JSON.stringify(servers, null, 2)}\n`)
        else if (servers.length === 0) process.stdout.write('no servers yet: add one with "mcpdir-metrics servers add <id>"\n')
        else {
          for (const s of servers) {
            const flags = [s.isPrivate ? 'private' : 'public', s.disabled && 'disabled', !s.requireSignature && 'unsigned allowed'].filter(Boolean)
            const last = s.lastReceivedAt ? new Date(s.lastReceivedAt).toISOString() : 'never'
            process.stdout.write(`${s.id}\t${s.name}\t${flags.join(', ')}\tlast data ${last}\n`)
          }
        }
        return 0
      } finally {
        await store.close()
      }
    }
    if (!['add', 'remove', 'disable', 'enable'].includes(action ?? '')) throw usageError(`expected add, list, remove, disable or enable`)
    if (id === undefined) throw usageError(`servers ${action} needs a server id`)
    const problem = serverIdProblem(id)
    if (problem) throw usageError(problem)
    const store = await openDatabase(values)
    try {
      if (action === 'add') {
        try {
          const shown = await registerServer(
            store,
            { id, ...(values.name !== undefined && { name: values.name }), isPrivate: values.private, requireSignature: !values['no-signature'] },
            Date.now(),
          )
          if (values.json) process.stdout.write(`${JSON.stringify(shown, null, 2)}\n`)
          else {
            process.stdout.write(`Registered ${id}. These are shown once; store them now:\n\n`)
            process.stdout.write(`  MCPDIR_SERVER_ID=${id}\n  MCPDIR_API_KEY=${shown.api_key}\n  MCPDIR_SIGNING_SECRET=${shown.signing_secret}\n`)
            if (shown.read_token) process.stdout.write(`  read token (for the dashboard of this private server): ${shown.read_token}\n`)
          }
          return 0
        } catch (error) {
          if (error instanceof StoreConflictError) {
            process.stderr.write(`mcpdir-metrics servers add: ${error.message}\n`)
            return 1
          }
          throw error
        }
      }
      const done =
        action === 'remove' ? await store.deleteServer(id) : await store.setServerDisabled(id, action === 'disable')
      if (!done) {
        process.stderr.write(`mcpdir-metrics servers ${action}: no server ${id}\n`)
        return 1
      }
      process.stdout.write(`${action === 'remove' ? 'removed' : `${action}d`} ${id}\n`)
      return 0
    } finally {
      await store.close()
    }
  },
}
