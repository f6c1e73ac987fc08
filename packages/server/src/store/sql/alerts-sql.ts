// Alerts in SQL, for both dialects (tables of migration 23): rules with their state (changed only from the
// version read, so two replicas never both make a transition), deliveries claimed a few at a time by one sender
// each (SKIP LOCKED on PostgreSQL), every attempt recorded, and leases.
import type { AlertStore, AlertRule, ClaimedDelivery, DeliveryRecord, DeliveryStatus, NewDelivery } from '../alert-store'
import { all, exec, type Program, type SqlDriver } from './program'
import type { SqlFragments } from './statements'

interface RuleRow {
  id: number
  server_id: string
  metric: AlertRule['metric']
  direction: AlertRule['condition']
  threshold: number | null
  window_ms: number
  webhook_url: string
  secret: string
  created_at: number
  status: 'ok' | 'firing'
  state_since: number
  pending_since: number | null
  evaluated_to: number | null
  last_value: number | null
  digest_week: string | null
  version: number
}

const RULE_COLUMNS =
  'id, server_id, metric, direction, threshold, window_ms, webhook_url, secret, created_at, status, state_since, pending_since, evaluated_to, last_value, digest_week, version'

const toRule = (r: RuleRow): AlertRule => ({
  id: Number(r.id),
  serverId: r.server_id,
  metric: r.metric,
  condition: r.direction,
  threshold: r.threshold,
  windowMs: Number(r.window_ms),
  webhookUrl: r.webhook_url,
  secret: r.secret,
  createdAt: Number(r.created_at),
  state: {
    status: r.status,
    since: Number(r.state_since),
    pendingSince: r.pending_since === null ? null : Number(r.pending_since),
    evaluatedTo: r.evaluated_to === null ? null : Number(r.evaluated_to),
    value: r.last_value,
    digestWeek: r.digest_week,
    version: Number(r.version),
  },
})

interface DeliveryRow {
  id: string
  rule_id: number
  server_id: string
  type: NewDelivery['type']
  created_at: number
  status: DeliveryStatus
  next_attempt_at: number | null
}

interface AttemptRow {
  delivery_id: string
  attempt: number
  attempted_at: number
  response_status: number | null
  error: string | null
  next_attempt_at: number | null
}

const num = (v: number | null) => (v === null ? null : Number(v))

/** The alert statements, with the dialect's fragments in place. */
function alertStatements(f: SqlFragments) {
  const deliveries = (where: string) => `SELECT d.id, d.rule_id, r.server_id, d.type, d.created_at, d.status, d.next_attempt_at
    FROM alert_deliveries d JOIN alert_rules r ON r.id = d.rule_id ${where} ORDER BY d.created_at DESC, d.id DESC LIMIT ?`
  return {
    lockServer: `SELECT id FROM servers WHERE id = ?${f.forUpdate}`,
    insertRule: `INSERT INTO alert_rules (server_id, metric, direction, threshold, window_ms, webhook_url, secret, created_at, status, state_since)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'ok', ?) RETURNING id`,
    getRule: `SELECT ${RULE_COLUMNS} FROM alert_rules WHERE id = ?`,
    listRules: `SELECT ${RULE_COLUMNS} FROM alert_rules ORDER BY id`,
    listServerRules: `SELECT ${RULE_COLUMNS} FROM alert_rules WHERE server_id = ? ORDER BY id`,
    deleteRule: 'DELETE FROM alert_rules WHERE id = ?',
    deleteServerRule: 'DELETE FROM alert_rules WHERE id = ? AND server_id = ?',
    // a transition only from the state read: a replica that read it before another's change writes nothing
    advance: `UPDATE alert_rules SET status = ?, state_since = ?, pending_since = ?, evaluated_to = ?, last_value = ?, digest_week = ?,
      version = version + 1 WHERE id = ? AND version = ?`,
    insertDelivery: `INSERT INTO alert_deliveries (id, rule_id, type, payload, created_at, status, attempts, next_attempt_at)
      VALUES (?, ?, ?, ?, ?, 'pending', 0, ?)`,
    claim: `UPDATE alert_deliveries SET next_attempt_at = ? WHERE id IN
      (SELECT id FROM alert_deliveries WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?${f.skipLocked})
      RETURNING id`,
    claimed: `SELECT d.id, d.rule_id, r.server_id, d.type, d.payload, d.created_at, d.attempts, r.webhook_url, r.secret
      FROM alert_deliveries d JOIN alert_rules r ON r.id = d.rule_id WHERE d.id IN (SELECT value FROM ${f.jsonValues}) ORDER BY d.next_attempt_at, d.id`,
    attemptDone: `UPDATE alert_deliveries SET attempts = ?, status = ?, next_attempt_at = ?, last_status = ?, last_error = ?
      WHERE id = ? AND attempts = ? AND status = 'pending'`,
    insertAttempt: `INSERT INTO alert_attempts (delivery_id, attempt, attempted_at, response_status, error, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?)`,
    deliveriesOfRule: deliveries('WHERE d.rule_id = ?'),
    deliveriesOfServer: deliveries('WHERE r.server_id = ?'),
    allDeliveries: deliveries(''),
    attempts: `SELECT delivery_id, attempt, attempted_at, response_status, error, next_attempt_at FROM alert_attempts
      WHERE delivery_id IN (SELECT value FROM ${f.jsonValues}) ORDER BY delivery_id, attempt`,
    lease: `INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)
      ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
      WHERE leases.expires_at <= ? OR leases.holder = excluded.holder`,
  }
}

/** The AlertStore methods over a dialect's driver. */
export function alertMethods(driver: SqlDriver, fragments: SqlFragments): AlertStore {
  const S = alertStatements(fragments)
  const rows = <R>(sql: string, params: readonly unknown[] = []) => driver.run(all<R>(sql, params))

  function* insertDelivery(d: NewDelivery): Program<void> {
    yield* exec(S.insertDelivery, [d.id, d.ruleId, d.type, d.payload, d.createdAt, d.dueAt])
  }

  return {
    async createAlertRule(rule, now) {
      const params = [rule.serverId, rule.metric, rule.condition, rule.threshold, rule.windowMs, rule.webhookUrl, rule.secret, now, now]
      const inserted = await driver.transaction(
        (function* () {
          // the server's row lock: a rule is never added to a server being deleted
          if ((yield* all(S.lockServer, [rule.serverId])).length === 0) return undefined
          return (yield* all<{ id: number }>(S.insertRule, params))[0]
        })(),
      )
      if (!inserted) return undefined
      const [row] = await rows<RuleRow>(S.getRule, [inserted.id])
      return row && toRule(row)
    },
    async listAlertRules(serverId) {
      return (await (serverId === undefined ? rows<RuleRow>(S.listRules) : rows<RuleRow>(S.listServerRules, [serverId]))).map(toRule)
    },
    async getAlertRule(id) {
      const [row] = await rows<RuleRow>(S.getRule, [id])
      return row && toRule(row)
    },
    async deleteAlertRule(id, serverId) {
      const deleted = await driver.run(serverId === undefined ? exec(S.deleteRule, [id]) : exec(S.deleteServerRule, [id, serverId]))
      return deleted > 0
    },
    async advanceAlert(id, expectedVersion, next, delivery) {
      return driver.transaction(
        (function* () {
          const params = [next.status, next.since, next.pendingSince, next.evaluatedTo, next.value, next.digestWeek, id, expectedVersion]
          if ((yield* exec(S.advance, params)) === 0) return false
          if (delivery) yield* insertDelivery(delivery)
          return true
        })(),
      )
    },
    async addDelivery(delivery) {
      await driver.transaction(insertDelivery(delivery))
    },
    async claimDeliveries(now, limit, holdMs) {
      return driver.transaction(
        (function* () {
          const ids = (yield* all<{ id: string }>(S.claim, [now + holdMs, now, limit])).map((r) => r.id)
          if (ids.length === 0) return []
          const claimed = yield* all<ClaimedDelivery & { rule_id: number; server_id: string; created_at: number; webhook_url: string }>(S.claimed, [JSON.stringify(ids)])
          return claimed.map((r) => ({
            id: r.id,
            ruleId: Number(r.rule_id),
            serverId: r.server_id,
            type: r.type,
            payload: r.payload,
            createdAt: Number(r.created_at),
            attempts: Number(r.attempts),
            webhookUrl: r.webhook_url,
            secret: r.secret,
          }))
        })(),
      )
    },
    async recordAttempt(deliveryId, a, status) {
      return driver.transaction(
        (function* () {
          const params = [a.attempt, status, a.nextAttemptAt, a.responseStatus, a.error, deliveryId, a.attempt - 1]
          if ((yield* exec(S.attemptDone, params)) === 0) return false
          yield* exec(S.insertAttempt, [deliveryId, a.attempt, a.at, a.responseStatus, a.error, a.nextAttemptAt])
          return true
        })(),
      )
    },
    async listDeliveries(filter, limit) {
      const found =
        filter.ruleId !== undefined
          ? await rows<DeliveryRow>(S.deliveriesOfRule, [filter.ruleId, limit])
          : filter.serverId !== undefined
            ? await rows<DeliveryRow>(S.deliveriesOfServer, [filter.serverId, limit])
            : await rows<DeliveryRow>(S.allDeliveries, [limit])
      if (found.length === 0) return []
      const attempts = await rows<AttemptRow>(S.attempts, [JSON.stringify(found.map((d) => d.id))])
      return found.map(
        (d): DeliveryRecord => ({
          id: d.id,
          ruleId: Number(d.rule_id),
          serverId: d.server_id,
          type: d.type,
          createdAt: Number(d.created_at),
          status: d.status,
          nextAttemptAt: num(d.next_attempt_at),
          attempts: attempts
            .filter((a) => a.delivery_id === d.id)
            .map((a) => ({ attempt: Number(a.attempt), at: Number(a.attempted_at), responseStatus: num(a.response_status), error: a.error, nextAttemptAt: num(a.next_attempt_at) })),
        }),
      )
    },
    async acquireLease(name, holder, now, ttlMs) {
      return (await driver.run(exec(S.lease, [name, holder, now + ttlMs, now]))) > 0
    },
  }
}
