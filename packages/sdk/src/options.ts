import type { ErrorHandler } from './errors'
import type { RetryPolicy } from './delivery'
import { MAX_BODY_BYTES, MAX_POINTS_PER_BATCH, ROUTES, serverIdProblem } from './protocol/index'

/** Options of {@link createMetrics}. Each connection option falls back to its environment variable. */
export interface MetricsOptions {
  /** This server's id in the directory. Env `MCPDIR_SERVER_ID`. */
  serverId?: string
  /** The ingest key (`mcpm_…`). Env `MCPDIR_API_KEY`. */
  apiKey?: string
  /** The signing secret (`whsec_…`). Env `MCPDIR_SIGNING_SECRET`. */
  signingSecret?: string
  /** The service's base URL, e.g. `https://metrics.example.com`. Env `MCPDIR_METRICS_ENDPOINT`. */
  endpoint?: string
  /** This server's version, reported with the `restart` event. */
  serverVersion?: string

  /** How often a window is flushed. Default 10 000 ms. */
  flushIntervalMs?: number
  /** Series with data in one window; beyond it updates fold into the name's `overflow` series. Default 2 000. */
  maxSeries?: number
  /** Events kept per window; more are dropped and counted. Default 100. */
  maxEventsPerWindow?: number
  /** Points per batch. Default 1 000. */
  maxBatchPoints?: number
  /** Bytes per batch; larger windows are split. Default 256 KiB. */
  maxBatchBytes?: number
  /** Batches waiting to be sent; the oldest is dropped beyond it. Default 100. */
  maxQueuedBatches?: number
  /** Bytes waiting to be sent; the oldest batches are dropped beyond it. Default 8 MiB. */
  maxQueueBytes?: number
  /** Time `flush()` waits for delivery. Default 10 000 ms. */
  flushTimeoutMs?: number
  /** Time `shutdown()` (and SIGTERM, SIGINT, stdin end, beforeExit) spends flushing. Default 2 000 ms. */
  shutdownTimeoutMs?: number
  /** Time one request may take. Default 10 000 ms. */
  requestTimeoutMs?: number
  /** Retry backoff. Default 1 s doubling to 30 s, ±20 % jitter. */
  retry?: Partial<RetryPolicy>
  /** Spool unsent batches to a file at exit and send them on the next start. Default on. */
  spool?: boolean | { dir?: string; maxBytes?: number }
  /** Flush on SIGTERM, SIGINT, stdin end and beforeExit, spool at exit. Default true. */
  handleProcessEvents?: boolean

  /** Receives every SDK error; the SDK never throws into its host. */
  onError?: ErrorHandler
  /** Writes what the SDK does to stderr (never stdout). Env `MCPDIR_METRICS_DEBUG=1`. */
  debug?: boolean
  /** `fetch` to send with instead of undici (edge runtimes, tests). */
  fetch?: typeof fetch
  /** Environment to read; defaults to `process.env`. */
  env?: Record<string, string | undefined>
}

export interface ResolvedOptions {
  serverId: string
  apiKey: string
  signingSecret: string | undefined
  url: string
  serverVersion: string | undefined
  flushIntervalMs: number
  maxSeries: number
  maxEventsPerWindow: number
  maxBatchPoints: number
  maxBatchBytes: number
  maxQueuedBatches: number
  maxQueueBytes: number
  flushTimeoutMs: number
  shutdownTimeoutMs: number
  requestTimeoutMs: number
  retry: Partial<RetryPolicy>
  spool: { dir: string | undefined; maxBytes: number } | false
  handleProcessEvents: boolean
  debug: boolean
  env: Record<string, string | undefined>
}

function positive(value: number | undefined, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.min(value, max) : fallback
}

/** Resolves options and environment; `{ disabled }` says why the SDK runs as a no-op. */
export function resolveOptions(options: MetricsOptions): ResolvedOptions | { disabled: string } {
  const env = options.env ?? (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {}
  const serverId = options.serverId ?? env.MCPDIR_SERVER_ID
  const apiKey = options.apiKey ?? env.MCPDIR_API_KEY
  const endpoint = options.endpoint ?? env.MCPDIR_METRICS_ENDPOINT
  const missing = [
    !serverId && 'serverId (MCPDIR_SERVER_ID)',
    !apiKey && 'apiKey (MCPDIR_API_KEY)',
    !endpoint && 'endpoint (MCPDIR_METRICS_ENDPOINT)',
  ].filter(Boolean)
  if (missing.length > 0) return { disabled: `metrics are off: missing ${missing.join(', ')}` }
  const idProblem = serverIdProblem(serverId)
  if (idProblem) return { disabled: `metrics are off: serverId ${JSON.stringify(serverId)} is not a valid id (${idProblem})` }
  let url: URL
  try {
    url = new URL(endpoint as string)
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)')
  } catch {
    return { disabled: `metrics are off: endpoint ${JSON.stringify(endpoint)} is not an http(s) URL` }
  }
  const base = url.href.replace(/\/+$/, '')
  const spool = options.spool ?? true
  return {
    serverId: serverId as string,
    apiKey: apiKey as string,
    signingSecret: options.signingSecret ?? env.MCPDIR_SIGNING_SECRET ?? undefined,
    url: base.endsWith(ROUTES.metricsCollect) ? base : `${base}${ROUTES.metricsCollect}`,
    serverVersion: options.serverVersion,
    flushIntervalMs: positive(options.flushIntervalMs, 10_000),
    maxSeries: positive(options.maxSeries, 2_000),
    maxEventsPerWindow: positive(options.maxEventsPerWindow, 100),
    maxBatchPoints: positive(options.maxBatchPoints, 1_000, MAX_POINTS_PER_BATCH),
    maxBatchBytes: positive(options.maxBatchBytes, 256 * 1024, MAX_BODY_BYTES),
    maxQueuedBatches: positive(options.maxQueuedBatches, 100),
    maxQueueBytes: positive(options.maxQueueBytes, 8 * 1024 * 1024),
    flushTimeoutMs: positive(options.flushTimeoutMs, 10_000),
    shutdownTimeoutMs: positive(options.shutdownTimeoutMs, 2_000),
    requestTimeoutMs: positive(options.requestTimeoutMs, 10_000),
    retry: options.retry ?? {},
    spool:
      spool === false
        ? false
        : { dir: (spool === true ? undefined : spool.dir) ?? undefined, maxBytes: positive(spool === true ? undefined : spool.maxBytes, 1024 * 1024) },
    handleProcessEvents: options.handleProcessEvents ?? true,
    debug: options.debug ?? env.MCPDIR_METRICS_DEBUG === '1',
    env,
  }
}
