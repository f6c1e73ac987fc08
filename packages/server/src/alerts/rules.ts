// Managing rules, shared by the CLI and the admin API: adding one (checked, its webhook's addresses checked, a
// secret of its own made), showing one (never its secret), and sending a sample (`alerts test`).
import { type AlertRuleView, describeIssues, formatAlertWindow, generateSigningSecret, parseAlertRule } from '@mcpdir/metrics/protocol'
import type { AlertRule } from '../store/alert-store'
import type { Store } from '../store/store'
import { digestPayload, weekStart } from './digest'
import { alertPayload, newDeliveryId } from './payload'
import { type AttemptResult, attemptDelivery, type SenderOptions } from './sender'
import { type WebhookPolicy, webhookUrlProblem } from './webhook-url'

/** What adding a rule came to: the rule and its secret (shown this once), or why not (400 / 404 and where). */
export type AddRuleResult = { ok: true; rule: AlertRule; secret: string } | { ok: false; status: 400 | 404; message: string; path?: string }

/** Checks and adds a rule for `serverId` (input as the admin API takes it). */
export async function addRule(store: Store, serverId: string, input: unknown, policy: WebhookPolicy, now: number): Promise<AddRuleResult> {
  const parsed = parseAlertRule(input)
  if (!parsed.ok) return { ok: false, status: 400, message: describeIssues(parsed.issues), ...(parsed.issues[0] && { path: parsed.issues[0].path }) }
  const spec = parsed.value
  const problem = await webhookUrlProblem(spec.webhook, policy)
  if (problem) return { ok: false, status: 400, message: `webhook refused: ${problem}`, path: 'webhook' }
  const secret = generateSigningSecret()
  const rule = await store.createAlertRule({ serverId, metric: spec.metric, condition: spec.condition, threshold: spec.threshold, windowMs: spec.windowMs, webhookUrl: spec.webhook, secret }, now)
  if (!rule) return { ok: false, status: 404, message: `no server ${serverId}` }
  return { ok: true, rule, secret }
}

/** A rule as shown: never its secret. */
export function ruleView(rule: AlertRule): AlertRuleView {
  return {
    id: rule.id,
    server_id: rule.serverId,
    metric: rule.metric,
    condition: rule.condition,
    threshold: rule.threshold,
    window: formatAlertWindow(rule.windowMs),
    webhook: rule.webhookUrl,
    created_at: rule.createdAt,
    state: rule.state.status,
    state_since: rule.state.since,
    last_value: rule.state.value,
  }
}

/**
 * Sends a sample to a rule's webhook now, once, recorded like any delivery (type `alert.test`, never retried):
 * an `alert.firing` marked `test: true` with the threshold as its value, or for a digest the digest of the week
 * that ended. Undefined when there is no such rule (or its server is gone).
 */
export async function sendSample(sender: SenderOptions, ruleId: number, baseUrl: string): Promise<AttemptResult | undefined> {
  const { store, clock } = sender
  const rule = await store.getAlertRule(ruleId)
  const server = rule && (await store.getServer(rule.serverId))
  if (!rule || !server) return undefined
  const now = clock()
  const payload =
    rule.metric === 'digest'
      ? await digestPayload(store, rule, server, weekStart(now) - 7 * 86_400_000, now, baseUrl, true)
      : alertPayload('alert.firing', rule, server, rule.metric === 'silence' ? rule.windowMs : rule.threshold, now, baseUrl, true)
  const id = newDeliveryId()
  const body = JSON.stringify(payload)
  await store.addDelivery({ id, ruleId, type: 'alert.test', payload: body, createdAt: now, dueAt: now + 86_400_000 })
  return attemptDelivery(sender, { id, ruleId, serverId: rule.serverId, type: 'alert.test', payload: body, createdAt: now, attempts: 0, webhookUrl: rule.webhookUrl, secret: rule.secret }, false)
}
