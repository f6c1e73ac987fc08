// Every endpoint × every kind of credential, in headers and in the URL, with the expected status; stream tokens
// open only their server's stream and only until they expire; and no private server's data or existence leaks
// through reads, the live stream, the servers list or error messages.
import { createSignatureHeaders, STREAM_TOKEN_PARAM, STREAM_TOKEN_TTL_MS, type StreamTokenResponse } from '@mcpdir/metrics/protocol'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createApp, type MetricsApp } from '../app/create-app'
import { hashKey } from '../credentials/keys'
import { registerServer, type ShownCredentials } from '../credentials/server-credentials'
import { mintStreamToken, streamTokenSecret } from '../credentials/stream-token'
import { openSqliteStore } from '../store/sqlite/sqlite-store'

const ADMIN = 'access-admin-key-0123456789'
let app: MetricsApp
let store: ReturnType<typeof openSqliteStore>
let secret: ShownCredentials // the private server under test
let other: ShownCredentials // another private server

const CREDENTIALS = ['none', 'ingest key', "another server's key", 'read token', 'another read token', 'admin key'] as const
type Credential = (typeof CREDENTIALS)[number]

function keyFor(credential: Credential): string | undefined {
  return {
    none: undefined,
    'ingest key': secret.api_key,
    "another server's key": other.api_key,
    'read token': secret.read_token,
    'another read token': other.read_token,
    'admin key': ADMIN,
  }[credential]
}

beforeAll(async () => {
  store = openSqliteStore({ path: ':memory:' })
  secret = await registerServer(store, { id: 'hidden-one', isPrivate: true }, Date.now())
  other = await registerServer(store, { id: 'hidden-two', isPrivate: true }, Date.now())
  await registerServer(store, { id: 'open-one' }, Date.now())
  app = createApp({ store, backgroundJobs: false, config: { adminKeyHash: hashKey(ADMIN) } })
  const body = JSON.stringify({ server_id: 'hidden-one', metrics: [{ name: 'secret.metric', type: 'gauge', value: 42 }] })
  const headers = await createSignatureHeaders({ secrets: secret.signing_secret, id: 'seed', body })
  expect((await app.request('/functions/v1/metrics-collect', { method: 'POST', body, headers: { ...headers, 'x-api-key': secret.api_key } })).status).toBe(200)
})
afterAll(async () => {
  app.stop()
  await store.close()
})

let seq = 0
async function call(endpoint: string, credential: Credential) {
  const key = keyFor(credential)
  const auth: Record<string, string> = key ? { authorization: `Bearer ${key}` } : {}
  const [method, path] = endpoint.split(' ') as [string, string]
  let body: string | undefined
  let headers = auth
  if (path.endsWith('metrics-collect') || path.endsWith('server-events')) {
    // signed with the secret of the server the key belongs to (so only the key decides)
    const signer = credential === "another server's key" ? other : secret
    body = JSON.stringify({
      server_id: 'hidden-one',
      ...(path.endsWith('server-events') ? { events: [{ type: 'restart' }] } : { metrics: [{ name: 'x', type: 'counter', value: 1 }] }),
    })
    headers = { ...auth, ...(await createSignatureHeaders({ secrets: signer.signing_secret, id: `acc-${++seq}`, body })) }
  } else if (path.endsWith('usage-track')) body = JSON.stringify({ serverId: 'hidden-one', action: 'view' })
  else if (path.endsWith('metrics-aggregate')) body = '{}'
  else if (method === 'POST') body = JSON.stringify({ id: `made-${++seq}` })
  const response = await app.request(path, { method, ...(body !== undefined && { body }), headers: { 'content-type': 'application/json', ...headers } })
  const text = path.includes('metrics-stream') && response.status === 200 ? '' : await response.text()
  if (path.includes('metrics-stream')) await response.body?.cancel().catch(() => {})
  return { status: response.status, text }
}

//                                                   none  ingest other-key read other-read admin
const MATRIX: Record<string, number[]> = {
  'POST /functions/v1/metrics-collect': /*        */ [401, 200, 403, 401, 401, 401],
  'POST /functions/v1/server-events': /*          */ [401, 200, 403, 401, 401, 401],
  'GET /functions/v1/metrics-fetch?server_id=hidden-one&period=1h': [404, 404, 404, 200, 404, 200],
  'GET /functions/v1/metrics-stream?server_id=hidden-one': [404, 404, 404, 200, 404, 200],
  'POST /functions/v1/metrics-stream/token?server_id=hidden-one': [404, 404, 404, 200, 404, 200],
  'POST /functions/v1/metrics-stream/token?server_id=open-one': [200, 200, 200, 200, 200, 200],
  'POST /functions/v1/metrics-stream/token?server_id=no-such-server': [404, 404, 404, 404, 404, 404],
  'GET /functions/v1/servers?period=1d': /*       */ [200, 200, 200, 200, 200, 200],
  'POST /functions/v1/usage-track': /*            */ [200, 200, 200, 200, 200, 200],
  'POST /functions/v1/metrics-aggregate': /*      */ [401, 403, 403, 403, 403, 200],
  'GET /functions/v1/admin/servers': /*           */ [401, 403, 403, 403, 403, 200],
  'POST /functions/v1/admin/servers': /*          */ [401, 403, 403, 403, 403, 201],
  'POST /functions/v1/admin/servers/hidden-two/rotate': [401, 403, 403, 403, 403, 200],
  'GET /healthz': /*                              */ [200, 200, 200, 200, 200, 200],
  'GET /metrics': /*                              */ [200, 200, 200, 200, 200, 200],
}

/** A stream token minted through the endpoint with `credential` in the Authorization header. */
async function mintedToken(serverId: string, credential: Credential = 'admin key'): Promise<string> {
  const response = await app.request(`/functions/v1/metrics-stream/token?server_id=${serverId}`, { method: 'POST', headers: { authorization: `Bearer ${keyFor(credential)}` } })
  expect(response.status).toBe(200)
  const body = (await response.json()) as StreamTokenResponse
  expect(body).toMatchObject({ success: true, server_id: serverId })
  expect(body.expires_at - Date.now()).toBeGreaterThan(STREAM_TOKEN_TTL_MS - 5_000)
  expect(body.expires_at - Date.now()).toBeLessThanOrEqual(STREAM_TOKEN_TTL_MS)
  return body.token
}

async function streamStatus(serverId: string, streamToken: string, headers: Record<string, string> = {}) {
  const response = await app.request(`/functions/v1/metrics-stream?server_id=${serverId}&${STREAM_TOKEN_PARAM}=${encodeURIComponent(streamToken)}`, { headers })
  const code = response.status === 200 ? undefined : ((await response.json()) as { error: { code: string } }).error.code
  await response.body?.cancel().catch(() => {})
  return { status: response.status, code }
}

//                                                       none  ingest other-key read other-read admin
const URL_MATRIX: Record<string, number[]> = {
  // EventSource cannot send headers: a read token may still come in the URL (older clients), the admin key never
  'GET /functions/v1/metrics-stream?server_id=hidden-one': [404, 404, 404, 200, 404, 404],
  'GET /functions/v1/metrics-fetch?server_id=hidden-one&period=1h': [404, 404, 404, 200, 404, 404],
  'POST /functions/v1/metrics-stream/token?server_id=hidden-one': [404, 404, 404, 404, 404, 404],
}

describe('access matrix, credentials in the URL', () => {
  for (const [endpoint, expected] of Object.entries(URL_MATRIX)) {
    it(endpoint, async () => {
      const [method, path] = endpoint.split(' ') as [string, string]
      const actual: number[] = []
      for (const credential of CREDENTIALS) {
        const key = keyFor(credential)
        const url = key ? `${path}&token=${encodeURIComponent(key)}` : path
        const response = method === 'GET' ? await app.request(url) : await app.request(url, { method })
        await response.body?.cancel().catch(() => {})
        actual.push(response.status)
      }
      expect(Object.fromEntries(CREDENTIALS.map((c, i) => [c, actual[i]]))).toEqual(Object.fromEntries(CREDENTIALS.map((c, i) => [c, expected[i]])))
    })
  }

  it('opens a private stream with a stream token minted by the admin key or the read token, and only that one', async () => {
    vi.useFakeTimers({ now: Date.now(), toFake: ['Date'] })
    try {
      for (const credential of ['admin key', 'read token'] as const) {
        const token = await mintedToken('hidden-one', credential)
        expect(token).not.toContain(keyFor(credential))
        expect(await streamStatus('hidden-one', token)).toEqual({ status: 200, code: undefined })
        // bound to its server: neither the other private server nor a public one opens with it
        expect(await streamStatus('hidden-two', token)).toEqual({ status: 401, code: 'invalid_stream_token' })
        expect(await streamStatus('open-one', token)).toEqual({ status: 401, code: 'invalid_stream_token' })
      }
      const token = await mintedToken('hidden-one')
      // short-lived: refused once expired, even with the admin key beside it
      vi.setSystemTime(Date.now() + STREAM_TOKEN_TTL_MS - 1)
      expect((await streamStatus('hidden-one', token)).status).toBe(200)
      vi.setSystemTime(Date.now() + 1)
      expect(await streamStatus('hidden-one', token, { authorization: `Bearer ${ADMIN}` })).toEqual({ status: 401, code: 'invalid_stream_token' })
    } finally {
      vi.useRealTimers()
    }
    // forged, tampered or a long-lived key in its place: refused
    const token = await mintedToken('hidden-one')
    const [head, signature] = token.split('.') as [string, string]
    const later = `${head.slice(0, -1)}${head.at(-1) === 'z' ? 'y' : 'z'}.${signature}`
    const flipped = `${head}.${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`
    for (const bad of [later, flipped, ADMIN, secret.read_token as string, secret.api_key, '', 'mcpst_zzzzzzzzzzz.x']) {
      expect(await streamStatus('hidden-one', bad), bad).toEqual({ status: 401, code: 'invalid_stream_token' })
    }
    // another service's tokens (another secret) do not open this one's streams
    const elsewhere = openSqliteStore({ path: ':memory:' })
    const foreign = mintStreamToken(await streamTokenSecret(elsewhere), 'hidden-one', Date.now()).token
    await elsewhere.close()
    expect((await streamStatus('hidden-one', foreign)).status).toBe(401)
  })
})

describe('access matrix', () => {
  for (const [endpoint, expected] of Object.entries(MATRIX)) {
    it(endpoint, async () => {
      const actual: number[] = []
      for (const credential of CREDENTIALS) actual.push((await call(endpoint, credential)).status)
      expect(Object.fromEntries(CREDENTIALS.map((c, i) => [c, actual[i]]))).toEqual(Object.fromEntries(CREDENTIALS.map((c, i) => [c, expected[i]])))
    })
  }

  it('never shows a private server to those who may not read it', async () => {
    for (const credential of CREDENTIALS.filter((c) => c !== 'admin key')) {
      const list = await call('GET /functions/v1/servers?period=1d', credential)
      expect(list.text, credential).not.toContain('hidden-')
      for (const path of ['GET /functions/v1/metrics-fetch?server_id=hidden-one&period=7d', 'GET /functions/v1/metrics-fetch?server_id=no-such-server&period=7d']) {
        const answer = await call(path, credential)
        if (credential === 'read token' && path.includes('hidden-one')) continue
        expect(answer.text, `${credential} ${path}`).not.toContain('secret.metric')
        expect(answer.text).toMatch(/"no server (hidden-one|no-such-server)"/)
      }
    }
    const admin = await call('GET /functions/v1/servers?period=1d', 'admin key')
    expect(admin.text).toContain('hidden-one')
    const read = await call('GET /functions/v1/metrics-fetch?server_id=hidden-one&period=1h', 'read token')
    expect(read.text).toContain('secret.metric')
  })
})
