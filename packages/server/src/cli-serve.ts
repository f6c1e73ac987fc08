import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { serve } from '@hono/node-server'
import { createApp } from './app'
import type { Command } from './cli'
import { openSqliteStore } from './sqlite-store'

export const DEFAULT_PORT = 8787
export const DEFAULT_HOST = '127.0.0.1'
export const DEFAULT_DB = './data/metrics.db'

export const serveCommand: Command = {
  summary: 'run the service',
  usage: `Usage: mcpdir-metrics serve [--port ${DEFAULT_PORT}] [--host ${DEFAULT_HOST}] [--db ${DEFAULT_DB}]

Options:
  --port <n>     port to listen on (env PORT; default ${DEFAULT_PORT}; 0 picks a free one)
  --host <addr>  address to bind (env HOST; default ${DEFAULT_HOST})
  --db <file>    SQLite database file, created when missing (env MCPDIR_DB; default ${DEFAULT_DB})`,

  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string', default: process.env.PORT ?? String(DEFAULT_PORT) },
        host: { type: 'string', default: process.env.HOST ?? DEFAULT_HOST },
        db: { type: 'string', default: process.env.MCPDIR_DB ?? DEFAULT_DB },
      },
      strict: true,
      allowPositionals: false,
    })
    const port = Number(values.port)
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw Object.assign(new Error(`--port must be an integer from 0 to 65535, got "${values.port}"`), {
        code: 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE',
      })
    }
    const dbPath = resolve(values.db)
    const store = openSqliteStore({ path: dbPath })
    const app = createApp({ store })

    return new Promise<number>((done) => {
      const server = serve({ fetch: app.fetch, port, hostname: values.host }, (info) => {
        process.stderr.write(
          `${JSON.stringify({ msg: 'listening', url: `http://${values.host}:${info.port}`, db: dbPath })}\n`,
        )
      })
      server.on('error', (error) => {
        process.stderr.write(`mcpdir-metrics serve: ${error.message}\n`)
        void store.close().then(() => done(1))
      })
      const stop = (signal: string) => {
        process.stderr.write(`${JSON.stringify({ msg: 'stopping', signal })}\n`)
        server.close(() => void store.close().then(() => done(0)))
      }
      process.once('SIGTERM', () => stop('SIGTERM'))
      process.once('SIGINT', () => stop('SIGINT'))
    })
  },
}
