import { Hono } from 'hono'
import type { AppEnv } from './app-env'
import { type Clock, systemClock } from './clock'
import { healthz } from './healthz'
import type { Store } from './store'

export interface CreateAppOptions {
  store: Store
  /** Defaults to the system clock. */
  clock?: Clock
}

/**
 * The service as a Hono app: serve it with @hono/node-server, or mount it in another Hono app with
 * `parent.route('/', createApp(...))`.
 */
export function createApp(options: CreateAppOptions): Hono<AppEnv> {
  const clock = options.clock ?? systemClock
  const deps = { store: options.store, clock, startedAt: clock() }
  const app = new Hono<AppEnv>()
  app.use(async (c, next) => {
    c.set('deps', deps)
    await next()
  })
  app.route('/healthz', healthz())
  return app
}
