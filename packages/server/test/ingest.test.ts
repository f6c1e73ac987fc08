// The ingestion endpoints through the real CLI process on a temporary SQLite file: good input is stored
// exactly once; every kind of bad input gets its status and error code and writes nothing.
import { MAX_BODY_BYTES, MAX_POINTS_PER_BATCH, generateSigningSecret } from '@mcpdir/metrics/protocol'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningService, startService } from '../src/testing'
import { ADMIN_KEY, addServer, cli, type Credentials, legacyHeaders, post, postSlowly, postStream, query, rowCounts, signedHeaders, storedPoints } from './helpers'

let service: RunningService
let alpha: Credentials
let beta: Credentials
let collect: string

const now = () => new Date().toISOString()
const body = (serverId: string, metrics: unknown[] = [{ name: 'api_requests', value: 1, type: 'counter' }]) =>
  JSON.stringify({ server_id: serverId, metrics })

beforeAll(async () => {
  service = await startService({ env: { MCPDIR_ADMIN_KEY: ADMIN_KEY } })
  collect = `${service.url}/functions/v1/metrics-collect`
  alpha = addServer(service.dbPath, 'alpha', '--name', 'Alpha')
  const created = await post(`${service.url}/functions/v1/admin/servers`, JSON.stringify({ id: 'beta', name: 'Beta' }), {
    authorization: `Bearer ${ADMIN_KEY}`,
    'content-type': 'application/json',
  })
  expect(created.status).toBe(201)
  beta = created.json as unknown as Credentials
})
afterAll(async () => {
  expect(await service.stop()).toBe(0)
})

/** Sends, expects a refusal with this status and code, and checks nothing was written. */
async function expectRefused(url: string, payload: string | Uint8Array, headers: Record<string, string>, status: number, code: string) {
  const before = rowCounts(service.dbPath)
  const response = await post(url, payload, headers)
  expect(response.status, JSON.stringify(response.json)).toBe(status)
  expect(response.json).toMatchObject({ success: false, error: { code } })
  expect(typeof response.json.error?.message).toBe('string')
  expect(rowCounts(service.dbPath)).toEqual(before)
  return response
}

describe('POST /functions/v1/metrics-collect', () => {
  it("accepts the seed's own request as is: README payload, X-API-Key, hex X-Signature", async () => {
    const payload = JSON.stringify({
      server_id: 'alpha',
      metrics: [{ name: 'response_time', value: 120.5, type: 'gauge', tags: { endpoint: 'query' }, timestamp: now() }],
    })
    const response = await post(collect, payload, await legacyHeaders(alpha, payload))
    expect(response.status).toBe(200)
    expect(response.json).toEqual({ success: true, metrics_processed: 1 })
    const rows = storedPoints(service.dbPath).filter((p) => p.server_id === 'alpha')
    expect(rows.map(({ name, type, tags, sum }) => ({ name, type, tags, sum }))).toEqual([{ name: 'response_time', type: 'gauge', tags: '{"endpoint":"query"}', sum: 120.5 }])
  })

  it('accepts Standard Webhooks signatures, Bearer keys, the server id in the path, and events in the batch', async () => {
    const payload = JSON.stringify({
      metrics: [
        { name: 'mcp.tool.calls', type: 'counter', count: 3, sum: 3, tags: { tool: 'search', outcome: 'ok' } },
        { name: 'memory_usage', type: 'gauge', count: 2, sum: 500, min: 200, max: 300, last: 300 },
      ],
      events: [{ type: 'deployment', details: { version: '1.4.0' } }],
    })
    const headers = await signedHeaders(beta, payload)
    const { 'x-api-key': key, ...rest } = headers
    const response = await post(`${collect}/beta`, payload, { ...rest, authorization: `Bearer ${key}` })
    expect(response.status, JSON.stringify(response.json)).toBe(200)
    expect(response.json).toEqual({ success: true, metrics_processed: 2 })
    expect(query(service.dbPath, "SELECT type, details FROM server_events WHERE server_id = 'beta'")).toEqual([
      { type: 'deployment', details: '{"version":"1.4.0"}' },
    ])
    const [server] = query<{ last_received_at: number }>(service.dbPath, "SELECT last_received_at FROM servers WHERE id = 'beta'")
    expect(server?.last_received_at).toBeGreaterThan(Date.now() - 60_000)
  })

  it('acknowledges a replayed batch id as a duplicate and stores it once (both signature forms)', async () => {
    const payload = body('alpha')
    const headers = await signedHeaders(alpha, payload, { id: 'batch-replay-1' })
    expect((await post(collect, payload, headers)).json).toEqual({ success: true, metrics_processed: 1 })
    const before = rowCounts(service.dbPath)
    const again = await post(collect, payload, await signedHeaders(alpha, payload, { id: 'batch-replay-1' }))
    expect(again.json).toEqual({ success: true, metrics_processed: 1, duplicate: true })
    expect(rowCounts(service.dbPath)).toEqual(before)

    const legacy = body('alpha', [{ name: 'legacy_replay', value: 1, type: 'counter' }])
    expect((await post(collect, legacy, await legacyHeaders(alpha, legacy))).json).toEqual({ success: true, metrics_processed: 1 })
    const afterFirst = rowCounts(service.dbPath)
    expect((await post(collect, legacy, await legacyHeaders(alpha, legacy))).json).toMatchObject({ duplicate: true })
    expect(rowCounts(service.dbPath)).toEqual(afterFirst)
  })

  it('refuses missing, malformed, unknown and another server keys', async () => {
    const payload = body('alpha')
    const signed = await signedHeaders(alpha, payload)
    const { 'x-api-key': _, ...unkeyed } = signed
    await expectRefused(collect, payload, unkeyed, 401, 'missing_api_key')
    await expectRefused(collect, payload, { ...signed, 'x-api-key': 'not-a-key' }, 401, 'invalid_api_key')
    const typo = `${alpha.api_key.slice(0, -1)}${alpha.api_key.endsWith('x') ? 'y' : 'x'}` // a checksum that no longer matches
    await expectRefused(collect, payload, { ...signed, 'x-api-key': typo }, 401, 'invalid_api_key')
    const { generateKey } = await import('../src/credentials/keys')
    await expectRefused(collect, payload, { ...signed, 'x-api-key': generateKey('ingest') }, 401, 'invalid_api_key')
    // beta's own key and signature, claiming to be alpha
    await expectRefused(collect, payload, await signedHeaders(beta, payload), 403, 'key_server_mismatch')
    await expectRefused(`${collect}/alpha`, body('beta'), await signedHeaders(beta, body('beta')), 403, 'key_server_mismatch')
    // an unknown server id with a valid key
    await expectRefused(collect, body('nobody'), await signedHeaders(alpha, body('nobody')), 403, 'key_server_mismatch')
  })

  it('refuses unsigned, wrongly signed, stale and future batches', async () => {
    const payload = body('alpha')
    await expectRefused(collect, payload, { 'content-type': 'application/json', 'x-api-key': alpha.api_key }, 401, 'signature_missing')
    await expectRefused(collect, payload, await signedHeaders(alpha, payload, { secret: generateSigningSecret() }), 401, 'signature_mismatch')
    await expectRefused(collect, payload, await signedHeaders(beta, payload).then((h) => ({ ...h, 'x-api-key': alpha.api_key })), 401, 'signature_mismatch')
    const altered = { ...(await signedHeaders(alpha, payload)) }
    await expectRefused(collect, payload.replace('api_requests', 'api_requestz'), altered, 401, 'signature_mismatch')
    const seconds = Math.floor(Date.now() / 1000)
    await expectRefused(collect, payload, await signedHeaders(alpha, payload, { timestampSeconds: seconds - 600 }), 401, 'timestamp_stale')
    await expectRefused(collect, payload, await signedHeaders(alpha, payload, { timestampSeconds: seconds + 600 }), 401, 'timestamp_future')
    await expectRefused(collect, payload, { 'content-type': 'application/json', 'x-api-key': alpha.api_key, 'x-signature': 'abc' }, 401, 'signature_malformed')
  })

  it('refuses malformed JSON, wrong types and too many points, naming the path', async () => {
    const bad = '{"server_id": "alpha", "metrics": ['
    await expectRefused(collect, bad, await signedHeaders(alpha, bad), 400, 'invalid_json')
    await expectRefused(collect, '', await signedHeaders(alpha, ''), 400, 'invalid_json')
    const wrongType = body('alpha', [{ name: 'x', value: 1, type: 'counter' }, { name: 'y', value: 'fast', type: 'gauge' }])
    const response = await expectRefused(collect, wrongType, await signedHeaders(alpha, wrongType), 400, 'invalid_body')
    expect(response.json.error?.path).toBe('metrics[1].value')
    const tooMany = body('alpha', Array.from({ length: MAX_POINTS_PER_BATCH + 1 }, () => ({ name: 'x', value: 1, type: 'counter' })))
    expect((await expectRefused(collect, tooMany, await signedHeaders(alpha, tooMany), 400, 'invalid_body')).json.error?.path).toBe('metrics')
    const old = body('alpha', [{ name: 'x', value: 1, type: 'counter', timestamp: Date.now() - 8 * 86_400_000 }])
    expect((await expectRefused(collect, old, await signedHeaders(alpha, old), 400, 'invalid_body')).json.error?.path).toBe('metrics[0].timestamp')
    const array = '[1,2,3]'
    await expectRefused(collect, array, await signedHeaders(alpha, array), 400, 'invalid_body')
  })

  it('refuses oversized bodies with 413, declared or chunked', async () => {
    const before = rowCounts(service.dbPath)
    const headers = { 'content-type': 'application/json', 'x-api-key': alpha.api_key }
    for (const declared of [true, false]) {
      const response = await postStream(collect, 17, 64 * 1024, headers, declared)
      expect(response.status).toBe(413)
      expect(JSON.parse(response.body)).toMatchObject({ success: false, error: { code: 'payload_too_large' } })
    }
    expect(rowCounts(service.dbPath)).toEqual(before)
    expect(17 * 64 * 1024).toBeGreaterThan(MAX_BODY_BYTES)
  })

  it('answers 413 to a chunked body past 16 MiB too, without reading it to its end', async () => {
    const headers = { 'content-type': 'application/json', 'x-api-key': alpha.api_key }
    const response = await postStream(collect, 18 * 16, 64 * 1024, headers, false)
    expect(response.status).toBe(413)
    expect(JSON.parse(response.body)).toMatchObject({ success: false, error: { code: 'payload_too_large' } })
  })

  it('answers 413 to a slow client sending an oversized body with its length, instead of resetting the connection', async () => {
    const headers = { 'content-type': 'application/json', 'x-api-key': alpha.api_key }
    // longer pauses than the HTTP server waits for a body it no longer reads (500 ms) before closing the socket
    const response = await postSlowly(collect, 3, Math.ceil(MAX_BODY_BYTES / 2), 700, headers)
    expect(response.status).toBe(413)
    expect(JSON.parse(response.body)).toMatchObject({ success: false, error: { code: 'payload_too_large' } })
  })

  it('refuses a disabled server, and takes it back when enabled', async () => {
    expect(cli(['servers', 'disable', 'beta'], service.dbPath).code).toBe(0)
    const payload = body('beta')
    await expectRefused(collect, payload, await signedHeaders(beta, payload), 403, 'server_disabled')
    expect(cli(['servers', 'enable', 'beta'], service.dbPath).code).toBe(0)
    expect((await post(collect, payload, await signedHeaders(beta, payload))).status).toBe(200)
  })

  it('keeps the previous key and secret valid after a rotation', async () => {
    const rotated = JSON.parse(cli(['keys', 'rotate', 'beta', '--json'], service.dbPath).stdout) as Credentials
    const payload = body('beta')
    expect((await post(collect, payload, await signedHeaders(beta, payload))).status).toBe(200)
    expect((await post(collect, payload, await signedHeaders(rotated, payload))).status).toBe(200)
    expect(rotated.api_key).not.toBe(beta.api_key)
  })
})

describe('POST /functions/v1/server-events', () => {
  it('stores events, and refuses metrics sent there', async () => {
    const payload = JSON.stringify({ server_id: 'alpha', events: [{ type: 'restart', details: { version: '2.0.0' } }] })
    const response = await post(`${service.url}/functions/v1/server-events`, payload, await signedHeaders(alpha, payload))
    expect(response.json).toEqual({ success: true, metrics_processed: 0, events_processed: 1 })
    const withMetrics = body('alpha')
    await expectRefused(`${service.url}/functions/v1/server-events`, withMetrics, await signedHeaders(alpha, withMetrics), 400, 'invalid_body')
  })
})

describe('POST /functions/v1/usage-track', () => {
  const track = (payload: unknown, headers: Record<string, string> = {}) =>
    post(`${service.url}/functions/v1/usage-track`, JSON.stringify(payload), { 'content-type': 'application/json', 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0', ...headers })

  it('records usage with a visitor hash and never the address or user agent', async () => {
    expect((await track({ serverId: 'alpha', action: 'view' })).json).toEqual({ success: true, recorded: true })
    expect((await track({ server_id: 'alpha', action: 'install', details: { client: 'claude' } })).json).toEqual({ success: true, recorded: true })
    expect((await track({ records: [{ serverId: 'alpha', action: 'invoke', toolId: 'search' }, { serverId: 'beta', action: 'view' }] })).json).toMatchObject({ recorded: true })
    const rows = query<{ action: string; visitor_hash: string; details: string | null }>(service.dbPath, 'SELECT action, visitor_hash, details FROM server_usage ORDER BY id')
    expect(rows.map((r) => r.action)).toEqual(['view', 'install', 'invoke', 'view'])
    expect(new Set(rows.slice(0, 3).map((r) => r.visitor_hash)).size).toBe(1)
    const dump = JSON.stringify(query(service.dbPath, 'SELECT * FROM server_usage'))
    expect(dump).not.toContain('127.0.0.1')
    expect(dump).not.toContain('Firefox')
  })

  it('answers bots and unknown servers 200 without recording', async () => {
    const before = rowCounts(service.dbPath)
    expect((await track({ serverId: 'alpha', action: 'view' }, { 'user-agent': 'Googlebot/2.1 (+http://www.google.com/bot.html)' })).json).toEqual({ success: true, recorded: false })
    expect((await track({ serverId: 'nobody', action: 'view' })).json).toEqual({ success: true, recorded: false })
    expect(rowCounts(service.dbPath)).toEqual(before)
  })

  it('refuses bad bodies with the path, and answers CORS preflights', async () => {
    const before = rowCounts(service.dbPath)
    const response = await track({ serverId: 'alpha', action: 'like' })
    expect(response.status).toBe(400)
    expect(response.json.error).toMatchObject({ code: 'invalid_body', path: 'action' })
    expect((await post(`${service.url}/functions/v1/usage-track`, '{"serverId":', {})).json.error?.code).toBe('invalid_json')
    expect(rowCounts(service.dbPath)).toEqual(before)
    const preflight = await fetch(`${service.url}/functions/v1/usage-track`, {
      method: 'OPTIONS',
      headers: { origin: 'https://directory.example', 'access-control-request-method': 'POST' },
    })
    expect(preflight.status).toBeLessThan(300)
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*')
  })
})

describe('service endpoints', () => {
  it('GET /metrics counts ingested points, duplicates and rejects by reason', async () => {
    const text = await (await fetch(`${service.url}/metrics`)).text()
    expect(text).toMatch(/mcpdir_points_ingested_total \d+/)
    expect(text).toMatch(/mcpdir_batches_deduplicated_total [1-9]/)
    expect(text).toContain('mcpdir_rejects_total{reason="signature_mismatch"}')
    expect(text).toContain('mcpdir_http_requests_total{route="/functions/v1/metrics-collect",status="200"}')
  })

  it('admin endpoints need the admin key', async () => {
    const url = `${service.url}/functions/v1/admin/servers`
    expect((await fetch(url)).status).toBe(401)
    expect((await fetch(url, { headers: { authorization: `Bearer ${alpha.api_key}` } })).status).toBe(403)
    const list = await fetch(url, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })
    expect(((await list.json()) as { servers: { id: string }[] }).servers.map((s) => s.id)).toEqual(['alpha', 'beta'])
    const conflict = await post(url, JSON.stringify({ id: 'alpha' }), { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' })
    expect(conflict.status).toBe(409)
    const badId = await post(url, JSON.stringify({ id: '../etc' }), { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' })
    expect(badId.json.error).toMatchObject({ code: 'invalid_body', path: 'id' })
  })

  it('answers unknown routes with a JSON 404', async () => {
    const response = await fetch(`${service.url}/functions/v1/nope`)
    expect(response.status).toBe(404)
    expect(await response.json()).toMatchObject({ success: false, error: { code: 'not_found' } })
  })
})
