import {
  createSignatureHeaders,
  isErrorResponse,
  MCP_METRICS,
  maxPointAgeMs,
  ROUTES,
  SERVER_ID_RULE,
  Sketch,
  STREAM_EVENT,
  sketchPercentiles,
} from '@mcpdir/metrics/protocol'
import { describe, expect, it } from 'vitest'
import { createApp } from '../app/create-app'
import { DEFAULT_RETENTION } from '../app/config'
import { registerServer } from '../credentials/server-credentials'
import type { StreamMessage } from '../query/live-hub'
import { openSqliteStore } from '../store/sqlite/sqlite-store'

const DAY = 86_400_000

async function setup(rawMs = DEFAULT_RETENTION.rawMs) {
  const now = Date.parse('2026-01-01T12:00:00Z')
  const store = openSqliteStore({ path: ':memory:' })
  const creds = await registerServer(store, { id: 'srv' }, now)
  const app = createApp({ store, clock: () => now, backgroundJobs: false, config: { retention: { ...DEFAULT_RETENTION, rawMs } } })
  const send = async (payload: unknown) => {
    const body = JSON.stringify(payload)
    const headers = await createSignatureHeaders({ secrets: creds.signing_secret, id: `b${Math.random()}`, body, timestampSeconds: Math.floor(now / 1000) })
    return app.request(ROUTES.metricsCollect, { method: 'POST', body, headers: { ...headers, 'x-api-key': creds.api_key } })
  }
  return { now, store, app, send }
}

describe('ingest', () => {
  it('streams timer points with their sketch and their own percentiles', async () => {
    const { now, store, app, send } = await setup()
    const messages: StreamMessage[] = []
    app.deps.hub.subscribe('srv', { push: (m) => messages.push(m), close: () => {} })
    const values = [80.5, 81, 200]
    const sketch = Sketch.of(values).toJSON()
    const point = { name: MCP_METRICS.tool.duration, type: 'timer', count: 3, sum: 361.5, min: 80.5, max: 200, sketch, timestamp: now }
    expect((await send({ server_id: 'srv', metrics: [point] })).status).toBe(200)
    const message = messages.find((m) => m.event === STREAM_EVENT.metrics)
    expect(message?.event === STREAM_EVENT.metrics && message.data.points[0]).toMatchObject({
      name: MCP_METRICS.tool.duration,
      sketch,
      avg: 120.5,
      ...sketchPercentiles(Sketch.fromJSON(sketch), 80.5, 200),
    })
    await store.close()
  })

  it('accepts points back to raw retention less the protocol margin, and no further', async () => {
    const { now, store, send } = await setup(2 * DAY)
    const at = (timestamp: number) => send({ server_id: 'srv', metrics: [{ name: 'x', type: 'counter', value: 1, timestamp }] })
    expect((await at(now - maxPointAgeMs(2 * DAY))).status).toBe(200)
    const old = await at(now - maxPointAgeMs(2 * DAY) - 1)
    expect(old.status).toBe(400)
    const body: unknown = await old.json()
    expect(isErrorResponse(body) && body.error).toMatchObject({ code: 'invalid_body', path: 'metrics[0].timestamp' })
    await store.close()
  })

  it('refuses a malformed server_id query with the protocol rule', async () => {
    const { store, app } = await setup()
    for (const id of ['-x', 'x'.repeat(129)]) {
      const response = await app.request(`${ROUTES.metricsFetch}?server_id=${id}`)
      expect(response.status).toBe(400)
      expect(await response.json()).toEqual({ success: false, error: { code: 'invalid_body', message: SERVER_ID_RULE, path: 'server_id' } })
    }
    await store.close()
  })
})
