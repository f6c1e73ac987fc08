import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import type { Logger } from 'pino'
import pino from 'pino'
import { openStore } from '../store/open-store'
import type { Store } from '../store/store'
import type { Clock } from './clock'
import type { ServiceConfig } from './config'
import { createApp, type MetricsApp } from './create-app'

export interface ListenOptions {
  /**
   * Where to keep the data: a `Store`, or a URL for {@link openStore} (`./data/metrics.db`,
   * `postgresql://…`). A store given here is the caller's to close; one opened from a URL is closed by
   * {@link ServiceHandle.close}.
   */
  database: Store | string
  /** Default 8787; 0 picks a free port. */
  port?: number
  /** Default `127.0.0.1`. */
  host?: string
  config?: Partial<ServiceConfig>
  /** Defaults to a silent logger. */
  logger?: Logger
  clock?: Clock
}

export interface ServiceHandle {
  /** `http://<host>:<port>` */
  url: string
  port: number
  app: MetricsApp
  store: Store
  /** Stops accepting, finishes in-flight requests, ends live streams, closes a store opened from a URL. */
  close(): Promise<void>
}

/**
 * Runs the service on Node's HTTP server: what `mcpdir-metrics serve` does, for embedding in a program.
 *
 * @example
 * ```ts
 * const service = await listen({ database: './data/metrics.db', port: 8787 })
 * process.once('SIGTERM', () => void service.close())
 * ```
 */
export async function listen(options: ListenOptions): Promise<ServiceHandle> {
  const ownStore = typeof options.database === 'string'
  const store = typeof options.database === 'string' ? await openStore(options.database) : options.database
  const host = options.host ?? '127.0.0.1'
  const app = createApp({
    store,
    logger: options.logger ?? pino({ level: 'silent' }),
    ...(options.config && { config: options.config }),
    ...(options.clock && { clock: options.clock }),
  })
  try {
    const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
      const s = serve({ fetch: app.fetch, port: options.port ?? 8787, hostname: host }, () => resolve(s))
      s.once('error', reject)
    })
    const port = (server.address() as AddressInfo).port
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`
    // links in alert webhooks point here unless a public URL was configured
    app.deps.config.publicUrl ??= url
    let closing: Promise<void> | undefined
    return {
      url,
      port,
      app,
      store,
      close() {
        closing ??= new Promise<void>((resolve) => {
          app.stop()
          server.close(() => resolve())
        }).then(() => (ownStore ? store.close() : undefined))
        return closing
      },
    }
  } catch (error) {
    app.stop()
    if (ownStore) await store.close()
    throw error
  }
}
