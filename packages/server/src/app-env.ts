import type { Logger } from 'pino'
import type { Clock } from './clock'
import type { ServiceConfig } from './config'
import type { RateLimiter } from './rate-limiter'
import type { ServiceMetrics } from './service-metrics'
import type { Store } from './store'

/** What every route handler can reach through `c.var.deps`. */
export interface AppDeps {
  store: Store
  clock: Clock
  config: ServiceConfig
  logger: Logger
  metrics: ServiceMetrics
  ingestLimiter: RateLimiter
  usageLimiter: RateLimiter
  /** Key of the visitor hash, a random secret kept in the database. */
  visitorSecret: () => Promise<string>
  startedAt: number
}

export interface AppEnv {
  Variables: { deps: AppDeps }
}
