// `npm run demo`: the whole system on one machine. Starts the service on its own demo database, registers
// the example server, runs it under a real MCP client that keeps calling its tools (and a visitor that views
// and installs it), and prints the dashboard URL. Ctrl-C stops everything cleanly.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { resolve } from 'node:path'
import { ROUTES } from '@mcpdir/metrics/protocol'
import { CLI } from '@mcpdir/metrics-server/testing'
import { Client } from '@modelcontextprotocol/client'
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio'

const root = resolve(import.meta.dirname, '../../..')
const db = resolve(root, process.env.DEMO_DB ?? 'data/demo.db')
const port = Number(process.env.DEMO_PORT ?? 8788)
const adminKey = process.env.MCPDIR_ADMIN_KEY ?? 'demo-admin-key-not-for-production'
const serverId = 'example-docs'
const log = (line: string) => process.stderr.write(`[demo] ${line}\n`)

// Ctrl-C handling first: a signal that arrives before a listener exists kills the process outright.
let running = true
let stopping: Promise<void> | undefined
let client: Client | undefined
let service: ChildProcess | undefined
const stop = () => {
  stopping ??= (async () => {
    running = false
    log('stopping…')
    await client?.close().catch(() => {})
    if (service && service.exitCode === null) {
      const exited = new Promise((r) => service?.once('exit', r))
      service.kill('SIGTERM')
      await exited
    }
    log('stopped')
  })()
  return stopping
}
process.once('SIGINT', () => void stop())
process.once('SIGTERM', () => void stop())

service = spawn(process.execPath, [CLI, 'serve', '--port', String(port), '--db', db, '--admin-key', adminKey, '--log-level', 'warn'], {
  stdio: ['ignore', 'inherit', 'inherit'],
})
const base = `http://127.0.0.1:${port}`
for (let i = 0; ; i++) {
  if (!running) process.exit(0)
  if (service.exitCode !== null) throw new Error(`the service exited (${service.exitCode}); is port ${port} taken? Set DEMO_PORT.`)
  const up = await fetch(`${base}${ROUTES.healthz}`).then((r) => r.ok, () => false)
  if (up) break
  if (i > 100) throw new Error('the service did not start')
  await new Promise((r) => setTimeout(r, 100))
}

const cli = (args: string[]) => spawnSync(process.execPath, [CLI, ...args, '--json', '--db', db], { encoding: 'utf8' })
let registered = cli(['servers', 'add', serverId, '--name', 'Example docs server'])
if (registered.status !== 0) registered = cli(['keys', 'rotate', serverId, '--grace-hours', '0'])
if (registered.status !== 0) throw new Error(registered.stderr)
const creds = JSON.parse(registered.stdout) as { api_key: string; signing_secret: string }

const transport = new StdioClientTransport({
  command: process.execPath,
  args: [resolve(import.meta.dirname, 'server.js')],
  env: {
    ...(process.env as Record<string, string>),
    MCPDIR_SERVER_ID: serverId,
    MCPDIR_API_KEY: creds.api_key,
    MCPDIR_SIGNING_SECRET: creds.signing_secret,
    MCPDIR_METRICS_ENDPOINT: base,
    DEMO_FLUSH_MS: '5000',
  },
  stderr: 'inherit',
})
// 'auto' speaks the 2026-07-28 protocol (client identity in every request's _meta) with servers that do
client = new Client({ name: 'mcpdir-demo-client', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } })
await client.connect(transport)
const connected = client
if (!running) {
  await stopping
  process.exit(0)
}

log(`service:   ${base}  (database ${db})`)
log(`dashboard: ${base}/#${serverId}   (admin key: ${adminKey})`)
log('calling tools; the dashboard fills within a minute. Ctrl-C to stop.')

const calls = [
  () => connected.callTool({ name: 'search_docs', arguments: { query: ['conf', 'dep', 'met', 'x'][Math.floor(Math.random() * 4)] as string } }),
  () => connected.callTool({ name: 'build_report', arguments: {} }),
  () => connected.callTool({ name: 'fetch_page', arguments: { url: 'https://example.com' } }),
  () => connected.callTool({ name: 'validate_config', arguments: { config: Math.random() < 0.7 ? '{}' : 'nope' } }),
]
const visitor = { 'content-type': 'application/json', 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0' }

let n = 0
while (running) {
  const call = calls[Math.floor(Math.random() * calls.length)] as () => Promise<unknown>
  await call().catch(() => {})
  if (++n % 10 === 0) {
    const action = Math.random() < 0.8 ? 'view' : 'install'
    await fetch(`${base}${ROUTES.usageTrack}`, { method: 'POST', headers: visitor, body: JSON.stringify({ serverId, action }) }).catch(() => {})
  }
  await new Promise((r) => setTimeout(r, 150 + Math.random() * 300))
  if (process.env.DEMO_CALLS && n >= Number(process.env.DEMO_CALLS)) await stop()
}
await stopping
