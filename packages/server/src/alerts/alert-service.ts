// Alerts in the running service: the evaluator once a minute (then the sender, so a notification leaves at once)
// and the sender every few seconds for retries that fall due, both on unref'd timers, every error logged.
import type { Logger } from 'pino'
import type { Clock } from '../app/clock'
import { everyInterval } from '../app/background-job'
import type { Rollups } from '../query/rollups'
import type { Store } from '../store/store'
import { AlertEvaluator, type EvaluationRun } from './evaluator'
import { type AttemptResult, sendDue, type SenderOptions } from './sender'
import type { Resolve, WebhookPolicy } from './webhook-url'

export interface AlertServiceOptions {
  store: Store
  clock: Clock
  logger: Logger
  rollups?: Pick<Rollups, 'runPendingFor'>
  /** Read at each use, so the service's configuration decides. */
  settings: () => { allowPrivateWebhooks: boolean; publicUrl?: string | undefined }
  /** How webhook hosts resolve; the system resolver by default. */
  resolve?: Resolve
  /** Deadline of one delivery attempt. */
  timeoutMs?: number
}

export class AlertService {
  readonly evaluator: AlertEvaluator
  private readonly sender: SenderOptions
  private readonly timers: ReturnType<typeof setInterval>[] = []

  constructor(private readonly options: AlertServiceOptions) {
    this.evaluator = new AlertEvaluator({
      store: options.store,
      clock: options.clock,
      logger: options.logger,
      ...(options.rollups && { rollups: options.rollups }),
      baseUrl: () => options.settings().publicUrl ?? '',
    })
    this.sender = {
      store: options.store,
      clock: options.clock,
      logger: options.logger,
      policy: () => this.policy(),
      ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
    }
  }

  /** Whether private webhook addresses are allowed, and how hosts resolve: for checks at creation too. */
  policy(): WebhookPolicy {
    return { allowPrivate: this.options.settings().allowPrivateWebhooks, ...(this.options.resolve && { resolve: this.options.resolve }) }
  }

  /** The options deliveries are sent with (for `alerts test`). */
  senderOptions(): SenderOptions {
    return this.sender
  }

  /** One evaluation of every rule (undefined when another replica holds the lease). */
  evaluate(): Promise<EvaluationRun | undefined> {
    return this.evaluator.run()
  }

  /** Attempts every delivery due now. */
  deliver(): Promise<AttemptResult[]> {
    return sendDue(this.sender)
  }

  /** Runs both on timers (unref'd): evaluation then delivery every `evaluateMs`, delivery every `deliverMs`. */
  start(evaluateMs: number, deliverMs: number): void {
    const every = (ms: number, job: () => Promise<unknown>, name: string) => this.timers.push(everyInterval(ms, job, name, this.options.logger))
    every(evaluateMs, () => this.evaluate().then(() => this.deliver()), 'alert evaluation')
    every(deliverMs, () => this.deliver(), 'webhook delivery')
  }

  stop(): void {
    for (const timer of this.timers.splice(0)) clearInterval(timer)
  }
}
