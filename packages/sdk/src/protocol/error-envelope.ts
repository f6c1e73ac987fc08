// Every refusal the service answers, and the body it answers it with. Zod-free, so browser bundles can import it.

/** Why a batch's signature was refused: the codes of a failed `verifySignedRequest`, answered with a 401. */
export const SIGNATURE_ERROR_CODES = [
  'signature_missing',
  'signature_malformed',
  'timestamp_stale',
  'timestamp_future',
  'signature_mismatch',
] as const

/** One of {@link SIGNATURE_ERROR_CODES}. */
export type SignatureErrorCode = (typeof SIGNATURE_ERROR_CODES)[number]

/** Every error code the service answers, by name; the signing codes are among them. */
export const ERROR_CODES = [
  'invalid_json',
  'invalid_body',
  'payload_too_large',
  'unsupported_media_type',
  'missing_api_key',
  'invalid_api_key',
  'key_server_mismatch',
  'server_disabled',
  ...SIGNATURE_ERROR_CODES,
  'signature_required',
  'rate_limited',
  'unauthorized',
  'forbidden',
  'invalid_stream_token',
  'not_found',
  'conflict',
  'unavailable',
  'internal_error',
] as const

/** One of {@link ERROR_CODES}. */
export type ErrorCode = (typeof ERROR_CODES)[number]

/** The `error` of an {@link ErrorResponse}. */
export interface ErrorDetail {
  code: ErrorCode
  /** For people: what was wrong (for `invalid_body`, `path: message` of up to five issues). */
  message: string
  /** Where in the request the first problem is (`metrics[3].tags.env`, `server_id`), when it has a place. */
  path?: string
}

/** The body of every refusal (4xx) and failure (5xx): `{ success: false, error: { code, message, path? } }`. */
export interface ErrorResponse {
  success: false
  error: ErrorDetail
}

const codes: ReadonlySet<string> = new Set(ERROR_CODES)

/** True when `value` is one of {@link ERROR_CODES}. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && codes.has(value)
}

/**
 * True when `body` (a parsed JSON answer) is an {@link ErrorResponse}: `success: false`, a known code, a string
 * message and, if present, a string path. A body with a code this version does not know is not one.
 */
export function isErrorResponse(body: unknown): body is ErrorResponse {
  if (typeof body !== 'object' || body === null || (body as { success?: unknown }).success !== false) return false
  const error = (body as { error?: unknown }).error
  if (typeof error !== 'object' || error === null) return false
  const { code, message, path } = error as Record<string, unknown>
  return isErrorCode(code) && typeof message === 'string' && (path === undefined || typeof path === 'string')
}

/** The `error` of a parsed JSON answer when it is an {@link ErrorResponse}, else `undefined`. */
export function parseErrorResponse(body: unknown): ErrorDetail | undefined {
  return isErrorResponse(body) ? body.error : undefined
}

/** The {@link ErrorResponse} body for a code, message and optional path (what the service answers). */
export function errorResponseBody(code: ErrorCode, message: string, path?: string): ErrorResponse {
  return { success: false, error: { code, message, ...(path !== undefined && { path }) } }
}
