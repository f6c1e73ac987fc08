// How `alerts add` and `alerts list` print rules (and their deliveries) for people.
import { describeRule } from '../alerts/payload'
import type { AlertRule, DeliveryRecord } from '../store/alert-store'

const time = (t: number | null) => (t === null ? '-' : new Date(t).toISOString())

/** One line per rule (id, server, rule, state, webhook), each followed by its deliveries when given. */
export function printRules(rules: readonly AlertRule[], deliveries: ReadonlyMap<number, readonly DeliveryRecord[]>): void {
  for (const rule of rules) {
    const what = rule.metric === 'digest' ? `weekly digest (last sent for the week of ${rule.state.digestWeek ?? 'none yet'})` : describeRule(rule)
    const state = rule.metric === 'digest' ? '' : `\t${rule.state.status} since ${time(rule.state.since)}`
    process.stdout.write(`${rule.id}\t${rule.serverId}\t${what}${state}\t${rule.webhookUrl}\n`)
    for (const d of deliveries.get(rule.id) ?? []) {
      const next = d.status === 'pending' ? `, next attempt ${time(d.nextAttemptAt)}` : ''
      process.stdout.write(`  ${d.id}\t${d.type}\t${time(d.createdAt)}\t${d.status}${next}\n`)
      for (const a of d.attempts) {
        const answer = a.error ?? `HTTP ${a.responseStatus}`
        process.stdout.write(`    attempt ${a.attempt}\t${time(a.at)}\t${answer}${a.nextAttemptAt === null ? '' : `\tretry at ${time(a.nextAttemptAt)}`}\n`)
      }
    }
  }
}

