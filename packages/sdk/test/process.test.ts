// The SDK inside real host processes: stdout stays clean, exits flush, signals keep their meaning, and
// what could not be sent is spooled and sent by the next process.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { generateSigningSecret } from '../src/protocol/index'
import { type Collector, startCollector, total } from './collector'

const HOST = resolve(import.meta.dirname, 'fixtures/host.mjs')
const secret = generateSigningSecret()
let collector: Collector
let spoolDir: string

beforeEach(async () => {
  collector = await startCollector({ secret })
  spoolDir = mkdtempSync(join(tmpdir(), 'mcpdir-spool-'))
})
afterEach(async () => {
  await collector.close()
  rmSync(spoolDir, { recursive: true, force: true })
})

function host(mode: string, env: Record<string, string> = {}, endpoint = collector.url) {
  const child = spawn(process.execPath, [HOST, mode], {
    env: {
      ...process.env,
      MCPDIR_SERVER_ID: 'proc-test',
      MCPDIR_API_KEY: 'mcpm_test',
      MCPDIR_SIGNING_SECRET: secret,
      MCPDIR_METRICS_ENDPOINT: endpoint,
      MCPDIR_SPOOL_DIR: spoolDir,
      ...env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (c) => (stdout += c))
  child.stderr.on('data', (c) => (stderr += c))
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((ok) =>
    child.on('exit', (code, signal) => ok({ code, signal, stdout, stderr })),
  )
  const recorded = new Promise<void>((ok) => child.stderr.on('data', () => stderr.includes('recorded') && ok()))
  return { child, done, recorded }
}

const expectTotals = () => {
  const points = collector.points()
  expect(total(points, 'work.items')).toBe(200_000)
  expect(total(points, 'work.items', { kind: 'odd' })).toBe(100_000)
  expect(collector.events().some((e) => e.type === 'deployment')).toBe(true)
  expect(collector.events().some((e) => e.type === 'restart')).toBe(true)
}

describe('SDK in a host process', () => {
  it('records heavily and shuts down: every count arrives, signed, and stdout is empty', async () => {
    const { done } = host('shutdown', { DEBUG_SDK: '1' })
    const result = await done
    expect(result.code).toBe(0)
    expect(result.stdout).toBe('')
    expect(result.stderr).toContain('[mcpdir-metrics]')
    expectTotals()
    expect(collector.received.every((r) => r.signatureOk)).toBe(true)
  })

  it('flushes on beforeExit when the event loop empties, without keeping the process alive', async () => {
    const result = await host('natural').done
    expect(result.code).toBe(0)
    expect(result.stdout).toBe('')
    expectTotals()
  })

  it('flushes on stdin end (the MCP client went away)', async () => {
    const { child, recorded } = host('stdin')
    await recorded
    child.stdin?.end()
    await collector.waitFor(() => total(collector.points(), 'work.items') === 200_000)
    child.kill('SIGKILL')
  })

  it('on SIGTERM with no host handler: flushes, then dies of SIGTERM as it would have', async () => {
    const { child, done, recorded } = host('signal')
    await recorded
    child.kill('SIGTERM')
    const result = await done
    expect(result.signal).toBe('SIGTERM')
    expectTotals()
  })

  it("on SIGTERM with a host handler: the host's exit code stands, and nothing is lost", async () => {
    const { child, done, recorded } = host('signal-host')
    await recorded
    child.kill('SIGTERM')
    const result = await done
    expect(result.code).toBe(42)
    expectTotals()
  })

  it('spools what it could not send, and the next process sends it with the same batch ids', async () => {
    const { port } = collector
    await collector.close()
    const first = await host('shutdown', { SHUTDOWN_MS: '300' }, `http://127.0.0.1:${port}`).done
    expect(first.code).toBe(0)
    expect(readdirSync(spoolDir)).toEqual(['proc-test.spool.json'])
    const spooled = JSON.parse(readFileSync(join(spoolDir, 'proc-test.spool.json'), 'utf8')) as { batches: { id: string }[] }

    collector = await startCollector({ secret, port })
    const second = await host('shutdown', { RECORDS: '0' }).done
    expect(second.code).toBe(0)
    expectTotals()
    expect([...collector.accepted.keys()]).toEqual(expect.arrayContaining(spooled.batches.map((b) => b.id)))
    expect(existsSync(join(spoolDir, 'proc-test.spool.json'))).toBe(false)
  })

  it('skips a corrupt spool file instead of failing', async () => {
    const { writeFileSync } = await import('node:fs')
    writeFileSync(join(spoolDir, 'proc-test.spool.json'), '{"v":1,"batches":[{"id":')
    const result = await host('shutdown').done
    expect(result.code).toBe(0)
    expect(result.stderr).toContain('onError spool_failed')
    expectTotals()
  })

  it('spools synchronously when the host calls process.exit()', async () => {
    const { port } = collector
    await collector.close()
    const result = await host('exit', {}, `http://127.0.0.1:${port}`).done
    expect(result.code).toBe(3)
    expect(readdirSync(spoolDir)).toEqual(['proc-test.spool.json'])
    collector = await startCollector({ secret, port })
    await host('shutdown', { RECORDS: '0' }).done
    expectTotals()
  })
})

