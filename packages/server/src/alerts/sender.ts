// Sends queued deliveries: claims the due ones (each replica different ones), signs each attempt the Standard
// Webhooks way with its rule's secret under the delivery's id (the same `webhook-id` on every retry, for the
// receiver to dedupe on), posts it (post-webhook.ts), and records the attempt with what comes next: delivered,
// retried with backoff (backoff.ts), or given up.
import { createSignatureHeaders } from '@mcpdir/metrics/protocol'
import type { Logger } from 'pino'
import type { Clock } from '../app/clock'
import type { ClaimedDelivery, DeliveryAttempt, DeliveryStatus } from '../store/alert-store'
import type { Store } from '../store/store'
import { nextAttemptAt } from './backoff'
import { postWebhook } from './post-webhook'
import type { WebhookPolicy } from './webhook-url'

/** The `user-agent` of every delivery. */
export const WEBHOOK_USER_AGENT = 'mcpdir-metrics-webhooks/1'

export interface SenderOptions {
  store: Store
  clock: Clock
  logger: Logger
  /** Read at every attempt (the operator's setting, and the resolver). */
  policy: () => WebhookPolicy
  /** Deadline of one attempt; default 10 s. */
  timeoutMs?: number
  /** Deliveries claimed per tick; default 20. */
  batch?: number
}

/** How long a claimed delivery is held from other senders: past one attempt's deadline. */
const HOLD_MS = 60_000

/** The outcome of one attempt, as recorded. */
export interface AttemptResult extends DeliveryAttempt {
  status: DeliveryStatus
}

/** Sends one attempt of a claimed delivery and records it. `retry: false` gives up on any failure (samples). */
export async function attemptDelivery(options: SenderOptions, delivery: ClaimedDelivery, retry = true): Promise<AttemptResult> {
  const { store, clock } = options
  const at = clock()
  const signature = await createSignatureHeaders({ secrets: delivery.secret, id: delivery.id, body: delivery.payload, timestampSeconds: Math.floor(at / 1000) })
  const headers = { 'content-type': 'application/json', 'user-agent': WEBHOOK_USER_AGENT, ...signature }
  const outcome = await postWebhook(delivery.webhookUrl, delivery.payload, headers, options.policy(), options.timeoutMs)
  const attempt = delivery.attempts + 1
  const delivered = outcome.error === null
  const next = !delivered && retry && outcome.retry ? nextAttemptAt(delivery.createdAt, attempt, at, outcome.retryAfterMs) : null
  const status: DeliveryStatus = delivered ? 'delivered' : next === null ? 'failed' : 'pending'
  const result: AttemptResult = { attempt, at, responseStatus: outcome.status, error: outcome.error, nextAttemptAt: next, status }
  if (!(await store.recordAttempt(delivery.id, result, status))) {
    options.logger.warn({ delivery: delivery.id, attempt }, 'webhook attempt not recorded: another attempt was recorded meanwhile')
  }
  const log = { delivery: delivery.id, rule: delivery.ruleId, type: delivery.type, attempt, status: outcome.status, next }
  if (delivered) options.logger.info(log, 'webhook delivered')
  else options.logger.warn({ ...log, error: outcome.error }, status === 'failed' ? 'webhook failed; given up' : 'webhook failed; will retry')
  return result
}

/** Claims the deliveries due now and attempts each; resolves with the attempts made. Never rejects for one delivery. */
export async function sendDue(options: SenderOptions): Promise<AttemptResult[]> {
  const claimed = await options.store.claimDeliveries(options.clock(), options.batch ?? 20, HOLD_MS)
  const results = await Promise.all(
    claimed.map((delivery) =>
      attemptDelivery(options, delivery).catch((error: unknown) => {
        options.logger.error({ err: error, delivery: delivery.id }, 'webhook attempt failed to run')
        return undefined
      }),
    ),
  )
  return results.filter((r): r is AttemptResult => r !== undefined)
}
