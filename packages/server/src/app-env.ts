import type { Logger } from 'pino'
import type { Clock } from './clock'
import type { ServiceConfig } from './config'
import type { EventHub } from './event-hub'
import type { RateLimiter } from './rate-limiter'
import type { ReportCache } from './report-cache'
import type { Rollups } from './rollups'
import type { ServiceMetrics } from './service-metrics'
import type { Store } from './store'

/** What every route handler can reach through `c.var.deps`. */
export interface AppDeps {
  store: Store
  clock: Clock
  config: ServiceConfig
  logger: Logger
  metrics: ServiceMetrics
  rollups: Rollups
  reportCache: ReportCache
  /** Live streams of this process. */
  hub: EventHub
  ingestLimiter: RateLimiter
  usageLimiter: RateLimiter
  /** Key of the visitor hash, a random secret kept in the database. */
  visitorSecret: () => Promise<string>
  startedAt: number
}

export interface AppEnv {
  Variables: {
    deps: AppDeps
    /** The request body, read once within the size limit (see body-limit.ts). */
    body: Uint8Array
  }
}
