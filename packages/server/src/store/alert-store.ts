// What the Store keeps for alerts and weekly digests (tables of migration 23): the rules with their state, the
// deliveries each transition or digest makes, every attempt at one, and the leases replicas take turns by.
import type { AlertCondition, AlertWebhookType, RuleMetric } from '@mcpdir/metrics/protocol'

/** A rule as it is created: the checked spec, its server and its signing secret (`whsec_`, kept readable). */
export interface NewAlertRule {
  serverId: string
  metric: RuleMetric
  condition: AlertCondition | null
  threshold: number | null
  windowMs: number
  webhookUrl: string
  secret: string
}

/** Where a rule stands; every change bumps `version`, so a change made from a stale read is refused. */
export interface AlertState {
  status: 'ok' | 'firing'
  /** When `status` began (the rule's creation for a rule that never fired). */
  since: number
  /** The first minute of the current run of minutes beyond the threshold (error_rate, p95), if any. */
  pendingSince: number | null
  /** Minutes before this are evaluated. */
  evaluatedTo: number | null
  /** The metric at the last evaluation. */
  value: number | null
  /** Digests: the ISO week (`2026-W11`) last sent. */
  digestWeek: string | null
  version: number
}

/** A stored rule and its state. */
export interface AlertRule extends NewAlertRule {
  id: number
  createdAt: number
  state: AlertState
}

/** A notification to send: its body and who it is for; its id is the `webhook-id` of every attempt. */
export interface NewDelivery {
  id: string
  ruleId: number
  type: AlertWebhookType | 'alert.test'
  payload: string
  createdAt: number
  /** When the first attempt is due (usually `createdAt`). */
  dueAt: number
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed'

/** One attempt at a delivery, as recorded. */
export interface DeliveryAttempt {
  attempt: number
  at: number
  /** The receiver's HTTP status, when it answered. */
  responseStatus: number | null
  /** Why it failed, when it did (network error, timeout, refused address, a status). */
  error: string | null
  /** When the next attempt is due; null when delivered or given up. */
  nextAttemptAt: number | null
}

/** A delivery with its rule's destination, claimed by one sender for one attempt. */
export interface ClaimedDelivery {
  id: string
  ruleId: number
  serverId: string
  type: NewDelivery['type']
  payload: string
  createdAt: number
  /** Attempts made before this one. */
  attempts: number
  webhookUrl: string
  secret: string
}

/** A delivery as `alerts list --deliveries` shows it, with every attempt, oldest first. */
export interface DeliveryRecord {
  id: string
  ruleId: number
  serverId: string
  type: NewDelivery['type']
  createdAt: number
  status: DeliveryStatus
  nextAttemptAt: number | null
  attempts: DeliveryAttempt[]
}

/** The alert part of the Store (implemented once for both dialects in sql/alerts-sql.ts). */
export interface AlertStore {
  /** Adds a rule (state `ok` since `now`); undefined when the server does not exist. */
  createAlertRule(rule: NewAlertRule, now: number): Promise<AlertRule | undefined>
  /** Rules of one server, or all, by id. */
  listAlertRules(serverId?: string): Promise<AlertRule[]>
  getAlertRule(id: number): Promise<AlertRule | undefined>
  /** Deletes a rule with its deliveries (only if it belongs to `serverId`, when given); false when there was none. */
  deleteAlertRule(id: number, serverId?: string): Promise<boolean>
  /**
   * Moves a rule's state on from `expectedVersion` and, when given, queues a delivery, in one transaction.
   * False (and nothing written) when the state is no longer at that version: another replica got there first.
   */
  advanceAlert(id: number, expectedVersion: number, next: Omit<AlertState, 'version'>, delivery?: NewDelivery): Promise<boolean>
  /** Queues a delivery on its own (`alerts test`). */
  addDelivery(delivery: NewDelivery): Promise<void>
  /**
   * Up to `limit` pending deliveries due by `now`, oldest due first, each held for `holdMs` (its next attempt
   * moved to `now + holdMs`, so a sender that dies mid-attempt hands it on). Replicas never take the same one.
   */
  claimDeliveries(now: number, limit: number, holdMs: number): Promise<ClaimedDelivery[]>
  /**
   * Records an attempt (number `attempt.attempt`, which must be the delivery's attempts so far + 1) and its
   * outcome: `delivered`, `failed` (given up) or still `pending` until `attempt.nextAttemptAt`. False when
   * another attempt was recorded meanwhile.
   */
  recordAttempt(deliveryId: string, attempt: DeliveryAttempt, status: DeliveryStatus): Promise<boolean>
  /** The latest `limit` deliveries of a rule or of a server's rules (or all), newest first, with their attempts. */
  listDeliveries(filter: { ruleId?: number; serverId?: string }, limit: number): Promise<DeliveryRecord[]>
  /**
   * Takes or renews the lease `name` for `holder` until `now + ttlMs`: true when `holder` has it (it was free,
   * expired or already `holder`'s), false while another holder's is current.
   */
  acquireLease(name: string, holder: string, now: number, ttlMs: number): Promise<boolean>
}
