import { parseArgs } from 'node:util'
import pino from 'pino'
import type { ServiceConfig } from '../app/config'
import { listen, type ServiceHandle } from '../app/listen'
import type { Command } from './command'
import { DB_USAGE, DEFAULT_DB, dbOption, describeDatabase, openDatabase, usageError } from './database-options'
import { generateKey, hashKey } from '../credentials/keys'
import { isTagKey } from '../otlp/attributes'
import { parseRetention } from './retention-option'
import { DEFAULT_SERIES_CACHE_MB } from '../store/sql/series-cache'

export const DEFAULT_PORT = 8787
export const DEFAULT_HOST = '127.0.0.1'

export const serveCommand: Command = {
  summary: 'run the service',
  usage: `Usage: mcpdir-metrics serve [--port ${DEFAULT_PORT}] [--host ${DEFAULT_HOST}] [--db ${DEFAULT_DB} | --database-url URL]

Options:
  --port <n>           port to listen on (env PORT; default ${DEFAULT_PORT}; 0 picks a free one)
  --host <addr>        address to bind (env HOST; default ${DEFAULT_HOST})
${DB_USAGE}
  --admin-key <key>    admin key for admin endpoints (env MCPDIR_ADMIN_KEY; at least 16 characters);
                       without one, a key is generated on first start and printed once
  --cors <origins>     comma-separated origins allowed to call usage-track (env MCPDIR_CORS_ORIGINS; default *)
  --trust-proxy        take client addresses from X-Forwarded-For (env MCPDIR_TRUST_PROXY=1)
  --ingest-rate <n>    batches per second each ingest key may send, bursts of 4 × n (env MCPDIR_INGEST_RATE; default 50)
  --retention <spec>   how long data is kept (env MCPDIR_RETENTION), e.g. raw=7d,1m=2d,1h=14d,1d=forever: raw points,
                       the tiers 1m 5m 15m 1h 6h 1d (or minute, hour, day), events, usage, heartbeats; units m h d
  --log-level <level>  pino level: fatal error warn info debug silent (env LOG_LEVEL; default info)
  --public-url <url>   the service's public base URL, for links in alert webhooks (env MCPDIR_PUBLIC_URL;
                       default the address it listens on)
  --allow-private-webhooks  let alert webhooks reach private, loopback and link-local addresses
                       (env MCPDIR_ALLOW_PRIVATE_WEBHOOKS=1; default off: refused at creation and delivery)
  --otlp-resource-tags <keys>  comma-separated OTLP resource attributes kept as tags of their points, at most 4,
                       e.g. deployment.environment.name (env MCPDIR_OTLP_RESOURCE_TAGS; default none)
  --series-cache-mb <n>  memory for the series ids ingest looks up, in MB (env MCPDIR_SERIES_CACHE_MB; default
                       ${DEFAULT_SERIES_CACHE_MB}: about 200 000 series); give about 200 B a series the service receives`,

  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string', default: process.env.PORT ?? String(DEFAULT_PORT) },
        host: { type: 'string', default: process.env.HOST ?? DEFAULT_HOST },
        ...dbOption,
        'admin-key': { type: 'string', default: process.env.MCPDIR_ADMIN_KEY },
        cors: { type: 'string', default: process.env.MCPDIR_CORS_ORIGINS ?? '*' },
        'trust-proxy': { type: 'boolean', default: process.env.MCPDIR_TRUST_PROXY === '1' },
        retention: { type: 'string', default: process.env.MCPDIR_RETENTION ?? '' },
        'ingest-rate': { type: 'string', default: process.env.MCPDIR_INGEST_RATE ?? '50' },
        'log-level': { type: 'string', default: process.env.LOG_LEVEL ?? 'info' },
        'public-url': { type: 'string', default: process.env.MCPDIR_PUBLIC_URL },
        'allow-private-webhooks': { type: 'boolean', default: process.env.MCPDIR_ALLOW_PRIVATE_WEBHOOKS === '1' },
        'otlp-resource-tags': { type: 'string', default: process.env.MCPDIR_OTLP_RESOURCE_TAGS ?? '' },
        'series-cache-mb': { type: 'string', default: process.env.MCPDIR_SERIES_CACHE_MB ?? String(DEFAULT_SERIES_CACHE_MB) },
      },
      strict: true,
      allowPositionals: false,
    })
    const port = Number(values.port)
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw usageError(`--port must be an integer from 0 to 65535, got "${values.port}"`)
    const adminKey = values['admin-key']
    if (adminKey !== undefined && adminKey.length < 16) throw usageError('--admin-key (MCPDIR_ADMIN_KEY) must be at least 16 characters')
    const level = values['log-level'] as string
    if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(level)) throw usageError(`--log-level ${level} is not a pino level`)

    const publicUrl = values['public-url']
    if (publicUrl !== undefined && !/^https?:\/\/[^/]/.test(publicUrl)) throw usageError(`--public-url must be an http(s) URL, got "${publicUrl}"`)
    const ingestRate = Number(values['ingest-rate'])
    if (!(ingestRate > 0)) throw usageError(`--ingest-rate must be a positive number, got "${values['ingest-rate']}"`)
    const otlpResourceTags = values['otlp-resource-tags'].split(',').map((key) => key.trim()).filter(Boolean)
    const badTag = otlpResourceTags.find((key) => !isTagKey(key))
    if (badTag !== undefined) throw usageError(`--otlp-resource-tags: ${badTag} is not a tag key (a letter, then letters, digits, _ . -)`)
    if (otlpResourceTags.length > 4) throw usageError('--otlp-resource-tags: at most 4 keys (each is a tag on every point, beside the MCP ones)')
    const seriesCacheMb = Number(values['series-cache-mb'])
    if (!(seriesCacheMb > 0 && seriesCacheMb <= 1_000_000)) throw usageError(`--series-cache-mb must be a number of MB above 0, got "${values['series-cache-mb']}"`)
    let retention: ReturnType<typeof parseRetention>
    try {
      retention = parseRetention(values.retention)
    } catch (error) {
      throw usageError((error as Error).message)
    }

    const logger = pino({ level, base: { service: 'mcpdir-metrics' } }, pino.destination(2))
    // Listen for signals before anything else: a signal that arrives with no listener kills the process
    // outright, and one can arrive as soon as the 'listening' line is out (supervisors and tests act on it).
    const stopRequested = new Promise<string>((resolve) => {
      process.once('SIGTERM', () => resolve('SIGTERM'))
      process.once('SIGINT', () => resolve('SIGINT'))
    })
    const database = describeDatabase(values)
    const store = await openDatabase(values, { seriesCacheMb })
    let adminKeyHash: string
    if (adminKey) {
      adminKeyHash = hashKey(adminKey)
    } else {
      const generated = generateKey('admin')
      adminKeyHash = await store.initSetting('admin_key_hash', hashKey(generated))
      if (adminKeyHash === hashKey(generated)) {
        process.stderr.write(`\nAdmin key (shown once; keep it, or set MCPDIR_ADMIN_KEY): ${generated}\n\n`)
      }
    }
    const cors = values.cors === '*' ? '*' : values.cors.split(',').map((o) => o.trim()).filter(Boolean)
    const config: Partial<ServiceConfig> = { adminKeyHash, corsOrigins: cors, trustProxy: values['trust-proxy'], retention, ingestRate: { perSecond: ingestRate, burst: ingestRate * 4 },
      allowPrivateWebhooks: values['allow-private-webhooks'], otlpResourceTags, ...(publicUrl !== undefined && { publicUrl }) }
    let service: ServiceHandle
    try {
      service = await listen({ database: store, port, host: values.host, logger, config })
    } catch (error) {
      logger.error({ err: error }, 'cannot listen')
      await store.close()
      return 1
    }
    logger.info({ url: service.url, db: database }, 'listening')

    logger.info({ signal: await stopRequested }, 'stopping: finishing in-flight requests')
    await service.close()
    await store.close()
    logger.info('stopped')
    logger.flush()
    return 0
  },
}
