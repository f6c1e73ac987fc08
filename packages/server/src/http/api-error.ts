import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'

/** Every refusal the service answers, by name. */
export type ErrorCode =
  | 'invalid_json'
  | 'invalid_body'
  | 'payload_too_large'
  | 'missing_api_key'
  | 'invalid_api_key'
  | 'key_server_mismatch'
  | 'server_disabled'
  | 'signature_missing'
  | 'signature_malformed'
  | 'signature_mismatch'
  | 'timestamp_stale'
  | 'timestamp_future'
  | 'rate_limited'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'unavailable'
  | 'internal_error'

/** Thrown by handlers and helpers; the app turns it into `{ success: false, error: { code, message, path? } }`. */
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
  return c.json(
    { success: false, error: { code: error.code, message: error.message, ...(error.path !== undefined && { path: error.path }) } },
    error.status,
  )
}
