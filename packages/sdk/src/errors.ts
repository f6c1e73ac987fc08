/** What went wrong inside the SDK. Delivered to `onError`; never thrown into the host. */
export type MetricsErrorCode =
  | 'invalid_config'
  | 'invalid_metric'
  | 'invalid_event'
  | 'batch_rejected'
  | 'delivery_failed'
  | 'spool_failed'
  | 'internal'

export class MetricsError extends Error {
  override readonly name = 'MetricsError'
  constructor(
    readonly code: MetricsErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

export type ErrorHandler = (error: MetricsError) => void

/** Routes SDK errors to the host's hook and, with `debug`, to stderr. Never to stdout, never thrown. */
export interface Reporter {
  error(code: MetricsErrorCode, message: string, cause?: unknown): void
  debug(message: string): void
}

export function createReporter(onError: ErrorHandler | undefined, debug: boolean): Reporter {
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
      if (!onError) return
      try {
        onError(new MetricsError(code, message, { cause }))
      } catch {
        // a throwing hook must not break the host either
      }
    },
    debug(message) {
      if (debug) write(message)
    },
  }
}
