// The pipeline behind `POST /v1/metrics` (OTLP/HTTP): as strict as metrics-collect's (the same ingest key,
// body limit, rate limit, dedupe window and store transaction), except that OTLP exporters cannot sign bodies,
// so only servers that accept unsigned ingest take it. Nothing is written unless the request is accepted.
import { DEDUPE_WINDOW_MS, MAX_BODY_BYTES, maxPointAgeMs, type MetricPoint, type ServerEvent, sha256Hex } from '@mcpdir/metrics/protocol'
import type { Context } from 'hono'
import type { AppEnv } from '../app/app-env'
import { ApiError } from '../http/api-error'
import { authenticateIngest } from '../http/auth'
import { decodeRequest, encodingOf } from '../otlp/decode'
import { inflateBody } from '../otlp/inflate'
import { mapRequest } from '../otlp/map-metrics'
import { CONTENT_TYPES, exportResponse } from '../otlp/response'
import { statefulIngest } from '../otlp/stateful'
import type { StatefulIngest } from '../store/store'
import { publishBatch } from './ingest-batch'

/** Batch ids of OTLP requests: this prefix and the SHA-256 of the (inflated) body, so a retried export is stored once. */
export const OTLP_BATCH_PREFIX = 'otlp:'

/** Authenticates, decodes, maps and stores one OTLP export; answers the OTLP response in the request's encoding. */
export async function ingestOtlp(c: Context<AppEnv>) {
  const { store, clock, metrics, ingestLimiter, config, hub } = c.var.deps
  const now = clock()
  const { server, keyHash } = await authenticateIngest(c)
  if (server.requireSignature) {
    throw new ApiError(
      403,
      'signature_required',
      `server ${server.id} requires signed batches, and OTLP exporters cannot sign: register it with --no-signature (servers add ${server.id} --no-signature) to accept OTLP`,
    )
  }
  ingestLimiter.take(`ingest:${keyHash}`)
  const encoding = encodingOf(c.req.header('content-type'))
  const body = await inflateBody(c.var.body, c.req.header('content-encoding'), MAX_BODY_BYTES)
  const request = decodeRequest(body, encoding)
  const mapped = mapRequest(request, { nowMs: now, maxAgeMs: maxPointAgeMs(config.retention.rawMs), resourceTags: config.otlpResourceTags })

  // an export with points taken is a sign of life, as the SDK's heartbeat is (availability)
  const events: ServerEvent[] = request.dataPoints > mapped.rejected ? [{ type: 'heartbeat', timestamp: now, details: {} }] : []
  let derived: { points: MetricPoint[]; events: ServerEvent[] } = { points: [], events: [] }
  let stateful: StatefulIngest | undefined
  if (mapped.cumulative.length > 0 || mapped.versions.length > 0) {
    const inner = statefulIngest(mapped.cumulative, mapped.versions, now)
    // what the committed transaction derived, for the live streams
    stateful = { ...inner, derive: (stored) => (derived = inner.derive(stored)) }
  }
  if (mapped.points.length > 0 || events.length > 0 || stateful) {
    const batchId = `${OTLP_BATCH_PREFIX}${await sha256Hex(body)}`
    const result = await store.ingest(server.id, batchId, mapped.points, events, now, now - DEDUPE_WINDOW_MS, stateful)
    if (result.duplicate) metrics.batchesDeduplicated.inc()
    else {
      c.var.deps.reportCache.invalidate(server.id)
      metrics.pointsIngested.inc(result.processed)
      if (hub.hasSubscribers(server.id)) publishBatch(hub, server.id, { points: [...mapped.points, ...derived.points], events: [...events, ...derived.events] }, now)
    }
  }
  const message = mapped.rejected > 0 ? `${mapped.rejected} of ${request.dataPoints} data points refused: ${mapped.reasons.join('; ')}` : ''
  return c.body(exportResponse(encoding, mapped.rejected, message) as string, 200, { 'content-type': CONTENT_TYPES[encoding] })
}
