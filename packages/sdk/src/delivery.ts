// The send queue: bounded, in order, one request at a time, retried with backoff.
//
// Retried (same batch id, fresh signature and timestamp): network errors, 408, 429 (after its Retry-After)
// and 5xx. 413 splits the batch in two. Any other 4xx drops the batch with one report: sending it again
// could never succeed. When the queue is full the oldest batch is dropped and counted.
import { type Batch, type BatchMeta, batchBody, splitBatch } from './batch'
import type { Reporter } from './errors'
import { createSignatureHeaders } from './protocol/index'
import type { SelfMetrics } from './self-metrics'
import type { Transport } from './transport'

export interface RetryPolicy {
  initialDelayMs: number
  maxDelayMs: number
  multiplier: number
  /** ± share of each delay that is random (0.2 = ±20 %). */
  jitter: number
}

export const DEFAULT_RETRY: RetryPolicy = { initialDelayMs: 1_000, maxDelayMs: 30_000, multiplier: 2, jitter: 0.2 }
/** Longest `Retry-After` honoured as is. */
const MAX_RETRY_AFTER_MS = 5 * 60_000

/** Delay before retry number `attempt` (1-based). */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.multiplier ** (attempt - 1))
  return Math.round(base * (1 + policy.jitter * (2 * random() - 1)))
}

export function isRetryable(status: number): boolean {
  return status === 408 || status === 429 || status >= 500
}

export interface DeliveryOptions {
  url: string
  meta: BatchMeta
  apiKey: string
  signingSecret?: string
  transport: () => Promise<Transport>
  maxQueuedBatches: number
  maxQueueBytes: number
  retry: RetryPolicy
  reporter: Reporter
  self: SelfMetrics
  userAgent: string
  /** Waits between retries; injectable for tests. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>
  random?: () => number
}

/** Background waits must not keep the host alive; a bounded drain (flush, shutdown) must. */
function sleep(ms: number, signal: AbortSignal, keepAlive = false): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms)
    if (!keepAlive) (timer as { unref?: () => void }).unref?.()
    signal.addEventListener('abort', done, { once: true })
    function done() {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
  })
}

export class Delivery {
  private queue: Batch[] = []
  private queuedBytes = 0
  private running: Promise<void> | undefined
  private deadline = Number.POSITIVE_INFINITY
  private wake = new AbortController()
  private attempt = 0
  /** The batch whose request is under way: never dropped, or it could be both delivered and counted lost. */
  private inFlight: Batch | undefined

  constructor(private readonly options: DeliveryOptions) {}

  /** Batches not yet acknowledged, oldest first. */
  get pending(): readonly Batch[] {
    return this.queue
  }

  enqueue(batches: readonly Batch[]): void {
    for (const batch of batches) {
      this.queue.push(batch)
      this.queuedBytes += batch.bytes
    }
    while (this.queue.length > this.options.maxQueuedBatches || (this.queuedBytes > this.options.maxQueueBytes && this.queue.length > 1)) {
      const dropped = this.queue[0] === this.inFlight ? this.queue[1] : this.queue[0]
      if (!dropped) break
      this.remove(dropped)
      this.options.self.dropBatch(dropped.points)
    }
  }

  /** Starts sending in the background (no deadline). */
  kick(): void {
    this.running ??= this.run().finally(() => {
      this.running = undefined
    })
  }

  /**
   * Sends until the queue is empty or `deadlineMs` (epoch ms) passes, whichever is first; a request still in
   * flight at the deadline is left to finish in the background.
   */
  async drain(deadlineMs: number): Promise<void> {
    this.deadline = deadlineMs
    this.wake.abort()
    try {
      for (;;) {
        this.kick()
        const remaining = deadlineMs - Date.now()
        if (this.queue.length === 0 || remaining <= 0) return
        const ac = new AbortController()
        await Promise.race([this.running, sleep(remaining, ac.signal, true)])
        ac.abort()
      }
    } finally {
      this.deadline = Number.POSITIVE_INFINITY
    }
  }

  private remove(batch: Batch): void {
    const at = this.queue.indexOf(batch)
    if (at === -1) return
    this.queue.splice(at, 1)
    this.queuedBytes -= batch.bytes
  }

  private replace(batch: Batch, parts: Batch[]): void {
    const at = this.queue.indexOf(batch)
    if (at === -1) return
    this.queue.splice(at, 1, ...parts)
    for (const part of parts) this.queuedBytes += part.bytes
    this.queuedBytes -= batch.bytes
  }

  private async run(): Promise<void> {
    const { reporter, self } = this.options
    while (this.queue.length > 0 && Date.now() < this.deadline) {
      const batch = this.queue[0] as Batch
      let status: number
      let retryAfterMs: number | undefined
      this.inFlight = batch
      try {
        ;({ status, retryAfterMs } = await this.send(batch))
      } catch (error) {
        status = 0
        reporter.debug(`send failed: ${(error as Error).message}`)
      } finally {
        this.inFlight = undefined
      }
      if (status >= 200 && status < 300) {
        this.remove(batch)
        this.attempt = 0
        reporter.debug(`sent ${batch.id} (${batch.points.length} points, ${batch.events.length} events)`)
        continue
      }
      if (status === 413) {
        const parts = splitBatch(batch)
        if (parts) {
          this.replace(batch, parts)
          continue
        }
      }
      if (status !== 413 && (status === 0 || isRetryable(status))) {
        this.attempt++
        const delay = Math.min(
          retryAfterMs ?? backoffDelay(this.options.retry, this.attempt, this.options.random),
          MAX_RETRY_AFTER_MS,
        )
        if (Date.now() + delay >= this.deadline) return
        reporter.debug(`retrying ${batch.id} in ${delay} ms (attempt ${this.attempt}, status ${status || 'network error'})`)
        this.wake = new AbortController()
        await (this.options.sleep ?? sleep)(delay, this.wake.signal)
        continue
      }
      this.remove(batch)
      self.rejectedBatches++
      reporter.error(
        'batch_rejected',
        `the service refused batch ${batch.id} with HTTP ${status}; dropped ${batch.points.length} points and ${batch.events.length} events`,
      )
    }
  }

  private async send(batch: Batch) {
    const { url, meta, apiKey, signingSecret, userAgent } = this.options
    const body = batchBody(batch, meta)
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'x-api-key': apiKey,
      'user-agent': userAgent,
    }
    if (signingSecret) Object.assign(headers, await createSignatureHeaders({ secrets: signingSecret, id: batch.id, body }))
    return (await this.options.transport())(url, headers, body)
  }
}
