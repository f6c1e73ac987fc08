import { Aggregator } from './aggregator'
import { type Batch, buildBatches } from './batch'
import { Delivery } from './delivery'
import { createReporter, describeError, describeValue, type Reporter } from './errors'
import { noopMetrics } from './noop'
import { type MetricsOptions, type ResolvedOptions, readOptions, resolveOptions } from './options'
import { installProcessHooks } from './process-hooks'
import { EVENT_TYPES, type EventDetails, type EventInput, type EventType, eventInputSchema, type TagsInput } from './protocol/index'
import type { Counter, Gauge, Timer } from './series'
import { createSpool, defaultSpoolDir, type Spool } from './spool'
import { defaultTransport, fetchTransport, type Transport } from './transport'
import { SDK_NAME, SDK_VERSION } from './version'

/** The SDK. Every method is safe to call at any time: none throws, none writes to stdout. */
export interface Metrics {
  /** False when the SDK runs as a no-op (no endpoint, key or server id configured). */
  readonly enabled: boolean
  /** A counter handle; the same name and tags give the same handle. */
  counter(name: string, tags?: TagsInput): Counter
  /** A gauge handle. */
  gauge(name: string, tags?: TagsInput): Gauge
  /** A timer handle (milliseconds). */
  timer(name: string, tags?: TagsInput): Timer
  /** Records a server event (deployment, config_change, …) with small scalar details. */
  event(type: EventType, details?: EventDetails): void
  /** Sends everything recorded so far; resolves when delivered or after `flushTimeoutMs`. */
  flush(): Promise<void>
  /** Flushes within `shutdownTimeoutMs`, spools what is left, and stops. Idempotent. */
  shutdown(): Promise<void>
}

/**
 * Creates the SDK. Without an endpoint, API key or server id (in options or environment) it returns a
 * working no-op, so adding the SDK can never break a server. A malformed option (a signing secret that is not
 * `whsec_` + base64, an invalid server id, URL or key, a value of the wrong type) is reported once through
 * `onError` with code `invalid_config`, and the SDK runs as a no-op. Never throws, whatever it is given.
 *
 * @example
 * const metrics = createMetrics({ serverId, apiKey, signingSecret, endpoint })
 * metrics.counter('api_requests', { endpoint: 'query' }).inc()
 */
export function createMetrics(options?: MetricsOptions): Metrics {
  let reporter = createReporter(undefined, false)
  try {
    const { options: raw, unreadable } = readOptions(options)
    reporter = createReporter(raw.onError, Boolean(raw.debug))
    if (unreadable.length > 0) {
      reporter.error('invalid_config', `metrics are off: options ${unreadable.join(', ')} could not be read`)
      return noopMetrics
    }
    const resolved = resolveOptions(raw)
    if ('invalid' in resolved) {
      reporter.error('invalid_config', resolved.invalid)
      return noopMetrics
    }
    if ('disabled' in resolved) {
      reporter.debug(resolved.disabled)
      return noopMetrics
    }
    try {
      return new MetricsClient(resolved)
    } catch (error) {
      reporter.error('internal', `metrics are off: ${describeError(error)}`, error)
      return noopMetrics
    }
  } catch (error) {
    // reading or checking the options threw (a getter, a proxy): they are not usable
    reporter.error('invalid_config', `metrics are off: the options could not be read (${describeError(error)})`, error)
    return noopMetrics
  }
}

class MetricsClient implements Metrics {
  readonly enabled = true
  closed = false
  private readonly reporter: Reporter
  private readonly aggregator: Aggregator
  private readonly delivery: Delivery
  private readonly spool: Spool | undefined
  private events: EventInput[] = []
  private readonly interval: ReturnType<typeof setInterval>
  private readonly uninstallHooks: () => void
  private flushScheduled = false
  private shuttingDown: Promise<void> | undefined

  constructor(private readonly options: ResolvedOptions) {
    this.reporter = createReporter(options.onError, options.debug)
    const monotonic = typeof performance !== 'undefined' ? () => performance.now() : () => Date.now()
    this.aggregator = new Aggregator(
      { maxSeries: options.maxSeries, flushAt: options.maxBatchPoints, onWindowFull: () => this.scheduleFlush() },
      this.reporter,
      monotonic,
    )
    let transport: Promise<Transport> | undefined
    const getTransport = () => {
      const fetchImpl = options.fetch
      transport ??= fetchImpl
        ? Promise.resolve(fetchTransport(fetchImpl, options.requestTimeoutMs))
        : defaultTransport(options.requestTimeoutMs)
      return transport
    }
    this.delivery = new Delivery({
      url: options.url,
      meta: { serverId: options.serverId, sdk: { name: SDK_NAME, version: SDK_VERSION } },
      apiKey: options.apiKey,
      ...(options.signingSecret !== undefined && { signingSecret: options.signingSecret }),
      transport: getTransport,
      maxQueuedBatches: options.maxQueuedBatches,
      maxQueueBytes: options.maxQueueBytes,
      retry: options.retry,
      reporter: this.reporter,
      self: this.aggregator.self,
      userAgent: `${SDK_NAME}/${SDK_VERSION}`,
    })
    const spoolDir = options.spool ? (options.spool.dir ?? defaultSpoolDir(options.env)) : undefined
    if (options.spool && spoolDir) {
      this.spool = createSpool({
        dir: spoolDir,
        serverId: options.serverId,
        maxBytes: options.spool.maxBytes,
        reporter: this.reporter,
        onDropped: (batches) => this.countDropped(batches),
      })
    }
    const spooled = this.spool?.claim() ?? []
    if (spooled.length > 0) {
      this.reporter.debug(`sending ${spooled.length} batches spooled by an earlier process`)
      this.delivery.enqueue(spooled)
      this.delivery.kick()
    }

    this.event('restart', {
      sdk_version: SDK_VERSION,
      ...(options.serverVersion !== undefined && { server_version: options.serverVersion }),
    })
    this.interval = setInterval(() => this.endWindow(), options.flushIntervalMs)
    ;(this.interval as { unref?: () => void }).unref?.()
    this.uninstallHooks = options.handleProcessEvents ? installProcessHooks(this) : () => {}
    this.reporter.debug(`sending to ${options.url} every ${options.flushIntervalMs} ms as ${options.serverId}`)
  }

  counter(name: string, tags?: TagsInput): Counter {
    return this.aggregator.counter(name, tags)
  }

  gauge(name: string, tags?: TagsInput): Gauge {
    return this.aggregator.gauge(name, tags)
  }

  timer(name: string, tags?: TagsInput): Timer {
    return this.aggregator.timer(name, tags)
  }

  event(type: EventType, details?: EventDetails): void {
    try {
      if (this.events.length >= this.options.maxEventsPerWindow) {
        this.aggregator.self.droppedEvents++
        return
      }
      const parsed = eventInputSchema.safeParse({ type, timestamp: Date.now(), ...(details !== undefined && { details }) })
      if (!parsed.success) {
        this.reporter.error(
          'invalid_event',
          `event ${describeValue(type)} dropped: ${parsed.error.issues[0]?.message ?? 'invalid'} (types: ${EVENT_TYPES.join(', ')})`,
        )
        return
      }
      // the validated copy, not the caller's object: what is sent is exactly what was checked
      this.events.push(parsed.data as EventInput)
    } catch (error) {
      this.reporter.error('invalid_event', `event ${describeValue(type)} dropped: its details could not be read (${describeError(error)})`, error)
    }
  }

  /** Sets the server version on the pending `restart` event (used by `instrument()`), if it fits the event. */
  setServerVersion(version: string): void {
    const restart = this.events.find((e) => e.type === 'restart')
    if (!restart?.details || restart.details.server_version !== undefined || typeof version !== 'string') return
    const details = { ...restart.details, server_version: version }
    if (eventInputSchema.safeParse({ ...restart, details }).success) restart.details = details
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return
    this.flushScheduled = true
    queueMicrotask(() => {
      this.flushScheduled = false
      this.endWindow()
    })
  }

  /** Turns the window into batches and starts sending them. */
  private endWindow(): void {
    try {
      const now = Date.now()
      const points = this.aggregator.collect(now)
      const events = this.events
      this.events = []
      events.push({ type: 'heartbeat', timestamp: now })
      this.delivery.enqueue(buildBatches(points, events, { maxBytes: this.options.maxBatchBytes, maxPoints: this.options.maxBatchPoints }))
      this.delivery.kick()
    } catch (error) {
      this.reporter.error('internal', `flush failed: ${describeError(error)}`, error)
    }
  }

  private countDropped(batches: Batch[]): void {
    for (const batch of batches) this.aggregator.self.dropBatch(batch.points)
  }

  async flush(): Promise<void> {
    if (this.closed) return
    this.endWindow()
    await this.delivery.drain(Date.now() + this.options.flushTimeoutMs).catch((error: unknown) => {
      this.reporter.error('internal', `flush failed: ${describeError(error)}`, error)
    })
  }

  async flushAndSpool(): Promise<void> {
    this.endWindow()
    await this.delivery.drain(Date.now() + this.options.shutdownTimeoutMs).catch(() => {})
    this.spool?.save(this.delivery.pending)
  }

  spoolNow(): void {
    try {
      this.endWindow()
      this.spool?.save(this.delivery.pending)
    } catch (error) {
      this.reporter.error('spool_failed', `spool failed: ${describeError(error)}`, error)
    }
  }

  shutdown(): Promise<void> {
    this.shuttingDown ??= (async () => {
      clearInterval(this.interval)
      await this.flushAndSpool()
      this.closed = true
      this.uninstallHooks()
      this.reporter.debug('shut down')
    })().catch((error: unknown) => {
      this.closed = true
      this.reporter.error('internal', `shutdown failed: ${describeError(error)}`, error)
    })
    return this.shuttingDown
  }
}

export type { MetricsClient }
