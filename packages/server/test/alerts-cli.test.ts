// `mcpdir-metrics alerts …` end to end: the built CLI on a SQLite file, a sample sent to a local receiver that
// verifies it with the standardwebhooks package.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Receiver, startReceiver } from '../src/alerts/receiver.test-helpers'
import { CLI } from '../src/testing'
import { addServer, cli } from './helpers'

let dir: string
let db: string
let receiver: Receiver
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mcpdir-alerts-cli-'))
  db = join(dir, 'metrics.db')
  receiver = await startReceiver(() => Date.now())
  addServer(db, 'svc', '--name', 'Search')
})
afterAll(async () => {
  await receiver.close()
  rmSync(dir, { recursive: true, force: true })
})

/** The CLI without blocking this process (the receiver answers from it). */
function cliAsync(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args, '--db', db], { env: { ...process.env, MCPDIR_ALLOW_PRIVATE_WEBHOOKS: '' } })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c) => (stdout += c))
    child.stderr.on('data', (c) => (stderr += c))
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

const hook = (path: string) => `${receiver.url}${path}`

// each command is a process of its own: generous timeouts for a busy machine (guards, not timings)
describe('mcpdir-metrics alerts', { timeout: 120_000 }, () => {
  it('adds rules, refusing bad ones with exit code 2 and a precise message, and private webhooks unless allowed', () => {
    const add = (...args: string[]) => cli(['alerts', 'add', 'svc', ...args], db)
    const refusals: [string[], string][] = [
      [['--metric', 'error_rate', '--above', '5', '--for', '10m', '--webhook', hook('/a')], '--above: error_rate is a share of calls from 0 to 1'],
      [['--metric', 'error_rate', '--above', 'lots', '--for', '10m', '--webhook', hook('/a')], '--above must be a number'],
      [['--metric', 'error_rate', '--above', '0.1', '--below', '0.2', '--for', '10m', '--webhook', hook('/a')], 'not both'],
      [['--metric', 'p95', '--above', '500', '--for', '30s', '--webhook', hook('/a')], '--for: "30s" is not a window'],
      [['--metric', 'p95', '--above', '500', '--webhook', hook('/a')], '--for: p95 needs a window'],
      [['--metric', 'latency', '--above', '500', '--for', '1m', '--webhook', hook('/a')], '--metric'],
      [['--above', '500', '--for', '1m', '--webhook', hook('/a')], 'needs --metric'],
      [['--metric', 'calls', '--below', '1', '--for', '1h'], 'needs --webhook'],
      [['--metric', 'calls', '--below', '1', '--for', '1h', '--webhook', 'ftp://x.example/'], 'http or https'],
      [['--metric', 'silence', '--for', '10m', '--webhook', hook('/a')], '127.0.0.1 is a loopback address'],
    ]
    for (const [args, message] of refusals) {
      const result = add(...args)
      expect([result.code, result.stderr], args.join(' ')).toEqual([2, expect.stringContaining(message)])
    }
    expect(cli(['alerts', 'add', 'nobody', '--metric', 'silence', '--for', '10m', '--webhook', hook('/a'), '--allow-private-webhooks'], db)).toMatchObject({ code: 1, stderr: expect.stringContaining('no server nobody') })

    const added = add('--metric', 'error_rate', '--above', '5%', '--for', '10m', '--webhook', hook('/alert'), '--allow-private-webhooks', '--json')
    expect(added.code, added.stderr).toBe(0)
    const rule = JSON.parse(added.stdout)
    expect(rule).toMatchObject({ id: 1, server_id: 'svc', metric: 'error_rate', condition: 'above', threshold: 0.05, window: '10m', webhook: hook('/alert'), state: 'ok', secret: expect.stringMatching(/^whsec_/) })
    receiver.secrets.set('/alert', rule.secret)
    const human = add('--metric', 'calls', '--below', '1', '--for', '1h', '--webhook', hook('/drop'), '--allow-private-webhooks')
    expect(human.stdout).toMatch(/^2\tsvc\tcalls below 1 over 1h\tok since .*\n\nSigning secret of alert 2 \(shown once; verify deliveries with it\):\n {2}whsec_/)
    const digest = cli(['alerts', 'digest', 'svc', '--webhook', hook('/digest'), '--allow-private-webhooks', '--json'], db)
    expect(JSON.parse(digest.stdout)).toMatchObject({ id: 3, metric: 'digest', window: '7d', condition: null })
    receiver.secrets.set('/digest', JSON.parse(digest.stdout).secret)
  })

  it('lists rules without their secrets, of one server or all', () => {
    const listed = JSON.parse(cli(['alerts', 'list', '--json'], db).stdout) as Record<string, unknown>[]
    expect(listed.map((r) => [r.id, r.metric])).toEqual([[1, 'error_rate'], [2, 'calls'], [3, 'digest']])
    for (const r of listed) expect(r).not.toHaveProperty('secret')
    expect(cli(['alerts', 'list', 'svc'], db).stdout).toContain('1\tsvc\terror rate above 5 % for 10m\tok since')
    expect(cli(['alerts', 'list', 'other'], db).stdout).toContain('no alerts yet for other')
  })

  it('sends a signed sample with "test", refused at a private address unless allowed, and lists its attempt', async () => {
    const refused = await cliAsync(['alerts', 'test', '1'])
    expect([refused.code, refused.stdout]).toEqual([1, expect.stringContaining('refused: 127.0.0.1 is a loopback address')])
    expect(receiver.received).toHaveLength(0)

    const sent = await cliAsync(['alerts', 'test', '1', '--allow-private-webhooks', '--public-url', 'https://m.example'])
    expect([sent.code, sent.stdout], sent.stderr).toEqual([0, 'delivered: HTTP 204\n'])
    expect(receiver.received.map((r) => [r.path, r.verified, r.valid])).toEqual([['/alert', 'ok', true]])
    expect(receiver.received[0]?.body).toMatchObject({ type: 'alert.firing', test: true, server: { id: 'svc', name: 'Search' }, value: 0.05, url: 'https://m.example/#svc' })
    expect(receiver.received[0]?.body.text).toMatch(/^\[test\] /)

    receiver.answers.push(204, 500)
    const digest = await cliAsync(['alerts', 'test', '3', '--allow-private-webhooks', '--json'])
    expect(digest.code, digest.stderr).toBe(1)
    expect(JSON.parse(digest.stdout)).toMatchObject({ status: 'failed', responseStatus: 500, nextAttemptAt: null })
    expect(receiver.received[1]?.body).toMatchObject({ type: 'digest.weekly', test: true, digest: { calls: { value: 0 } } })

    const [rule] = JSON.parse(cli(['alerts', 'list', 'svc', '--deliveries', '--json'], db).stdout) as { deliveries: { type: string; status: string; attempts: { responseStatus: number | null; error: string | null }[] }[] }[]
    expect(rule?.deliveries.map((d) => [d.type, d.status, d.attempts.map((a) => a.responseStatus ?? a.error)])).toEqual([
      ['alert.test', 'delivered', [204]],
      ['alert.test', 'failed', [expect.stringContaining('refused: 127.0.0.1')]],
    ])
    expect(cli(['alerts', 'list', '--deliveries'], db).stdout).toMatch(/ {2}msg_[0-9a-f]{24}\talert\.test\t.*\tdelivered\n {4}attempt 1\t.*\tHTTP 204\n/)
  })

  it('removes rules; unknown ids exit 1, malformed ones 2', () => {
    expect(cli(['alerts', 'remove', '2'], db)).toMatchObject({ code: 0, stdout: 'removed alert 2\n' })
    expect(cli(['alerts', 'remove', '2'], db)).toMatchObject({ code: 1, stderr: expect.stringContaining('no alert 2') })
    expect(cli(['alerts', 'remove', 'two'], db).code).toBe(2)
    expect(cli(['alerts', 'test', '99'], db).code).toBe(1)
    expect(cli(['alerts', 'frobnicate'], db).code).toBe(2)
    expect(JSON.parse(cli(['alerts', 'list', '--json'], db).stdout).map((r: { id: number }) => r.id)).toEqual([1, 3])
  })
})
