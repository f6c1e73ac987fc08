import { DEFAULT_RETRY, type RetryPolicy } from './delivery'
import { describeValue, type ErrorHandler } from './errors'
import { decodeSigningSecret, MAX_BODY_BYTES, MAX_POINTS_PER_BATCH, ROUTES, serverIdProblem } from './protocol/index'

/** Options of {@link createMetrics}. Each connection option falls back to its environment variable. */
export interface MetricsOptions {
  /** This server's id in the directory. Env `MCPDIR_SERVER_ID`. */
  serverId?: string
  /** The ingest key (`mcpm_…`). Env `MCPDIR_API_KEY`. */
  apiKey?: string
  /**
   * The signing secret (`whsec_…`). Env `MCPDIR_SIGNING_SECRET`. One that is not `whsec_` + base64 is
   * reported once through `onError` (`invalid_config`) and the SDK runs as a no-op.
   */
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

  /** Receives every SDK error (a {@link MetricsError} with a `code`); the SDK never throws into its host. */
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
  retry: RetryPolicy
  spool: { dir: string | undefined; maxBytes: number } | false
  handleProcessEvents: boolean
  debug: boolean
  env: Record<string, string | undefined>
  onError: ErrorHandler | undefined
  fetch: typeof fetch | undefined
}

/** Longest delay a timer takes (setTimeout turns longer ones into 1 ms, which would flush in a loop). */
const MAX_DELAY_MS = 2 ** 31 - 1

function positive(value: unknown, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.min(value, max) : fallback
}

/** Each retry field when it is a usable number, else its default. */
function retryPolicy(retry: unknown): RetryPolicy {
  const r = (typeof retry === 'object' && retry !== null ? retry : {}) as Partial<Record<keyof RetryPolicy, unknown>>
  const jitter = typeof r.jitter === 'number' && r.jitter >= 0 && r.jitter <= 1 ? r.jitter : DEFAULT_RETRY.jitter
  const multiplier = typeof r.multiplier === 'number' && r.multiplier >= 1 && Number.isFinite(r.multiplier) ? r.multiplier : DEFAULT_RETRY.multiplier
  return {
    initialDelayMs: positive(r.initialDelayMs, DEFAULT_RETRY.initialDelayMs, MAX_DELAY_MS),
    maxDelayMs: positive(r.maxDelayMs, DEFAULT_RETRY.maxDelayMs, MAX_DELAY_MS),
    multiplier,
    jitter,
  }
}

/** Every option, read once from what the host passed: any value, getters and proxies included. */
const OPTION_KEYS = [
  'serverId', 'apiKey', 'signingSecret', 'endpoint', 'serverVersion', 'flushIntervalMs', 'maxSeries',
  'maxEventsPerWindow', 'maxBatchPoints', 'maxBatchBytes', 'maxQueuedBatches', 'maxQueueBytes', 'flushTimeoutMs',
  'shutdownTimeoutMs', 'requestTimeoutMs', 'retry', 'spool', 'handleProcessEvents', 'onError', 'debug', 'fetch', 'env',
] as const satisfies readonly (keyof MetricsOptions)[]

/**
 * A plain copy of the options, each read once (a throwing getter or proxy trap is caught and reported as
 * `unreadable`); anything but an object counts as no options.
 */
export function readOptions(input: unknown): { options: Record<string, unknown>; unreadable: string[] } {
  const options: Record<string, unknown> = {}
  const unreadable: string[] = []
  if ((typeof input !== 'object' && typeof input !== 'function') || input === null) return { options, unreadable }
  for (const key of OPTION_KEYS) {
    try {
      const value = (input as Record<string, unknown>)[key]
      if (value !== undefined) options[key] = value
    } catch {
      unreadable.push(key)
    }
  }
  return { options, unreadable }
}

/** Header values must be visible ASCII (a key with a line break or non-Latin text can never be sent). */
const HEADER_VALUE = /^[\x21-\x7e]+$/

/** The reason a present option is malformed, or undefined. */
function malformed(o: Record<string, unknown>, env: Record<string, unknown>): string | undefined {
  for (const key of ['serverId', 'apiKey', 'signingSecret', 'endpoint'] as const) {
    const value = o[key]
    if (value !== undefined && value !== null && typeof value !== 'string') return `${key} must be a string, not ${describeValue(value)}`
  }
  for (const name of ['MCPDIR_SERVER_ID', 'MCPDIR_API_KEY', 'MCPDIR_SIGNING_SECRET', 'MCPDIR_METRICS_ENDPOINT']) {
    const value = env[name]
    if (value !== undefined && typeof value !== 'string') return `env ${name} must be a string, not ${describeValue(value)}`
  }
  if (o.fetch !== undefined && typeof o.fetch !== 'function') return `fetch must be a function, not ${describeValue(o.fetch)}`
  if (o.env !== undefined && (typeof o.env !== 'object' || o.env === null)) return `env must be an object, not ${describeValue(o.env)}`
  return undefined
}

/**
 * Resolves options (a {@link readOptions} copy) and environment. `{ disabled }` says why the SDK runs as a
 * no-op because it is not configured; `{ invalid }` why it does because an option is malformed.
 */
export function resolveOptions(o: Record<string, unknown>): ResolvedOptions | { disabled: string } | { invalid: string } {
  const processEnv = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env
  const problem = malformed(o, (o.env ?? processEnv ?? {}) as Record<string, unknown>)
  if (problem) return { invalid: `metrics are off: ${problem}` }
  const options = o as MetricsOptions
  const env = options.env ?? processEnv ?? {}
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
  if (idProblem) return { invalid: `metrics are off: serverId ${describeValue(serverId)} is not a valid id (${idProblem})` }
  if (!HEADER_VALUE.test(apiKey as string)) return { invalid: 'metrics are off: apiKey must be visible ASCII characters (no spaces or line breaks)' }
  let url: URL
  try {
    url = new URL(endpoint as string)
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)')
  } catch {
    return { invalid: `metrics are off: endpoint ${describeValue(endpoint)} is not an http(s) URL` }
  }
  const signingSecret = (options.signingSecret ?? env.MCPDIR_SIGNING_SECRET) || undefined
  if (signingSecret !== undefined && !decodeSigningSecret(signingSecret)) {
    return { invalid: 'metrics are off: signingSecret (MCPDIR_SIGNING_SECRET) is not whsec_ followed by base64; ask the service for the secret again' }
  }
  const base = url.href.replace(/\/+$/, '')
  const spool: unknown = options.spool ?? true
  const spoolOptions = (typeof spool === 'object' && spool !== null ? spool : {}) as { dir?: unknown; maxBytes?: unknown }
  return {
    serverId: serverId as string,
    apiKey: apiKey as string,
    signingSecret,
    url: base.endsWith(ROUTES.metricsCollect) ? base : `${base}${ROUTES.metricsCollect}`,
    serverVersion: typeof options.serverVersion === 'string' ? options.serverVersion : undefined,
    flushIntervalMs: positive(options.flushIntervalMs, 10_000, MAX_DELAY_MS),
    maxSeries: positive(options.maxSeries, 2_000),
    maxEventsPerWindow: positive(options.maxEventsPerWindow, 100),
    maxBatchPoints: positive(options.maxBatchPoints, 1_000, MAX_POINTS_PER_BATCH),
    maxBatchBytes: positive(options.maxBatchBytes, 256 * 1024, MAX_BODY_BYTES),
    maxQueuedBatches: positive(options.maxQueuedBatches, 100),
    maxQueueBytes: positive(options.maxQueueBytes, 8 * 1024 * 1024),
    flushTimeoutMs: positive(options.flushTimeoutMs, 10_000, MAX_DELAY_MS),
    shutdownTimeoutMs: positive(options.shutdownTimeoutMs, 2_000, MAX_DELAY_MS),
    requestTimeoutMs: positive(options.requestTimeoutMs, 10_000, MAX_DELAY_MS),
    retry: retryPolicy(options.retry),
    spool:
      spool === false
        ? false
        : { dir: typeof spoolOptions.dir === 'string' ? spoolOptions.dir : undefined, maxBytes: positive(spoolOptions.maxBytes, 1024 * 1024) },
    handleProcessEvents: Boolean(options.handleProcessEvents ?? true),
    debug: Boolean(options.debug ?? env.MCPDIR_METRICS_DEBUG === '1'),
    env,
    onError: typeof options.onError === 'function' ? options.onError : undefined,
    fetch: typeof options.fetch === 'function' ? options.fetch : undefined,
  }
}
