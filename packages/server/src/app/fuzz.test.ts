// Property-based fuzzing of every endpoint's input: random JSON, deep nesting, huge and non-finite numbers,
// unicode, long tag values, __proto__ / constructor keys, and mutations of valid batches. Whatever arrives:
// no 5xx, a JSON error naming a code, and nothing written unless the answer is a success.
import { createSignatureHeaders } from '@mcpdir/metrics/protocol'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp, type MetricsApp } from './create-app'
import { hashKey } from '../credentials/keys'
import { registerServer, type ShownCredentials } from '../credentials/server-credentials'
import { openSqliteStore } from '../store/sqlite/sqlite-store'

const RUNS = Number(process.env.FUZZ_RUNS ?? 150)
const ADMIN = 'fuzz-admin-key-0123456789'
let app: MetricsApp
let store: ReturnType<typeof openSqliteStore>
let creds: ShownCredentials

beforeAll(async () => {
  store = openSqliteStore({ path: ':memory:' })
  creds = await registerServer(store, { id: 'fuzz' }, Date.now())
  app = createApp({
    store,
    backgroundJobs: false,
    config: { adminKeyHash: hashKey(ADMIN), ingestRate: { perSecond: 1e9, burst: 1e9 }, usageRate: { perSecond: 1e9, burst: 1e9 } },
  })
})
afterAll(async () => {
  app.stop()
  await store.close()
})

const rowCounts = () =>
  store.db
    .prepare(
      `SELECT (SELECT coalesce(sum(points), 0) FROM metric_blocks) AS m, (SELECT count(*) FROM server_events) AS e, (SELECT count(*) FROM server_usage) AS u,
              (SELECT count(*) FROM servers) AS s, (SELECT count(*) FROM ingest_batches) AS b`,
    )
    .get()

// Text that is JSON-ish: valid JSON of every shape, deep nesting, and hand-made edge cases.
const hostileText = fc.oneof(
  fc.json({ depthSize: 'large' }),
  fc.jsonValue({ depthSize: 'small' }).map((v) => JSON.stringify({ server_id: 'fuzz', metrics: [v] })),
  fc.integer({ min: 1, max: 5_000 }).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`),
  fc.integer({ min: 1, max: 5_000 }).map((depth) => `{"server_id":"fuzz","metrics":${'['.repeat(depth)}1${']'.repeat(depth)}}`),
  fc.constantFrom(
    '{"server_id":"fuzz","metrics":[{"name":"a","type":"gauge","value":1e999}]}',
    '{"server_id":"fuzz","metrics":[{"name":"a","type":"gauge","value":-1e999}]}',
    '{"server_id":"fuzz","metrics":[{"name":"a","type":"counter","value":1,"tags":{"__proto__":"x"}}]}',
    '{"server_id":"fuzz","metrics":[{"name":"a","type":"counter","value":1,"tags":{"constructor":"x","toString":"y"}}]}',
    '{"__proto__":{"server_id":"fuzz"},"metrics":[{"name":"a","type":"counter","value":1}]}',
    '{"server_id":"fuzz","constructor":{"prototype":{"polluted":true}},"metrics":[{"name":"a","type":"counter","value":1}]}',
    '{"server_id":"fuzz","metrics":[{"name":"a","type":"counter","value":1,"tags":{"t":"' + 'x'.repeat(100_000) + '"}}]}',
    '{"serverId":"fuzz","action":"view","details":{"__proto__":{"a":1}}}',
    '\u0000\u0001',
    '\uFEFF{}',
    '{"server_id":"fuzz","metrics":[{"name":"\u00e9\u{1F600}","type":"counter","value":1}]}',
    'null',
    '',
  ),
  fc.string({ unit: 'binary', maxLength: 300 }),
)

// Mutations of a valid SDK batch: one field replaced with something arbitrary.
const validPoint = { name: 'calls', type: 'counter', count: 2, sum: 2, tags: { tool: 'search' }, timestamp: Date.now() }
const mutatedBatch = fc
  .record({
    field: fc.constantFrom('name', 'type', 'count', 'sum', 'min', 'max', 'last', 'tags', 'timestamp', 'sketch', 'value'),
    value: fc.oneof(fc.jsonValue(), fc.string({ maxLength: 300 }), fc.double(), fc.constant(undefined)),
    batchField: fc.constantFrom('server_id', 'batch_id', 'events', 'sdk', 'metrics', 'extra'),
    batchValue: fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constant(undefined)),
    mutateBatch: fc.boolean(),
  })
  .map(({ field, value, batchField, batchValue, mutateBatch }) => {
    const batch: Record<string, unknown> = { server_id: 'fuzz', metrics: [{ ...validPoint, [field]: value }] }
    if (mutateBatch) batch[batchField] = batchValue
    return JSON.stringify(batch)
  })

async function post(path: string, body: string, headers: Record<string, string> = {}) {
  const before = rowCounts()
  const response = await app.request(path, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } })
  const text = await response.text()
  expect(response.status, `${path} ${body.slice(0, 200)} → ${text.slice(0, 200)}`).toBeLessThan(500)
  if (response.status >= 400) {
    expect(JSON.parse(text)).toMatchObject({ success: false, error: { code: expect.any(String), message: expect.any(String) } })
    expect(rowCounts()).toEqual(before)
  }
  return response.status
}

let seq = 0
const signed = async (body: string) => ({
  'x-api-key': creds.api_key,
  ...(await createSignatureHeaders({ secrets: creds.signing_secret, id: `fuzz-${++seq}`, body })),
})

describe('fuzzing every endpoint', () => {
  it('metrics-collect: signed hostile bodies and mutated batches', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(hostileText, mutatedBatch), async (body) => {
        await post('/functions/v1/metrics-collect', body, await signed(body))
      }),
      { numRuns: RUNS * 2 },
    )
    expect(({}) as Record<string, unknown>).not.toHaveProperty('polluted')
  })

  it('server-events: signed hostile bodies', async () => {
    await fc.assert(
      fc.asyncProperty(hostileText, async (body) => {
        await post('/functions/v1/server-events', body, await signed(body))
      }),
      { numRuns: RUNS },
    )
  })

  it('usage-track: hostile bodies, headers and addresses', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(hostileText, fc.record({ serverId: fc.oneof(fc.constant('fuzz'), fc.string()), action: fc.string(), details: fc.jsonValue() }).map((r) => JSON.stringify(r))),
        fc.string({ maxLength: 500 }).filter((ua) => /^[\t\x20-\x7e]*$/.test(ua)),
        async (body, ua) => {
          await post('/functions/v1/usage-track', body, { 'user-agent': ua })
        },
      ),
      { numRuns: RUNS },
    )
  })

  it('admin and aggregate endpoints: hostile bodies with the admin key', async () => {
    await fc.assert(
      fc.asyncProperty(hostileText, async (body) => {
        await post('/functions/v1/admin/servers', body, { authorization: `Bearer ${ADMIN}` })
        await post('/functions/v1/metrics-aggregate', body, { authorization: `Bearer ${ADMIN}` })
      }),
      { numRuns: RUNS },
    )
  })

  it('read endpoints: hostile query strings', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 300 }), fc.string({ maxLength: 50 }), fc.string({ maxLength: 300 }), async (id, period, metrics) => {
        const query = new URLSearchParams({ server_id: id, period, metrics })
        for (const path of ['/functions/v1/metrics-fetch', '/functions/v1/servers', '/functions/v1/metrics-stream']) {
          const response = await app.request(`${path}?${query}`)
          expect(response.status, `${path}?${query}`).toBeLessThan(500)
          await response.body?.cancel()
        }
      }),
      { numRuns: RUNS },
    )
  })

  it('badges: hostile ids, metrics, labels and parameters', async () => {
    // (a segment `.` or `..` is resolved away by URL parsing before any route sees it)
    const part = fc.oneof(fc.constantFrom('fuzz', 'calls.svg', 'p95.json', 'availability.svg', 'x.', '.svg', '.json'), fc.string({ maxLength: 80 })).filter((p) => p !== '.' && p !== '..')
    const period = fc.oneof(fc.constantFrom('', '7d', '1h'), fc.string({ maxLength: 20 }))
    const style = fc.oneof(fc.constantFrom('', 'flat', 'flat-square'), fc.string({ maxLength: 20 }))
    let drawn = 0
    await fc.assert(
      fc.asyncProperty(part, part, fc.string({ maxLength: 100, unit: 'binary' }), period, style, async (id, file, label, period, style) => {
        const query = new URLSearchParams({ label, ...(period && { period }), ...(style && { style }) })
        const path = `/badge/${encodeURIComponent(id)}/${encodeURIComponent(file)}?${query}`
        const response = await app.request(path)
        const text = await response.text()
        expect(response.status, path).toBeLessThan(500)
        if (response.status !== 200) expect(JSON.parse(text)).toMatchObject({ success: false, error: { code: expect.any(String) } })
        // a badge drawn is one SVG element whose text is escaped: no tag, no control character from the label
        else if ((drawn++, response.headers.get('content-type')?.startsWith('image/svg+xml'))) {
          expect(text).toMatch(/^<svg [^]*<\/svg>$/)
          expect(text).not.toMatch(/[\u0000-\u001f]/)
          expect(text.match(/<title>([^<]*)<\/title>/)?.[1]).toBeDefined()
        } else expect(JSON.parse(text)).toMatchObject({ schemaVersion: 1, label })
      }),
      // drawn badges among the cases every run, whatever the random ones hit: hostile labels in an SVG and in JSON
      { numRuns: RUNS * 4, examples: [['fuzz', 'calls.svg', '<script>&"\'</title>', '7d', 'flat'], ['fuzz', 'p95.json', ']]></x> \u{1F600}', '', '']] },
    )
    expect(drawn).toBeGreaterThan(0)
  })
})
