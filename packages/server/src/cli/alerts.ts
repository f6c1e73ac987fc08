import { parseArgs } from 'node:util'
import { describeIssues, parseAlertRule, serverIdProblem } from '@mcpdir/metrics/protocol'
import pino from 'pino'
import { addRule, ruleView, sendSample } from '../alerts/rules'
import type { Store } from '../store/store'
import type { Command } from './command'
import { DEFAULT_DB, dbOption, openDatabase, usageError } from './database-options'
import { printRules } from './alerts-output'

const DB = `[--db ${DEFAULT_DB} | --database-url URL]`
const USAGE = `Usage:
  mcpdir-metrics alerts add <server> --metric <metric> (--above <n> | --below <n>) --for <window> --webhook <url> [--json] ${DB}
  mcpdir-metrics alerts digest <server> --webhook <url> [--json] ${DB}
  mcpdir-metrics alerts list [<server>] [--deliveries] [--json] ${DB}
  mcpdir-metrics alerts remove <id> ${DB}
  mcpdir-metrics alerts test <id> [--public-url <url>] ${DB}

Metrics: error_rate (share of tool calls that failed, 0-1 or a percentage: 0.05 or 5%), p95 (ms),
availability (share of minutes with a heartbeat), calls (tool calls in the window; --below for traffic drops),
silence (nothing received for the window; no threshold). --for is a whole number of m, h or d, 1m to 1d.
error_rate and p95 fire when every minute with calls has been beyond the threshold for the whole window; the
others when the window as a whole is. Each rule sends "firing" once and "resolved" once, to its webhook, signed
the Standard Webhooks way with the rule's own secret, which add prints once. "digest" subscribes a webhook to
the server's weekly digest (sent Mondays for the week that ended). "test" sends a sample now and prints the answer.

Webhooks must be http(s); private, loopback and link-local addresses are refused unless
--allow-private-webhooks (or MCPDIR_ALLOW_PRIVATE_WEBHOOKS=1) is given, here and to serve.`

/** `--above 5%` → 0.05; a number, or a usage error naming the flag. */
function threshold(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  const percent = text.trim().endsWith('%')
  const value = Number(percent ? text.trim().slice(0, -1) : text)
  if (text.trim() === '' || !Number.isFinite(value)) throw usageError(`--${flag} must be a number, got "${text}"`)
  return percent ? value / 100 : value
}

const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`)

export const alertsCommand: Command = {
  summary: 'alert rules and weekly digests: add, digest, list, remove, test',
  usage: USAGE,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: {
        ...dbOption,
        metric: { type: 'string' },
        above: { type: 'string' },
        below: { type: 'string' },
        for: { type: 'string' },
        webhook: { type: 'string' },
        deliveries: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        'allow-private-webhooks': { type: 'boolean', default: process.env.MCPDIR_ALLOW_PRIVATE_WEBHOOKS === '1' },
        'public-url': { type: 'string', default: process.env.MCPDIR_PUBLIC_URL ?? 'http://127.0.0.1:8787' },
      },
      allowPositionals: true,
      strict: true,
    })
    const [action, target, ...extra] = positionals
    if (extra.length > 0) throw usageError(`unexpected argument "${extra[0]}"`)
    const policy = { allowPrivate: values['allow-private-webhooks'] }
    const withStore = async (work: (store: Store) => Promise<number>) => {
      const store = await openDatabase(values)
      try {
        return await work(store)
      } finally {
        await store.close()
      }
    }

    if (action === 'add' || action === 'digest') {
      if (target === undefined) throw usageError(`alerts ${action} needs a server id`)
      const problem = serverIdProblem(target)
      if (problem) throw usageError(problem)
      const input =
        action === 'digest'
          ? { metric: 'digest', webhook: values.webhook }
          : { metric: values.metric, above: threshold('above', values.above), below: threshold('below', values.below), for: values.for, webhook: values.webhook }
      if (action === 'add' && values.metric === undefined) throw usageError('alerts add needs --metric error_rate|p95|availability|calls|silence')
      if (values.webhook === undefined) throw usageError(`alerts ${action} needs --webhook <url>`)
      const parsed = parseAlertRule(JSON.parse(JSON.stringify(input)))
      if (!parsed.ok) throw usageError(describeIssues(parsed.issues).replace(/^(above|below|for|webhook|metric): /, '--$1: '))
      return withStore(async (store) => {
        const added = await addRule(store, target, JSON.parse(JSON.stringify(input)), policy, Date.now())
        if (!added.ok) {
          if (added.status === 400) throw usageError(added.path ? `--${added.path}: ${added.message}` : added.message)
          process.stderr.write(`mcpdir-metrics alerts ${action}: ${added.message}\n`)
          return 1
        }
        if (values.json) print({ ...ruleView(added.rule), secret: added.secret })
        else {
          printRules([added.rule], new Map())
          process.stdout.write(`\nSigning secret of alert ${added.rule.id} (shown once; verify deliveries with it):\n  ${added.secret}\n`)
        }
        return 0
      })
    }

    if (action === 'list') {
      if (target !== undefined && serverIdProblem(target)) throw usageError(serverIdProblem(target) as string)
      return withStore(async (store) => {
        const rules = await store.listAlertRules(target)
        const deliveries = new Map(values.deliveries ? await Promise.all(rules.map(async (r) => [r.id, await store.listDeliveries({ ruleId: r.id }, 20)] as const)) : [])
        if (values.json) print(rules.map((r) => ({ ...ruleView(r), ...(values.deliveries && { deliveries: deliveries.get(r.id) ?? [] }) })))
        else if (rules.length === 0) process.stdout.write(`no alerts yet${target ? ` for ${target}` : ''}: add one with "mcpdir-metrics alerts add <server> …"\n`)
        else printRules(rules, deliveries)
        return 0
      })
    }

    if (action === 'remove' || action === 'test') {
      const id = Number(target)
      if (target === undefined || !Number.isSafeInteger(id) || id <= 0) throw usageError(`alerts ${action} needs an alert id (a number, see "alerts list")`)
      return withStore(async (store) => {
        if (action === 'remove') {
          if (!(await store.deleteAlertRule(id))) {
            process.stderr.write(`mcpdir-metrics alerts remove: no alert ${id}\n`)
            return 1
          }
          process.stdout.write(`removed alert ${id}\n`)
          return 0
        }
        const sender = { store, clock: Date.now, logger: pino({ level: 'silent' }), policy: () => policy }
        const result = await sendSample(sender, id, values['public-url'])
        if (!result) {
          process.stderr.write(`mcpdir-metrics alerts test: no alert ${id}\n`)
          return 1
        }
        if (values.json) print(result)
        else process.stdout.write(`${result.status === 'delivered' ? 'delivered' : 'failed'}: ${result.error ?? `HTTP ${result.responseStatus}`}\n`)
        return result.status === 'delivered' ? 0 : 1
      })
    }
    throw usageError('expected add, digest, list, remove or test')
  },
}
