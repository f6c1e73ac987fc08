// Real stdio MCP servers of both SDK majors, instrumented with the built SDK, under real clients of both
// majors: exact counts, the client as a dimension, and a stdout that carries JSON-RPC only.
import { resolve } from 'node:path'
import { Client } from '@modelcontextprotocol/client'
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { generateSigningSecret } from '../src/protocol/index'
import { type Collector, startCollector, total } from './collector'
import { exercise, expectedCounts } from './fixtures/mcp-catalog.mjs'
import { expectCatalog } from './mcp/expect'
import { ChildPipeTransport } from './mcp/pipe'
import { sum } from './mcp/recording'

const SERVER = resolve(import.meta.dirname, 'fixtures/mcp-stdio.mjs')
const secret = generateSigningSecret()
let collector: Collector

beforeEach(async () => {
  collector = await startCollector({ secret })
})
afterEach(async () => {
  await collector.close()
})

async function run(server: 'v1' | 'v2', client: { major: 1 | 2; mode?: 'legacy' | 'auto' }) {
  const pipe = new ChildPipeTransport(SERVER, [server], {
    MCPDIR_SERVER_ID: `stdio-${server}`,
    MCPDIR_API_KEY: 'mcpm_test',
    MCPDIR_SIGNING_SECRET: secret,
    MCPDIR_METRICS_ENDPOINT: collector.url,
  })
  const info = { name: `stdio-client-v${client.major}`, version: '4.5.6' }
  const mcp = client.major === 2 ? new Client(info, { versionNegotiation: { mode: client.mode ?? 'legacy' } }) : new ClientV1(info)
  await mcp.connect(pipe as never)
  await exercise(mcp, { major: client.major, cancel: true })
  await mcp.close() // stdin ends: the server exits, and the SDK flushes on the way out
  expect(await pipe.exited).toBe(0)
  expect(pipe.stdoutIsJsonRpcOnly()).toBe(true)
  expect(pipe.lines.length).toBeGreaterThan(10)
  expect(pipe.stderr).toBe('')
  return info
}

async function expectRecorded(info: { name: string; version: string }, opening: 'initialize' | 'server/discover', protocol: string) {
  const want = { cancel: true, opening } as const
  await expect.poll(() => total(collector.points(), 'mcp.requests'), { timeout: 10_000 }).toBe(sum(expectedCounts(want).methods))
  expectCatalog(collector.points(), { ...want, client: info.name, clientVersion: info.version, protocol, transport: 'stdio' })
  expect(collector.events().find((e) => e.type === 'restart')?.details.server_version).toBe('3.0.0')
}

describe('instrument() over stdio, in real processes', () => {
  it('v2 serveStdio, v2 client on 2026-07-28', async () => {
    const info = await run('v2', { major: 2, mode: 'auto' })
    await expectRecorded(info, 'server/discover', '2026-07-28')
  })

  it('v2 serveStdio, v2 client on the legacy protocol', async () => {
    const info = await run('v2', { major: 2, mode: 'legacy' })
    await expectRecorded(info, 'initialize', '2025-11-25')
  })

  it('v2 serveStdio, v1 client', async () => {
    const info = await run('v2', { major: 1 })
    await expectRecorded(info, 'initialize', '2025-11-25')
  })

  it('v1 McpServer on a StdioServerTransport, v1 client', async () => {
    const info = await run('v1', { major: 1 })
    await expectRecorded(info, 'initialize', '2025-11-25')
  })

  it('v1 McpServer on a StdioServerTransport, v2 client', async () => {
    const info = await run('v1', { major: 2 })
    await expectRecorded(info, 'initialize', '2025-11-25')
  })
})
