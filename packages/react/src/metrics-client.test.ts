// @vitest-environment node
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMetricsClient, MetricsClientError } from './metrics-client'

const received: { url?: string; body: unknown }[] = []
const server = createServer(async (req: IncomingMessage, res) => {
  let raw = ''
  for await (const chunk of req) raw += chunk
  const body = JSON.parse(raw)
  received.push({ url: req.url, body })
  res.setHeader('content-type', 'application/json')
  if (body.action === 'like') {
    res.statusCode = 400
    res.end(JSON.stringify({ success: false, error: { code: 'invalid_body', message: 'action: Invalid option' } }))
    return
  }
  res.end(JSON.stringify({ success: true, recorded: true }))
})
let baseUrl = ''

beforeAll(async () => {
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok))
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
})
afterAll(() => new Promise<void>((ok) => server.close(() => ok())))

describe('metrics client', () => {
  it('posts single and batched usage records to usage-track', async () => {
    const client = createMetricsClient({ baseUrl })
    expect(await client.trackUsage({ serverId: 's1', action: 'view' })).toEqual({ recorded: true })
    await client.trackUsage([{ serverId: 's1', action: 'install' }])
    expect(received.map((r) => r.url)).toEqual(['/functions/v1/usage-track', '/functions/v1/usage-track'])
    expect(received[1]?.body).toEqual({ records: [{ serverId: 's1', action: 'install' }] })
  })

  it("rejects with the service's error code and message", async () => {
    const client = createMetricsClient({ baseUrl })
    const error = await client.trackUsage({ serverId: 's1', action: 'like' as 'view' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(MetricsClientError)
    expect(error).toMatchObject({ status: 400, code: 'invalid_body', message: 'action: Invalid option' })
  })

  it('reports network failures as network_error', async () => {
    const client = createMetricsClient({ baseUrl: 'http://127.0.0.1:1' })
    await expect(client.trackUsage({ serverId: 's', action: 'view' })).rejects.toMatchObject({ code: 'network_error' })
  })
})
