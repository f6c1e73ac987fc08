import { type ErrorCode, errorResponseBody } from '@mcpdir/metrics/protocol'
import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'

/**
 * Thrown by handlers and helpers; the app turns it into the protocol's `ErrorResponse`,
 * `{ success: false, error: { code, message, path? } }`. Codes are the protocol's `ERROR_CODES`.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError'
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ErrorCode,
    message: string,
    readonly path?: string,
    readonly headers?: Record<string, string>,
  ) {
    super(message)
  }
}

export function errorResponse(c: Context, error: ApiError) {
  for (const [name, value] of Object.entries(error.headers ?? {})) c.header(name, value)
  return c.json(errorResponseBody(error.code, error.message, error.path), error.status)
}
