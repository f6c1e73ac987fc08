// Shared by metrics-collect and server-events: authenticate, verify the signature over the raw body,
// validate, and store the whole batch in one transaction (or acknowledge a retry).
import {
  type CollectBatch,
  DEDUPE_WINDOW_MS,
  describeIssues,
  maxPointAgeMs,
  parseCollectBatch,
  Sketch,
  STREAM_EVENT,
  type StreamPoint,
  sha256Hex,
  sketchPercentiles,
  verifySignedRequest,
  WEBHOOK_ID_HEADER,
} from '@mcpdir/metrics/protocol'
import type { Context } from 'hono'
import { ApiError } from '../http/api-error'
import type { AppEnv } from '../app/app-env'
import { authenticateIngest } from '../http/auth'
import type { LiveHub } from '../query/live-hub'
import { readJson } from '../http/read-json'

export async function ingest(c: Context<AppEnv>, options: { eventsOnly: boolean }) {
  const { store, clock, metrics, ingestLimiter, config, hub } = c.var.deps
  const now = clock()
  const { server, keyHash } = await authenticateIngest(c)
  // buckets per key (a rotated key and its successor each have their own), known by the key's hash
  ingestLimiter.take(`ingest:${keyHash}`)
  const pathServerId = c.req.param('serverId')
  if (pathServerId !== undefined && pathServerId !== server.id) {
    throw new ApiError(403, 'key_server_mismatch', `this key is for another server than ${pathServerId}`)
  }

  const raw = c.var.body
  const check = await verifySignedRequest({ headers: c.req.raw.headers, body: raw, secrets: await store.signingSecrets(server.id, now), nowMs: now })
  if (!check.ok && (check.code !== 'signature_missing' || server.requireSignature)) {
    throw new ApiError(401, check.code, check.message)
  }

  const json = readJson(raw)
  const bodyServerId = (json as { server_id?: unknown } | null)?.server_id
  if (typeof bodyServerId === 'string' && bodyServerId !== server.id) {
    throw new ApiError(403, 'key_server_mismatch', `this key is for another server than ${bodyServerId}`, 'server_id')
  }
  // Late points are accepted while their raw neighbours are still kept (the protocol's margin), so a bucket
  // is never recomputed from partly purged data.
  const maxAgeMs = maxPointAgeMs(config.retention.rawMs)
  const parsed = parseCollectBatch(json, { nowMs: now, serverId: server.id, maxAgeMs })
  if (!parsed.ok) throw new ApiError(400, 'invalid_body', describeIssues(parsed.issues), parsed.issues[0]?.path)
  const batch = parsed.value
  if (options.eventsOnly && batch.points.length > 0) {
    throw new ApiError(400, 'invalid_body', 'server-events takes events only; send metrics to metrics-collect', 'metrics')
  }

  const batchId = check.ok
    ? check.batchId
    : (c.req.header(WEBHOOK_ID_HEADER) ?? batch.batchId ?? `sha256:${await sha256Hex(raw)}`)
  const result = await store.ingest(server.id, batchId, batch.points, batch.events, now, now - DEDUPE_WINDOW_MS)
  if (result.duplicate) metrics.batchesDeduplicated.inc()
  else {
    c.var.deps.reportCache.invalidate(server.id)
    metrics.pointsIngested.inc(result.processed)
    if (hub.hasSubscribers(server.id)) publishBatch(hub, server.id, batch, now)
  }
  return c.json({
    success: true,
    metrics_processed: batch.points.length,
    ...(options.eventsOnly && { events_processed: batch.events.length }),
    ...(result.duplicate && { duplicate: true }),
  })
}

/** Sends an accepted batch's points and events (and its heartbeat apart) to the server's live streams. */
export function publishBatch(hub: LiveHub, serverId: string, batch: Pick<CollectBatch, 'points' | 'events'>, now: number) {
  const heartbeat = batch.events.find((e) => e.type === 'heartbeat')
  const events = batch.events.filter((e) => e.type !== 'heartbeat')
  if (batch.points.length > 0 || events.length > 0) {
    // Timers carry their sketch (so clients merge them exactly) and this point's own avg and percentiles.
    const points = batch.points.map((p) => {
      const { sketch, ...rest } = p
      const stream: StreamPoint = { ...rest }
      if (sketch) {
        Object.assign(stream, { avg: p.sum / p.count, ...sketchPercentiles(Sketch.fromJSON(sketch), p.min, p.max), sketch })
      }
      return stream
    })
    hub.publish(serverId, { event: STREAM_EVENT.metrics, data: { server_id: serverId, received_at: now, points, events } })
  }
  if (heartbeat) hub.publish(serverId, { event: STREAM_EVENT.heartbeat, data: { server_id: serverId, timestamp: heartbeat.timestamp } })
}
