import { alertCreatedResponseSchema, alertListResponseSchema, errorResponseSchema } from '@mcpdir/metrics/protocol'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp, type MetricsApp } from '../app/create-app'
import { hashKey } from '../credentials/keys'
import { registerServer } from '../credentials/server-credentials'
import { openSqliteStore } from '../store/sqlite/sqlite-store'
import type { Store } from '../store/store'

const ADMIN = 'admin-key-for-alert-routes'
const T0 = Date.parse('2026-03-10T12:00:00Z')
let store: Store
let app: MetricsApp
beforeAll(async () => {
  store = openSqliteStore({ path: ':memory:' })
  for (const id of ['a', 'b']) await registerServer(store, { id }, T0)
  // webhooks here name a public address and are never called
  app = createApp({ store, clock: () => T0, backgroundJobs: false, config: { adminKeyHash: hashKey(ADMIN) } })
})
afterAll(async () => {
  app.stop()
  await store.close()
})

const call = async (method: string, path: string, body?: unknown, key: string | undefined = ADMIN) => {
  const response = await app.request(`/functions/v1/admin/servers${path}`, {
    method,
    headers: { ...(key && { authorization: `Bearer ${key}` }), 'content-type': 'application/json' },
    ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  })
  return { status: response.status, body: await response.json() }
}
const rule = { metric: 'error_rate', above: 0.05, for: '10m', webhook: 'https://93.184.216.34/hook' }

describe('/functions/v1/admin/servers/{id}/alerts', () => {
  it('needs the admin key', async () => {
    expect((await call('GET', '/a/alerts', undefined, '')).status).toBe(401)
    expect((await call('POST', '/a/alerts', rule, 'not-the-admin-key-at-all')).status).toBe(403)
    expect((await call('DELETE', '/a/alerts/1', undefined, 'not-the-admin-key-at-all')).status).toBe(403)
  })

  it('adds, lists and deletes a server\'s rules, answering with the protocol\'s schemas', async () => {
    const created = await call('POST', '/a/alerts', rule)
    expect(created.status).toBe(201)
    expect(alertCreatedResponseSchema.safeParse(created.body).success).toBe(true)
    expect(created.body).toMatchObject({ success: true, server_id: 'a', metric: 'error_rate', condition: 'above', threshold: 0.05, window: '10m', state: 'ok', state_since: T0, last_value: null })
    const list = await call('GET', '/a/alerts')
    expect(alertListResponseSchema.safeParse(list.body).success).toBe(true)
    expect(list.body.alerts.map((r: { id: number }) => r.id)).toEqual([created.body.id])
    expect((await call('GET', '/b/alerts')).body.alerts).toEqual([])
    // another server's rule is not there to delete
    expect((await call('DELETE', `/b/alerts/${created.body.id}`)).status).toBe(404)
    expect((await call('DELETE', `/a/alerts/${created.body.id}`)).body).toEqual({ success: true })
    expect((await call('DELETE', `/a/alerts/${created.body.id}`)).status).toBe(404)
    expect((await call('DELETE', '/a/alerts/x')).status).toBe(404)
  })

  it('refuses bad rules with 400 and the field at fault; unknown servers with 404', async () => {
    const cases: [unknown, string, string][] = [
      ['{"metric":', 'invalid_json', ''],
      [{ ...rule, above: 2 }, 'invalid_body', 'above'],
      [{ ...rule, for: '90s' }, 'invalid_body', 'for'],
      [{ ...rule, metric: 'uptime' }, 'invalid_body', 'metric'],
      [{ ...rule, webhook: 'javascript:alert(1)' }, 'invalid_body', 'webhook'],
      [{ ...rule, webhook: 'http://10.0.0.1/hook' }, 'invalid_body', 'webhook'],
    ]
    for (const [body, code, path] of cases) {
      const answer = await call('POST', '/a/alerts', body)
      expect([answer.status, answer.body.error.code, answer.body.error.path ?? ''], JSON.stringify(body)).toEqual([400, code, path])
      expect(errorResponseSchema.safeParse(answer.body).success).toBe(true)
    }
    expect((await call('POST', '/nobody/alerts', rule)).status).toBe(404)
    expect((await call('GET', '/nobody/alerts')).status).toBe(404)
  })
})
