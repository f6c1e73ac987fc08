// Evaluates every rule once a minute, in one process at a time: the one holding the `alert-evaluator` lease
// (PostgreSQL replicas take turns through the lease row; SQLite has one process anyway). Each rule's change of
// state is written only from the state it was read at, together with its delivery, so even two evaluators at
// once could not send a notification twice. Errors are logged per rule and never thrown out of a run.
import { randomUUID } from 'node:crypto'
import type { AlertWebhookPayload } from '@mcpdir/metrics/protocol'
import type { Logger } from 'pino'
import type { Clock } from '../app/clock'
import type { Rollups } from '../query/rollups'
import type { AlertRule, NewDelivery } from '../store/alert-store'
import type { ServerRecord, Store } from '../store/store'
import { judgeWindow, type NextState, PER_MINUTE, stepMinutes, type Transition } from './conditions'
import { digestPayload, weekLabel, weekStart } from './digest'
import { alertPayload, newDeliveryId } from './payload'
import { minuteValues, windowReading } from './readings'

const MIN = 60_000
/** The lease every run takes or renews; it outlives a missed run or two, then passes to another replica. */
export const EVALUATOR_LEASE = 'alert-evaluator'
const LEASE_MS = 150_000
/** Minutes are judged once they ended this long ago, so batches flushed in them (every 10 s) have arrived. */
export const SETTLE_MS = 30_000

export interface EvaluatorOptions {
  store: Store
  clock: Clock
  logger: Logger
  /** Makes a server's coarser tiers current before they are read (calls over long windows, digests). */
  rollups?: Pick<Rollups, 'runPendingFor'>
  /** The base URL of the links in payloads (read at each run). */
  baseUrl: () => string
  /** This process's name on the lease; random by default. */
  holder?: string
}

/** What a run did; undefined from `run` when another process holds the lease. */
export interface EvaluationRun {
  /** The minutes before this were judged. */
  end: number
  rules: number
  /** Notifications queued. */
  queued: number
}

export class AlertEvaluator {
  readonly holder: string

  constructor(private readonly options: EvaluatorOptions) {
    this.holder = options.holder ?? randomUUID()
  }

  /** One evaluation of every rule (when this process holds the lease). */
  async run(): Promise<EvaluationRun | undefined> {
    const { store, clock, logger } = this.options
    const now = clock()
    if (!(await store.acquireLease(EVALUATOR_LEASE, this.holder, now, LEASE_MS))) return undefined
    const end = Math.floor((now - SETTLE_MS) / MIN) * MIN
    const rules = await store.listAlertRules()
    const servers = new Map((await store.listServers()).map((s) => [s.id, s]))
    let queued = 0
    for (const rule of rules) {
      const server = servers.get(rule.serverId)
      if (!server || server.disabled) continue
      try {
        if (await this.evaluate(rule, server, end, now)) queued++
      } catch (error) {
        logger.error({ err: error, rule: rule.id, server: rule.serverId }, 'alert rule evaluation failed')
      }
    }
    return { end, rules: rules.length, queued }
  }

  /** Judges one rule; true when it queued a notification. */
  private async evaluate(rule: AlertRule, server: ServerRecord, end: number, now: number): Promise<boolean> {
    const { store } = this.options
    const state = rule.state
    if (rule.metric === 'digest') return this.digest(rule, server, end, now)
    if (state.evaluatedTo !== null && state.evaluatedTo >= end) return false
    let judged: { next: NextState; transition?: Transition }
    if (PER_MINUTE.has(rule.metric as never)) {
      const from = Math.max(state.evaluatedTo ?? end - rule.windowMs, end - rule.windowMs)
      judged = stepMinutes(rule, state, await minuteValues(store, rule, from, end))
    } else {
      const reading = await windowReading(store, this.options.rollups, rule, server, end)
      judged = judgeWindow(state, end, reading.value, reading.beyond)
    }
    const payload = judged.transition && alertPayload(judged.transition.type, rule, server, judged.transition.value, judged.transition.at, this.options.baseUrl())
    return this.advance(rule, judged.next, payload, now)
  }

  /** Sends the digest of the week that ended, once, to rules that existed when it ended. */
  private async digest(rule: AlertRule, server: ServerRecord, end: number, now: number): Promise<boolean> {
    const monday = weekStart(end)
    const week = weekLabel(monday - 7 * 86_400_000)
    if (rule.state.digestWeek === week || rule.createdAt >= monday) return false
    await this.options.rollups?.runPendingFor(server.id)
    const payload = await digestPayload(this.options.store, rule, server, monday - 7 * 86_400_000, now, this.options.baseUrl())
    return this.advance(rule, { ...rule.state, digestWeek: week, evaluatedTo: end, value: payload.value }, payload, now)
  }

  /** Writes the next state from the version read, with the payload's delivery; true when a delivery was queued. */
  private async advance(rule: AlertRule, next: NextState, payload: AlertWebhookPayload | undefined, now: number): Promise<boolean> {
    const delivery: NewDelivery | undefined = payload && { id: newDeliveryId(), ruleId: rule.id, type: payload.type, payload: JSON.stringify(payload), createdAt: now, dueAt: now }
    const written = await this.options.store.advanceAlert(rule.id, rule.state.version, next, delivery)
    if (!written) this.options.logger.debug({ rule: rule.id }, 'alert state changed meanwhile (another evaluator); left to it')
    else if (payload) this.options.logger.info({ rule: rule.id, server: rule.serverId, type: payload.type, value: payload.value }, 'alert notification queued')
    return written && delivery !== undefined
  }
}
