import { API_PREFIX, DEFAULT_PERIOD, MAX_BODY_BYTES, ROUTES } from '@mcpdir/metrics/protocol'
import { Hono } from 'hono'
import { cors } from 'hono/cors'
import pino, { type Logger } from 'pino'
import { adminServers } from '../routes/admin-servers'
import { AlertService } from '../alerts/alert-service'
import type { Resolve } from '../alerts/webhook-url'
import { badge } from '../routes/badge'
import { ApiError, errorResponse } from '../http/api-error'
import type { AppDeps, AppEnv } from './app-env'
import { readBodyWithin } from '../http/body-limit'
import { type Clock, systemClock } from './clock'
import { DEFAULT_CONFIG, type ServiceConfig } from './config'
import { HeadlineIndex } from '../query/headline-index'
import { LiveHub } from '../query/live-hub'
import { dashboard } from '../routes/dashboard'
import { healthz } from '../routes/healthz'
import { metricsAggregate } from '../routes/metrics-aggregate'
import { metricsCollect } from '../routes/metrics-collect'
import { metricsFetch } from '../routes/metrics-fetch'
import { metricsStream } from '../routes/metrics-stream'
import { otlpMetrics } from '../routes/otlp-metrics'
import { prometheusMetrics } from '../routes/prometheus-metrics'
import { RateLimiter } from '../http/rate-limiter'
import { isUnavailableError } from '../http/unavailable'
import { ReportCache } from '../query/report-cache'
import { applyRetention } from '../query/retention'
import { Rollups } from '../query/rollups'
import { serverEvents } from '../routes/server-events'
import { serversList } from '../routes/servers'
import { createServiceMetrics } from './service-metrics'
import { everyInterval } from './background-job'
import type { Store } from '../store/store'
import { usageTrack } from '../routes/usage-track'

export interface CreateAppOptions {
  store: Store
  config?: Partial<ServiceConfig>
  /** Defaults to the system clock. */
  clock?: Clock
  /** Defaults to a silent logger. */
  logger?: Logger
  /**
   * Roll up, apply retention and refresh the servers list's numbers on timers in the background (unref'd, so
   * they never keep a process alive). Default true. Reads roll up pending minutes themselves, so results are
   * current either way; without background jobs, a read of the servers list older than `headlineRefreshMs`
   * starts its refresh.
   */
  backgroundJobs?: boolean
  /** How webhook hosts resolve (tests); the system resolver by default. */
  webhookResolve?: Resolve
}

export type MetricsApp = Hono<AppEnv> & {
  /** Stops the background jobs and ends live streams. */
  stop(): void
  readonly deps: AppDeps
}

/**
 * The service as a Hono app: serve it with @hono/node-server, or mount it in another Hono app with
 * `parent.route('/', createApp(...))`.
 */
export function createApp(options: CreateAppOptions): MetricsApp {
  const clock = options.clock ?? systemClock
  const config: ServiceConfig = { ...DEFAULT_CONFIG, ...options.config }
  const store = options.store
  let visitorSecret: Promise<string> | undefined
  const backgroundJobs = options.backgroundJobs ?? true
  const logger = options.logger ?? pino({ level: 'silent' })
  const rollups = new Rollups(store, clock, config.retention)
  const deps: AppDeps = {
    store,
    clock,
    config,
    rollups,
    reportCache: new ReportCache(clock),
    headlines: new HeadlineIndex({
      store,
      clock,
      logger,
      rollUpPending: () => rollups.runPending(),
      refreshMs: config.headlineRefreshMs,
      // replicas sharing a database learn of each other's usage records only by rereading
      sweepPerRefresh: store.kind === 'postgres' ? 100 : 0,
      keep: backgroundJobs ? [DEFAULT_PERIOD] : [],
      // catching up with a moving window may take a tenth of the refresh interval; data that arrived is never put off
      windowBudgetMs: Math.max(1_000, config.headlineRefreshMs / 10),
    }),
    hub: new LiveHub(),
    logger,
    metrics: createServiceMetrics(),
    ingestLimiter: new RateLimiter(config.ingestRate.perSecond, config.ingestRate.burst, clock),
    usageLimiter: new RateLimiter(config.usageRate.perSecond, config.usageRate.burst, clock),
    visitorSecret: () => {
      visitorSecret ??= store.initSetting('visitor_secret', crypto.randomUUID() + crypto.randomUUID())
      return visitorSecret
    },
    alerts: new AlertService({
      store,
      clock,
      logger,
      rollups,
      settings: () => config,
      ...(options.webhookResolve && { resolve: options.webhookResolve }),
    }),
    startedAt: clock(),
  }

  // errors the store meets outside any request (a pooled PostgreSQL connection lost while idle)
  const stopListening = store.onError?.((error) => deps.logger.warn({ err: error }, 'database connection lost while idle; the pool replaces it'))

  const app = new Hono<AppEnv>()
  app.use(async (c, next) => {
    c.set('deps', deps)
    await next()
    deps.metrics.httpRequests.inc({ route: c.req.routePath, status: String(c.res.status) })
  })
  app.use(`${API_PREFIX}/*`, readBodyWithin(MAX_BODY_BYTES))
  app.use(ROUTES.otlpMetrics, readBodyWithin(MAX_BODY_BYTES))

  app.route('/', dashboard())
  app.route(ROUTES.healthz, healthz())
  app.route(ROUTES.prometheusMetrics, prometheusMetrics())
  app.route(ROUTES.metricsCollect, metricsCollect())
  app.route(ROUTES.serverEvents, serverEvents())
  app.route(ROUTES.otlpMetrics, otlpMetrics())
  app.route(ROUTES.usageTrack, usageTrack(config.corsOrigins))
  // Directory sites on other origins read metrics from the browser (the MetricsTab).
  const readCors = cors({
    origin: config.corsOrigins === '*' ? '*' : (origin) => ((config.corsOrigins as string[]).includes(origin) ? origin : null),
    allowMethods: ['GET', 'OPTIONS'],
    allowHeaders: ['authorization', 'if-none-match'],
    exposeHeaders: ['etag'],
    maxAge: 86_400,
  })
  for (const path of [ROUTES.metricsFetch, ROUTES.metricsStream, ROUTES.servers]) app.use(path, readCors)
  app.use(`${ROUTES.badge}/*`, readCors)
  app.route(ROUTES.metricsFetch, metricsFetch())
  app.route(ROUTES.metricsAggregate, metricsAggregate())
  app.route(ROUTES.metricsStream, metricsStream())
  app.route(ROUTES.servers, serversList())
  app.route(ROUTES.adminServers, adminServers())
  app.route(ROUTES.badge, badge())

  app.notFound((c) => errorResponse(c, new ApiError(404, 'not_found', `no route for ${c.req.method} ${c.req.path}`)))
  app.onError((error, c) => {
    if (error instanceof ApiError) {
      deps.metrics.rejects.inc({ reason: error.code })
      deps.logger.info({ route: c.req.routePath, status: error.status, code: error.code }, error.message)
      return errorResponse(c, error)
    }
    // a database that cannot answer or take writes right now (see http/unavailable.ts): retry, never dropped
    if (isUnavailableError(error)) {
      deps.metrics.rejects.inc({ reason: 'unavailable' })
      deps.logger.error({ err: error, route: c.req.routePath }, 'database unavailable')
      return errorResponse(c, new ApiError(503, 'unavailable', 'the database cannot answer or take writes right now; retry later', undefined, { 'retry-after': '5' }))
    }
    deps.logger.error({ err: error, route: c.req.routePath }, 'unhandled error')
    return errorResponse(c, new ApiError(500, 'internal_error', 'internal error'))
  })

  const timers: ReturnType<typeof setInterval>[] = []
  if (backgroundJobs) {
    const every = (ms: number, job: () => Promise<unknown>, name: string) => timers.push(everyInterval(ms, job, name, deps.logger))
    every(config.rollupIntervalMs, () => deps.rollups.runPending(), 'rollup')
    every(config.retentionIntervalMs, () => applyRetention(store, clock, config.retention).then(() => store.maintain()), 'retention')
    every(config.headlineRefreshMs, () => deps.headlines.refresh(), 'headline refresh')
    deps.alerts.start(config.alertIntervalMs, config.deliveryIntervalMs)
  }
  return Object.assign(app, {
    deps,
    stop() {
      stopListening?.()
      for (const timer of timers) clearInterval(timer)
      deps.alerts.stop()
      deps.hub.closeAll()
    },
  })
}
