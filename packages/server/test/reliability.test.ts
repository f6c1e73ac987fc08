// Crash, full disk and privacy, against the real service process and the real SDK.
import { readdirSync, readFileSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'
import { createMetrics, type Metrics } from '@mcpdir/metrics'
import { serve } from '@hono/node-server'
import { describe, expect, it } from 'vitest'
import { createApp } from '../src/app/create-app'
import { registerServer } from '../src/credentials/server-credentials'
import { openSqliteStore } from '../src/store/sqlite/sqlite-store'
import { CLI, type RunningService, startService } from '../src/testing'
import { sumOfPoints } from './helpers'

function freePort(): Promise<number> {
  return new Promise((ok) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => ok(port))
    })
  })
}

const sdk = (endpoint: string, creds: { api_key: string; signing_secret: string }, id: string) =>
  createMetrics({
    serverId: id,
    apiKey: creds.api_key,
    signingSecret: creds.signing_secret,
    endpoint,
    flushIntervalMs: 100,
    requestTimeoutMs: 2_000,
    retry: { initialDelayMs: 50, maxDelayMs: 200 },
    maxQueuedBatches: 10_000,
    handleProcessEvents: false,
    spool: false,
    env: {},
  })

describe('reliability', () => {
  it('kill -9 during sustained SDK traffic: every acknowledged batch once, retries deliver the rest, totals exact', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcpdir-crash-'))
    const port = await freePort()
    const start = () => startService({ dir, args: ['--port', String(port), '--ingest-rate', '100000'] })
    let service: RunningService = await start()
    const creds = JSON.parse(spawnSync(process.execPath, [CLI, 'servers', 'add', 'crashy', '--json', '--db', service.dbPath], { encoding: 'utf8' }).stdout)
    const senders: Metrics[] = Array.from({ length: 3 }, () => sdk(`http://127.0.0.1:${port}`, creds, 'crashy'))
    let recorded = 0
    let running = true
    const traffic = (async () => {
      while (running) {
        for (const m of senders) {
          m.counter('crash.work', { shard: String(recorded % 5) }).inc(3)
          recorded += 3
        }
        await new Promise((r) => setTimeout(r, 5))
      }
    })()
    try {
      for (let crash = 0; crash < 5; crash++) {
        await new Promise((r) => setTimeout(r, 400))
        service.child.kill('SIGKILL')
        await new Promise((r) => service.child.once('exit', r))
        await new Promise((r) => setTimeout(r, 200)) // down for a couple of flush intervals
        service = await start()
      }
      running = false
      await traffic
      await Promise.all(senders.map((m) => m.flush()))
      await Promise.all(senders.map((m) => m.shutdown()))
      await service.stop()
      const db = join(dir, 'metrics.db')
      expect(sumOfPoints(db, (p) => p.name.startsWith('mcpdir.sdk.'))).toBe(0)
      expect(sumOfPoints(db, (p) => p.name === 'crash.work')).toBe(recorded)
    } finally {
      running = false
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('a full disk answers 503 with Retry-After, and nothing acknowledged is lost', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcpdir-full-'))
    const store = openSqliteStore({ path: join(dir, 'metrics.db') })
    const creds = await registerServer(store, { id: 'full' }, Date.now())
    const app = createApp({ store, backgroundJobs: false })
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' })
    await new Promise((r) => server.once('listening', r))
    const { port } = server.address() as { port: number }
    const statuses: number[] = []
    const m = sdk(`http://127.0.0.1:${port}`, creds, 'full')
    try {
      const pages = store.db.pragma('page_count', { simple: true }) as number
      store.db.pragma(`max_page_count = ${pages}`) // the disk is full: no page more
      for (let i = 0; i < 200; i++) m.counter('full.work', { i: String(i) }).inc(i)
      // enough new rows that they need new pages
      const body = JSON.stringify({ server_id: 'full', metrics: Array.from({ length: 1_000 }, (_, i) => ({ name: 'probe', type: 'gauge', value: i, tags: { i: String(i), pad: 'p'.repeat(150) } })) })
      const { createSignatureHeaders } = await import('@mcpdir/metrics/protocol')
      const probe = await fetch(`http://127.0.0.1:${port}/functions/v1/metrics-collect`, {
        method: 'POST',
        body,
        headers: { ...(await createSignatureHeaders({ secrets: creds.signing_secret, id: 'probe', body })), 'x-api-key': creds.api_key },
      })
      statuses.push(probe.status)
      expect(probe.status).toBe(503)
      expect(probe.headers.get('retry-after')).toBe('5')
      expect(await probe.json()).toMatchObject({ error: { code: 'unavailable' } })
      store.db.pragma('max_page_count = 1073741823') // space again
      await m.flush()
      expect(sumOfPoints(store.db, (p) => p.name === 'full.work')).toBe((199 * 200) / 2)
    } finally {
      await m.shutdown()
      server.close()
      app.stop()
      await store.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('keeps no byte of visitor addresses or user agents in the database files or logs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcpdir-privacy-'))
    const service = await startService({ dir, args: ['--trust-proxy', '--log-level', 'debug'] })
    try {
      spawnSync(process.execPath, [CLI, 'servers', 'add', 'private-eye', '--db', service.dbPath])
      const addresses = ['203.0.113.77', '198.51.100.23', '2001:db8::4242']
      const agent = 'Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0 PrivacyProbe-7d1e'
      for (const address of addresses) {
        for (const action of ['view', 'install', 'invoke']) {
          const response = await fetch(`${service.url}/functions/v1/usage-track`, {
            method: 'POST',
            body: JSON.stringify({ serverId: 'private-eye', action, details: { page: 'home' } }),
            headers: { 'x-forwarded-for': `${address}, 10.0.0.1`, 'user-agent': agent },
          })
          expect(await response.json()).toEqual({ success: true, recorded: true })
        }
        // and a refused request, whose log line must not carry them either
        await fetch(`${service.url}/functions/v1/usage-track`, { method: 'POST', body: '{', headers: { 'x-forwarded-for': address, 'user-agent': agent } })
      }
      const fetched = await (await fetch(`${service.url}/functions/v1/metrics-fetch?server_id=private-eye&period=1h`)).json()
      expect(fetched.usage.totals.unique_visitors).toBe(3)
      const stderr = service.stderr()
      await service.stop()
      const files = readdirSync(dir).map((f) => readFileSync(join(dir, f)))
      expect(files.length).toBeGreaterThan(0)
      for (const needle of [...addresses, 'PrivacyProbe-7d1e', 'Gecko/20100101']) {
        for (const file of files) expect(file.includes(needle), needle).toBe(false)
        expect(stderr.includes(needle), `log: ${needle}`).toBe(false)
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
