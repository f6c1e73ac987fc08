// Every endpoint × every kind of credential, with the expected status; and no private server's data or
// existence leaks through reads, the live stream, the servers list or error messages.
import { createSignatureHeaders } from '@mcpdir/metrics/protocol'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp, type MetricsApp } from '../app/create-app'
import { hashKey } from '../credentials/keys'
import { registerServer, type ShownCredentials } from '../credentials/server-credentials'
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
  'GET /functions/v1/servers?period=1d': /*       */ [200, 200, 200, 200, 200, 200],
  'POST /functions/v1/usage-track': /*            */ [200, 200, 200, 200, 200, 200],
  'POST /functions/v1/metrics-aggregate': /*      */ [401, 403, 403, 403, 403, 200],
  'GET /functions/v1/admin/servers': /*           */ [401, 403, 403, 403, 403, 200],
  'POST /functions/v1/admin/servers': /*          */ [401, 403, 403, 403, 403, 201],
  'POST /functions/v1/admin/servers/hidden-two/rotate': [401, 403, 403, 403, 403, 200],
  'GET /healthz': /*                              */ [200, 200, 200, 200, 200, 200],
  'GET /metrics': /*                              */ [200, 200, 200, 200, 200, 200],
}

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
