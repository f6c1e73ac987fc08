// The whole system as a self-hoster and an MCP author meet it: the system test against a fresh service, the
// example MCP server (SDK v2) under real MCP clients (v2 on the 2026-07-28 protocol over stdio and stateless
// HTTP, v1 on the legacy protocol over HTTP, a request the HTTP entry refuses counted too), and a bounded
// `npm run demo`.
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { type MetricsFetchResponse, ROUTES } from '@mcpdir/metrics/protocol'
import { CLI, type RunningService, startService } from '@mcpdir/metrics-server/testing'
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client'
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio'
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport as StreamableHTTPClientTransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const EXAMPLE = resolve(import.meta.dirname, '../../../examples/mcp-server/dist')
const ADMIN = 'e2e-system-admin-key-0123'
let service: RunningService

beforeAll(async () => {
  service = await startService({ env: { MCPDIR_ADMIN_KEY: ADMIN } })
})
afterAll(async () => {
  await service.stop()
})

function register(id: string) {
  const result = spawnSync(process.execPath, [CLI, 'servers', 'add', id, '--json', '--db', service.dbPath], { encoding: 'utf8' })
  const creds = JSON.parse(result.stdout) as { api_key: string; signing_secret: string }
  return {
    MCPDIR_SERVER_ID: id,
    MCPDIR_API_KEY: creds.api_key,
    MCPDIR_SIGNING_SECRET: creds.signing_secret,
    MCPDIR_METRICS_ENDPOINT: service.url,
  }
}

async function fetchReport(id: string): Promise<MetricsFetchResponse> {
  const response = await fetch(`${service.url}${ROUTES.metricsFetch}?server_id=${id}&period=1h`)
  return (await response.json()) as MetricsFetchResponse
}

const calls = (report: MetricsFetchResponse | undefined, tool: string) => report?.breakdowns.tools.find((t) => t.key === tool)

const E2E_CLIENT = { name: 'e2e-client', version: '1.0.0' }
/** A v2 client speaking the 2026-07-28 protocol: its name and version travel in every request's _meta. */
const modernClient = () => new Client(E2E_CLIENT, { versionNegotiation: { mode: 'auto' } })

async function exercise(client: { callTool(params: { name: string; arguments: Record<string, unknown> }): Promise<unknown> }) {
  for (let i = 0; i < 5; i++) await client.callTool({ name: 'search_docs', arguments: { query: 'conf' } })
  for (let i = 0; i < 4; i++) await client.callTool({ name: 'validate_config', arguments: { config: i < 3 ? '{}' : 'broken' } })
  for (let i = 0; i < 6; i++) await client.callTool({ name: 'fetch_page', arguments: { url: 'https://example.com' } })
  await client.callTool({ name: 'build_report', arguments: {} })
  await client.callTool({ name: 'no_such_tool', arguments: {} }).catch(() => {}) // the caller's mistake
}

/** What a broken client sends: a 2026-07-28 request without its Mcp-Method header, refused before any instance. */
async function sendRefused(url: URL) {
  const meta = {
    'io.modelcontextprotocol/protocolVersion': '2026-07-28',
    'io.modelcontextprotocol/clientInfo': E2E_CLIENT,
    'io.modelcontextprotocol/clientCapabilities': {},
  }
  const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2026-07-28' }
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: meta } })
  const response = await fetch(url, { method: 'POST', headers, body })
  expect(response.status).toBe(400)
}

/** Every request counted (`mcp.requests`): the opening, the 17 calls and the refused one; nothing else. */
async function expectRequests(id: string, requests: number) {
  await expect
    .poll(async () => (await fetchReport(id)).metrics.find((m) => m.name === 'mcp.requests')?.summary?.sum, { timeout: 15_000 })
    .toBe(requests)
}

async function expectExampleCounts(id: string) {
  let report: MetricsFetchResponse | undefined
  await expect
    .poll(async () => {
      report = await fetchReport(id)
      return report.calls.summary.calls
    }, { timeout: 15_000 })
    .toBe(17)
  expect(calls(report, 'search_docs')).toMatchObject({ calls: 5, errors: 0 })
  expect(calls(report, 'no_such_tool')).toMatchObject({ calls: 1, errors: 0, client_errors: 1 }) // the caller's mistake
  expect(report?.calls.summary.client_errors).toBe(1)
  expect(calls(report, 'validate_config')).toMatchObject({ calls: 4, errors: 1 })
  expect(calls(report, 'fetch_page')?.calls).toBe(6)
  expect(calls(report, 'build_report')).toMatchObject({ calls: 1, errors: 0 })
  expect(report?.metrics.find((m) => m.name === 'docs.search_results')?.summary?.sum).toBe(5)
  expect(report?.events.find((e) => e.type === 'restart')?.details.server_version).toBe('1.0.0')
  expect(report?.breakdowns.clients.map((c) => c.key)).toEqual(['e2e-client'])
}

describe('system', () => {
  it('passes the system test against a freshly started service', () => {
    const result = spawnSync(process.execPath, [CLI, 'system-test', service.url, '--admin-key', ADMIN], { encoding: 'utf8' })
    expect(result.stdout).toContain('0 failed')
    expect(result.stdout).not.toContain('FAIL ')
    expect(result.status).toBe(0)
    const wrongKey = spawnSync(process.execPath, [CLI, 'system-test', service.url, '--admin-key', 'not-the-admin-key'], { encoding: 'utf8' })
    expect(wrongKey.status).toBe(1)
    expect(wrongKey.stdout).toContain('FAIL  register a throwaway server')
  })

  it('counts every call of the example server under a real MCP client over stdio', async () => {
    const env = register('example-stdio')
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [join(EXAMPLE, 'server.js')],
      env: { ...(process.env as Record<string, string>), ...env, MCPDIR_SPOOL_DIR: mkdtempSync(join(tmpdir(), 'spool-')) },
      stderr: 'ignore',
    })
    const client = modernClient()
    await client.connect(transport)
    await exercise(client)
    await client.close() // stdin ends: the SDK flushes before the process goes
    await expectExampleCounts('example-stdio')
  })

  async function exampleOverHttp(id: string) {
    const env = register(id)
    const port = await freePort()
    const child = spawn(process.execPath, [join(EXAMPLE, 'server.js'), '--http', String(port)], {
      env: { ...process.env, ...env, DEMO_FLUSH_MS: '500' },
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    await new Promise<void>((ok) => child.stderr.on('data', (c: Buffer) => c.toString().includes('example MCP server') && ok()))
    return { url: new URL(`http://127.0.0.1:${port}/mcp`), stop: () => child.kill('SIGTERM') }
  }

  it('counts every call over stateless HTTP (createMcpHandler, a server per request) on the 2026-07-28 protocol', async () => {
    const { url, stop } = await exampleOverHttp('example-http')
    const client = modernClient()
    await client.connect(new StreamableHTTPClientTransport(url))
    await exercise(client)
    await sendRefused(url)
    await expectExampleCounts('example-http')
    await expectRequests('example-http', 1 + 17 + 1) // server/discover, the calls, the refused request
    await client.close()
    stop()
  })

  it('counts every call of a v1 client on the legacy protocol, named by initialize and its User-Agent', async () => {
    const { url, stop } = await exampleOverHttp('example-http-v1')
    const client = new ClientV1(E2E_CLIENT)
    const headers = { 'user-agent': `${E2E_CLIENT.name}/${E2E_CLIENT.version}` }
    await client.connect(new StreamableHTTPClientTransportV1(url, { requestInit: { headers } }))
    await exercise(client)
    await sendRefused(url)
    await expectExampleCounts('example-http-v1')
    await expectRequests('example-http-v1', 1 + 17 + 1) // initialize (its GET stream refused 405 is no request), the calls, the refused one
    await client.close()
    stop()
  })

  it('runs npm run demo to the end, and stops cleanly on Ctrl-C', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'demo-'))
    try {
      const port = await freePort()
      const env = { ...process.env, DEMO_DB: join(dir, 'demo.db'), DEMO_PORT: String(port) }
      const bounded = spawnSync(process.execPath, [join(EXAMPLE, 'demo.js')], { env: { ...env, DEMO_CALLS: '12' }, encoding: 'utf8', timeout: 60_000 })
      expect(bounded.stderr).toContain(`dashboard: http://127.0.0.1:${port}/#example-docs`)
      expect(bounded.status).toBe(0)

      const demo = spawn(process.execPath, [join(EXAMPLE, 'demo.js')], { env, stdio: ['ignore', 'ignore', 'pipe'] })
      let stderr = ''
      await new Promise<void>((ok) =>
        demo.stderr.on('data', (c: Buffer) => {
          stderr += c
          if (stderr.includes('Ctrl-C to stop')) ok()
        }),
      )
      demo.kill('SIGINT')
      const code = await new Promise((ok) => demo.on('exit', ok))
      expect(code).toBe(0)
      expect(stderr).toContain('[demo] stopped')
      expect(await freePort(port)).toBe(port) // the service let go of its port
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

function freePort(want = 0): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer()
    server.once('error', fail)
    server.listen(want, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => ok(port))
    })
  })
}
