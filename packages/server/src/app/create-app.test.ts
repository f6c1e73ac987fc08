import { createSignatureHeaders } from '@mcpdir/metrics/protocol'
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { createApp } from './create-app'
import { hashKey } from '../credentials/keys'
import { registerServer } from '../credentials/server-credentials'
import { openSqliteStore } from '../store/sqlite/sqlite-store'

describe('createApp', () => {
  it('rate-limits per ingest key with 429 and Retry-After, on an injected clock', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z')
    const store = openSqliteStore({ path: ':memory:' })
    const creds = await registerServer(store, { id: 'srv' }, now)
    const app = createApp({ store, clock: () => now, config: { ingestRate: { perSecond: 1, burst: 2 } } })
    const send = async () => {
      const body = JSON.stringify({ server_id: 'srv', metrics: [{ name: 'x', value: 1, type: 'counter' }] })
      const headers = await createSignatureHeaders({ secrets: creds.signing_secret, id: `b${Math.random()}`, body, timestampSeconds: Math.floor(now / 1000) })
      return app.request('/functions/v1/metrics-collect', { method: 'POST', body, headers: { ...headers, 'x-api-key': creds.api_key } })
    }
    expect((await send()).status).toBe(200)
    expect((await send()).status).toBe(200)
    const limited = await send()
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toBe('1')
    expect(await limited.json()).toMatchObject({ error: { code: 'rate_limited' } })
    now += 1_000
    expect((await send()).status).toBe(200)
    await store.close()
  })

  it('keys the ingest rate limit by the key\'s hash, never by the plaintext key', async () => {
    const store = openSqliteStore({ path: ':memory:' })
    const app = createApp({ store, backgroundJobs: false })
    const keys: string[] = []
    for (const id of ['one', 'two']) {
      const creds = await registerServer(store, { id }, Date.now())
      keys.push(creds.api_key)
      const body = JSON.stringify({ server_id: id, metrics: [{ name: 'x', value: 1, type: 'counter' }] })
      const headers = await createSignatureHeaders({ secrets: creds.signing_secret, id: `b-${id}`, body })
      // the key as X-API-Key and as a bearer token: one bucket
      for (const auth of [{ 'x-api-key': creds.api_key }, { authorization: `Bearer ${creds.api_key}` }] as Record<string, string>[]) {
        expect((await app.request('/functions/v1/metrics-collect', { method: 'POST', body, headers: { ...headers, ...auth } })).status).toBe(200)
      }
    }
    const limiterKeys = app.deps.ingestLimiter.keys()
    expect(limiterKeys).toEqual(keys.map((key) => `ingest:${hashKey(key)}`))
    for (const key of keys) expect(limiterKeys.some((k) => k.includes(key) || k.includes(key.slice(5)))).toBe(false)
    app.stop()
    await store.close()
  })

  it('can be mounted inside another Hono app', async () => {
    const store = openSqliteStore({ path: ':memory:' })
    const parent = new Hono().get('/', (c) => c.text('site'))
    parent.route('/', createApp({ store }))
    expect(await (await parent.request('/')).text()).toBe('site')
    expect((await parent.request('/healthz')).status).toBe(200)
    await store.close()
  })

  it('answers 503 with Retry-After when the database cannot take writes', async () => {
    const store = openSqliteStore({ path: ':memory:' })
    const creds = await registerServer(store, { id: 'srv' }, Date.now())
    store.db.pragma('query_only = ON')
    const app = createApp({ store })
    const body = JSON.stringify({ server_id: 'srv', metrics: [{ name: 'x', value: 1, type: 'counter' }] })
    const headers = await createSignatureHeaders({ secrets: creds.signing_secret, id: 'b1', body })
    const response = await app.request('/functions/v1/metrics-collect', { method: 'POST', body, headers: { ...headers, 'x-api-key': creds.api_key } })
    expect(response.status).toBe(503)
    expect(response.headers.get('retry-after')).toBe('5')
    expect(await response.json()).toMatchObject({ error: { code: 'unavailable' } })
    await store.close()
  })
})
