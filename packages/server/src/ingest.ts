// Shared by metrics-collect and server-events: authenticate, verify the signature over the raw body,
// validate, and store the whole batch in one transaction (or acknowledge a retry).
import { DEDUPE_WINDOW_MS, describeIssues, parseCollectBatch, sha256Hex, verifySignedRequest, WEBHOOK_ID_HEADER } from '@mcpdir/metrics/protocol'
import type { Context } from 'hono'
import { ApiError } from './api-error'
import type { AppEnv } from './app-env'
import { authenticateIngest } from './auth'
import { readJson } from './read-json'

export async function ingest(c: Context<AppEnv>, options: { eventsOnly: boolean }) {
  const { store, clock, metrics, ingestLimiter } = c.var.deps
  const now = clock()
  const { server, key } = await authenticateIngest(c)
  ingestLimiter.take(key)
  const pathServerId = c.req.param('serverId')
  if (pathServerId !== undefined && pathServerId !== server.id) {
    throw new ApiError(403, 'key_server_mismatch', `this key is for another server than ${pathServerId}`)
  }

  const raw = new Uint8Array(await c.req.arrayBuffer())
  const check = await verifySignedRequest({ headers: c.req.raw.headers, body: raw, secrets: await store.signingSecrets(server.id, now), nowMs: now })
  if (!check.ok && (check.code !== 'signature_missing' || server.requireSignature)) {
    throw new ApiError(401, check.code, check.message)
  }

  const json = readJson(raw)
  const bodyServerId = (json as { server_id?: unknown } | null)?.server_id
  if (typeof bodyServerId === 'string' && bodyServerId !== server.id) {
    throw new ApiError(403, 'key_server_mismatch', `this key is for another server than ${bodyServerId}`, 'server_id')
  }
  const parsed = parseCollectBatch(json, { nowMs: now, serverId: server.id })
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
  else metrics.pointsIngested.inc(result.processed)
  return c.json({
    success: true,
    metrics_processed: batch.points.length,
    ...(options.eventsOnly && { events_processed: batch.events.length }),
    ...(result.duplicate && { duplicate: true }),
  })
}
