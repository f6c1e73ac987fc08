// `mcpdir-metrics system-test <url>`: the seed's end-to-end check, against any deployment. It registers a
// throwaway server, sends signed metrics in both signature forms, tracks usage, aggregates, fetches every
// period and checks the numbers round-trip exactly, checks that forged and replayed batches are refused,
// prints a PASS / FAIL table, and removes the throwaway server whatever happened.
import { randomBytes } from 'node:crypto'
import { parseArgs } from 'node:util'
import {
  createSignatureHeaders,
  generateSigningSecret,
  type MetricsFetchResponse,
  PERIODS,
  parseErrorResponse,
  ROUTES,
  signLegacy,
} from '@mcpdir/metrics/protocol'
import type { Command } from './command'
import { usageError } from './database-options'

interface Check {
  name: string
  ok: boolean
  detail: string
}

class SystemTest {
  readonly checks: Check[] = []
  constructor(
    private readonly base: string,
    private readonly adminKey: string,
  ) {}

  async request(path: string, init: RequestInit & { headers?: Record<string, string> } = {}) {
    const response = await fetch(`${this.base}${path}`, init)
    const text = await response.text()
    let json: Record<string, unknown> = {}
    try {
      json = JSON.parse(text) as Record<string, unknown>
    } catch {
      // not JSON; the check that reads it will say so
    }
    return { status: response.status, json }
  }

  admin(path: string, method: string, body?: unknown) {
    return this.request(path, {
      method,
      headers: { authorization: `Bearer ${this.adminKey}`, 'content-type': 'application/json' },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    })
  }

  check(name: string, ok: boolean, detail: string): boolean {
    this.checks.push({ name, ok, detail })
    return ok
  }

  async step(name: string, run: () => Promise<string>): Promise<boolean> {
    try {
      return this.check(name, true, await run())
    } catch (error) {
      return this.check(name, false, error instanceof Error ? error.message : String(error))
    }
  }
}

function expectEqual(what: string, actual: unknown, expected: unknown): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`)
  }
}

function table(checks: Check[]): string {
  const width = Math.max(...checks.map((c) => c.name.length), 5)
  const lines = checks.map((c) => `${c.ok ? 'PASS' : 'FAIL'}  ${c.name.padEnd(width)}  ${c.detail}`)
  return `RESULT  ${'CHECK'.padEnd(width)}  DETAIL\n${lines.join('\n')}\n`
}

async function run(t: SystemTest): Promise<void> {
  const serverId = `system-test-${randomBytes(4).toString('hex')}`
  let creds: { api_key: string; signing_secret: string } | undefined
  const now = Date.now()
  const collect = async (body: string, headers: Record<string, string>) =>
    t.request(ROUTES.metricsCollect, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } })

  const registered = await t.step('register a throwaway server', async () => {
    const { status, json } = await t.admin(ROUTES.adminServers, 'POST', { id: serverId, name: 'mcpdir system test' })
    if (status !== 201) throw new Error(`admin endpoint answered ${status}: ${JSON.stringify(json.error ?? json)}`)
    creds = json as unknown as { api_key: string; signing_secret: string }
    return serverId
  })
  if (!registered || !creds) return
  const key = creds.api_key
  const secret = creds.signing_secret

  try {
    const standard = JSON.stringify({
      server_id: serverId,
      metrics: [
        { name: 'st.requests', type: 'counter', value: 3, timestamp: now },
        { name: 'st.memory', type: 'gauge', value: 256.75, timestamp: now - 2_000 },
        { name: 'st.latency', type: 'timer', value: 120.5, timestamp: now },
        { name: 'st.latency', type: 'timer', value: 80, timestamp: now },
      ],
      events: [{ type: 'deployment', details: { version: 'system-test' }, timestamp: now }],
    })
    const batchId = `st-${randomBytes(6).toString('hex')}`
    await t.step('metrics-collect with a Standard Webhooks signature', async () => {
      const { status, json } = await collect(standard, { 'x-api-key': key, ...(await createSignatureHeaders({ secrets: secret, id: batchId, body: standard })) })
      expectEqual('answer', { status, json }, { status: 200, json: { success: true, metrics_processed: 4 } })
      return '4 points stored'
    })

    // the seed's own form: its README payload shape, X-API-Key and a hex X-Signature
    const legacy = JSON.stringify({
      server_id: serverId,
      metrics: [
        { name: 'st.requests', value: 4, type: 'count', timestamp: new Date(now).toISOString() },
        { name: 'st.memory', value: 300.25, type: 'gauge', tags: { endpoint: 'query' }, timestamp: new Date(now - 1_000).toISOString() },
      ],
    })
    await t.step('metrics-collect with the legacy X-Signature', async () => {
      const { status, json } = await collect(legacy, { 'X-API-Key': key, 'X-Signature': await signLegacy(secret, legacy) })
      expectEqual('answer', { status, json }, { status: 200, json: { success: true, metrics_processed: 2 } })
      return '2 points stored'
    })

    await t.step('a replayed batch is acknowledged once, not counted again', async () => {
      const again = await collect(standard, { 'x-api-key': key, ...(await createSignatureHeaders({ secrets: secret, id: batchId, body: standard })) })
      expectEqual('standard replay', again.json.duplicate, true)
      const legacyAgain = await collect(legacy, { 'X-API-Key': key, 'X-Signature': await signLegacy(secret, legacy) })
      expectEqual('legacy replay', legacyAgain.json.duplicate, true)
      return 'both answered duplicate: true'
    })

    await t.step('a bad signature is refused', async () => {
      const forged = await collect(standard, { 'x-api-key': key, ...(await createSignatureHeaders({ secrets: generateSigningSecret(), id: 'st-forged', body: standard })) })
      expectEqual('status', forged.status, 401)
      const legacyForged = await collect(legacy, { 'X-API-Key': key, 'X-Signature': await signLegacy('not the secret', legacy) })
      expectEqual('legacy status', legacyForged.status, 401)
      const stale = await collect(standard, {
        'x-api-key': key,
        ...(await createSignatureHeaders({ secrets: secret, id: 'st-stale', body: standard, timestampSeconds: Math.floor(now / 1000) - 3600 })),
      })
      expectEqual('stale', parseErrorResponse(stale.json)?.code, 'timestamp_stale')
      return `401 ${parseErrorResponse(forged.json)?.code}, 401 ${parseErrorResponse(legacyForged.json)?.code}, 401 timestamp_stale`
    })

    await t.step('usage-track', async () => {
      for (const action of ['view', 'install']) {
        const { status, json } = await t.request(ROUTES.usageTrack, {
          method: 'POST',
          body: JSON.stringify({ serverId, action }),
          headers: { 'content-type': 'application/json', 'user-agent': 'Mozilla/5.0 (mcpdir system-test) Gecko/20100101 Firefox/140.0' },
        })
        expectEqual(`${action}`, { status, json }, { status: 200, json: { success: true, recorded: true } })
      }
      return 'view and install recorded'
    })

    const today = new Date(now).toISOString().slice(0, 10)
    await t.step('metrics-aggregate', async () => {
      const { status, json } = await t.admin(ROUTES.metricsAggregate, 'POST', { date: today })
      expectEqual('status', status, 200)
      if (!(Number(json.metrics_aggregated) >= 3)) throw new Error(`metrics_aggregated ${json.metrics_aggregated}`)
      return `${json.metrics_aggregated} daily rows for ${today}`
    })

    for (const period of PERIODS) {
      await t.step(`metrics-fetch ${period}: numbers round-trip`, async () => {
        const { status, json } = await t.admin(`${ROUTES.metricsFetch}?${new URLSearchParams({ server_id: serverId, period })}`, 'GET')
        expectEqual('status', status, 200)
        const data = json as unknown as MetricsFetchResponse
        const summary = (name: string) => data.metrics.find((m) => m.name === name)?.summary
        expectEqual('counter', summary('st.requests'), { count: 2, sum: 7 })
        expectEqual('gauge', summary('st.memory'), { count: 2, sum: 557, min: 256.75, max: 300.25, avg: 278.5, last: 300.25 })
        const latency = summary('st.latency')
        expectEqual('timer', { count: latency?.count, sum: latency?.sum, min: latency?.min, max: latency?.max }, { count: 2, sum: 200.5, min: 80, max: 120.5 })
        expectEqual('usage', [data.usage.totals.views, data.usage.totals.installs], [1, 1])
        expectEqual('events', data.events.map((e) => e.type), ['deployment'])
        return `${data.tier} tier, ${data.bucket_ms / 60_000} min buckets`
      })
    }
  } finally {
    await t.step('remove the throwaway server', async () => {
      const { status } = await t.admin(`${ROUTES.adminServers}/${encodeURIComponent(serverId)}`, 'DELETE')
      expectEqual('status', status, 200)
      return serverId
    })
  }
}

export const systemTestCommand: Command = {
  summary: 'check a running deployment end to end',
  usage: `Usage: mcpdir-metrics system-test <url> [--admin-key <key>]

Registers a throwaway server, sends signed metrics in both signature forms, tracks usage, aggregates,
fetches every period and checks that the numbers round-trip exactly, checks that bad signatures and
replays are refused, prints a PASS / FAIL table, and removes the throwaway server. Exits 1 on any failure.
The admin key comes from --admin-key or MCPDIR_ADMIN_KEY.`,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { 'admin-key': { type: 'string', default: process.env.MCPDIR_ADMIN_KEY } },
      allowPositionals: true,
      strict: true,
    })
    const [url, ...extra] = positionals
    if (!url || extra.length > 0) throw usageError('expected: system-test <url>')
    if (!/^https?:\/\//.test(url)) throw usageError(`"${url}" is not an http(s) URL`)
    if (!values['admin-key']) throw usageError('the admin key is needed: --admin-key or MCPDIR_ADMIN_KEY')
    const test = new SystemTest(url.replace(/\/+$/, ''), values['admin-key'])
    await run(test)
    process.stdout.write(table(test.checks))
    const failed = test.checks.filter((c) => !c.ok).length
    process.stdout.write(`\n${test.checks.length - failed} passed, ${failed} failed\n`)
    return failed === 0 ? 0 : 1
  },
}
