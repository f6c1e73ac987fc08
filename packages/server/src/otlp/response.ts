// The 200 of `POST /v1/metrics`, in the request's encoding: an empty `ExportMetricsServiceResponse`, or one with
// `partial_success` (how many data points were refused, and why) when some were.
import protojson from 'protobufjs/ext/protojson.js'
import { type OtlpEncoding, ResponseType } from './decode'

/** Content types of the answer, by the request's encoding. */
export const CONTENT_TYPES: Record<OtlpEncoding, string> = { protobuf: 'application/x-protobuf', json: 'application/json' }

/**
 * The body of a successful export: `{}` (JSON) or an empty message (protobuf) when everything was accepted;
 * else `partialSuccess { rejectedDataPoints, errorMessage }` (JSON field names, the 64-bit count as a string,
 * as the protobuf JSON mapping writes it).
 */
export function exportResponse(encoding: OtlpEncoding, rejected: number, message: string): Uint8Array | string {
  const body = rejected > 0 ? { partialSuccess: { rejectedDataPoints: rejected, errorMessage: message } } : {}
  if (encoding === 'json') return JSON.stringify(protojson.toJson(ResponseType, body) ?? {})
  return ResponseType.encode(ResponseType.fromObject(body)).finish()
}
