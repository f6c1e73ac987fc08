/** What went wrong inside the SDK. Delivered to `onError`; never thrown into the host. */
export type MetricsErrorCode =
  /** An option is malformed (a signing secret that is not `whsec_` + base64, an id, URL or key of the wrong shape); reported once, at creation, and the SDK runs as a no-op. */
  | 'invalid_config'
  /** A metric name, tags or value was refused (dropped and counted in `mcpdir.sdk.invalid_values`); reported once per metric name. */
  | 'invalid_metric'
  /** An event was refused (unknown type, details not a small flat object of scalars). */
  | 'invalid_event'
  /** The service refused a batch for good (a 4xx other than 408, 413, 429); it was dropped. */
  | 'batch_rejected'
  /** Reserved; not sent by this version (network errors and 5xx are retried quietly: see `debug`). */
  | 'delivery_failed'
  /** Unsent batches could not be written to, or read from, the spool file. */
  | 'spool_failed'
  /** A bug in the SDK, caught before it reached the host. */
  | 'internal'

/** An SDK error, as `onError` receives it. `code` says what kind; `cause` holds what was thrown, if anything. */
export class MetricsError extends Error {
  override readonly name = 'MetricsError'
  constructor(
    readonly code: MetricsErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(typeof message === 'string' ? message : describeValue(message), readCause(options))
  }
}

/** `{ cause }` of an options bag that may be anything, read once; never throws. */
function readCause(options: unknown): { cause: unknown } | undefined {
  try {
    return typeof options === 'object' && options !== null && 'cause' in options ? { cause: (options as { cause: unknown }).cause } : undefined
  } catch {
    return undefined
  }
}

/** Receives every SDK error; whatever it throws is ignored. */
export type ErrorHandler = (error: MetricsError) => void

/** Routes SDK errors to the host's hook and, with `debug`, to stderr. Never to stdout, never thrown. */
export interface Reporter {
  error(code: MetricsErrorCode, message: string, cause?: unknown): void
  debug(message: string): void
}

export function createReporter(onError: unknown, debug: boolean): Reporter {
  const hook = typeof onError === 'function' ? (onError as ErrorHandler) : undefined
  const write = (line: string) => {
    try {
      process.stderr.write(`[mcpdir-metrics] ${line}\n`)
    } catch {
      // no stderr (edge runtime): nothing to do
    }
  }
  return {
    error(code, message, cause) {
      if (debug) write(`${code}: ${message}`)
      if (!hook) return
      try {
        hook(new MetricsError(code, message, { cause }))
      } catch {
        // a throwing hook must not break the host either
      }
    },
    debug(message) {
      if (debug) write(message)
    },
  }
}

/**
 * A short description of any value for an error message, safe for values that throw when read or printed
 * (proxies, BigInt in JSON, symbols, throwing `toString`): it never calls into the value.
 */
export function describeValue(value: unknown): string {
  try {
    switch (typeof value) {
      case 'string':
        return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value)
      case 'number':
      case 'boolean':
      case 'undefined':
        return String(value)
      case 'bigint':
        return `${value}n`
      case 'symbol':
        return 'a symbol'
      case 'function':
        return 'a function'
      default:
        return value === null ? 'null' : Array.isArray(value) ? 'an array' : 'an object'
    }
  } catch {
    return 'a value'
  }
}

/** An error's message, or {@link describeValue} of whatever was thrown; never throws. */
export function describeError(error: unknown): string {
  try {
    if (error instanceof Error && typeof error.message === 'string') return error.message
  } catch {
    // a hostile error object: describe it instead
  }
  return describeValue(error)
}
