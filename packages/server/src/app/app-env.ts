import type { Logger } from 'pino'
import type { AlertService } from '../alerts/alert-service'
import type { Clock } from './clock'
import type { ServiceConfig } from './config'
import type { HeadlineIndex } from '../query/headline-index'
import type { LiveHub } from '../query/live-hub'
import type { RateLimiter } from '../http/rate-limiter'
import type { ReportCache } from '../query/report-cache'
import type { Rollups } from '../query/rollups'
import type { ServiceMetrics } from './service-metrics'
import type { Store } from '../store/store'

/** What every route handler can reach through `c.var.deps`. */
export interface AppDeps {
  store: Store
  clock: Clock
  config: ServiceConfig
  logger: Logger
  metrics: ServiceMetrics
  rollups: Rollups
  reportCache: ReportCache
  /** The servers list's numbers per period, kept current in the background. */
  headlines: HeadlineIndex
  /** Live streams of this process. */
  hub: LiveHub
  ingestLimiter: RateLimiter
  usageLimiter: RateLimiter
  /** Key of the visitor hash, a random secret kept in the database. */
  visitorSecret: () => Promise<string>
  /** Alert rules evaluated and webhooks delivered (alerts/). */
  alerts: AlertService
  startedAt: number
}

export interface AppEnv {
  Variables: {
    deps: AppDeps
    /** The request body, read once within the size limit (see body-limit.ts). */
    body: Uint8Array
  }
}
