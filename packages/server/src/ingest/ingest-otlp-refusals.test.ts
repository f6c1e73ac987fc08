// POST /v1/metrics refusals, in process: each answers its status with the standard error envelope and a message,
// and writes nothing.
import { gzipSync } from 'node:zlib'
import { isErrorResponse, MAX_BODY_BYTES, ROUTES } from '@mcpdir/metrics/protocol'
import { describe, expect, it } from 'vitest'
import { otlpRequest, sumMetric } from '../otlp/otlp-test-helpers'
import { otlpSetup, T0 } from './otlp-test-setup'

const good = otlpRequest([sumMetric('x', 'delta', [{ timeMs: T0, value: 1 }])])

type Setup = Awaited<ReturnType<typeof otlpSetup>>

/** Sends a raw request and checks its refusal: status, code, a message, the headers given, and nothing written. */
async function expectRefused(s: Setup, init: { body: BodyInit; headers: Record<string, string>; duplex?: 'half' }, status: number, code: string, headers: Record<string, string> = {}) {
  const before = s.rowCounts()
  const response = await s.app.request(ROUTES.otlpMetrics, { method: 'POST', ...init } as RequestInit)
  const body: unknown = await response.json()
  expect(response.status, JSON.stringify(body)).toBe(status)
  expect(isErrorResponse(body) && body.error.code).toBe(code)
  expect(isErrorResponse(body) && body.error.message.length).toBeGreaterThan(10)
  for (const [name, value] of Object.entries(headers)) expect(response.headers.get(name)).toBe(value)
  expect(s.rowCounts()).toEqual(before)
  return isErrorResponse(body) ? body.error : undefined
}

const json = (s: Setup, payload: unknown, headers: Record<string, string> = {}) => ({
  body: typeof payload === 'string' ? payload : JSON.stringify(payload),
  headers: { 'content-type': 'application/json', 'x-api-key': s.open.api_key, ...headers },
})

describe('POST /v1/metrics refuses', () => {
  it('a missing or unknown key (401), a disabled server (403), and takes Authorization: Bearer', async () => {
    const s = await otlpSetup()
    await expectRefused(s, { body: JSON.stringify(good), headers: { 'content-type': 'application/json' } }, 401, 'missing_api_key')
    await expectRefused(s, json(s, good, { 'x-api-key': 'mcpm_not_a_real_key' }), 401, 'invalid_api_key')
    const bearer = await s.app.request(ROUTES.otlpMetrics, { method: 'POST', body: JSON.stringify(good), headers: { 'content-type': 'application/json', authorization: `Bearer ${s.open.api_key}` } })
    expect(bearer.status).toBe(200)
    await s.store.setServerDisabled('otel', true)
    await expectRefused(s, json(s, good), 403, 'server_disabled')
  })

  it('a server that requires signatures (403), saying why and what to do', async () => {
    const s = await otlpSetup()
    const error = await expectRefused(s, json(s, good, { 'x-api-key': s.signed.api_key }), 403, 'signature_required')
    expect(error?.message).toContain('--no-signature')
  })

  it('content types other than OTLP protobuf and JSON, and encodings other than gzip (415)', async () => {
    const s = await otlpSetup()
    for (const type of ['text/plain', 'application/grpc', 'multipart/form-data']) await expectRefused(s, json(s, good, { 'content-type': type }), 415, 'unsupported_media_type')
    await expectRefused(s, { body: JSON.stringify(good), headers: { 'x-api-key': s.open.api_key } }, 415, 'unsupported_media_type')
    await expectRefused(s, json(s, good, { 'content-encoding': 'br' }), 415, 'unsupported_media_type')
  })

  it('oversized bodies, declared or streamed, and gzip bombs (413)', async () => {
    const s = await otlpSetup()
    const big = new Uint8Array(MAX_BODY_BYTES + 1)
    await expectRefused(s, { body: big, headers: { 'content-type': 'application/x-protobuf', 'x-api-key': s.open.api_key, 'content-length': String(big.byteLength) } }, 413, 'payload_too_large')
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 5; i++) controller.enqueue(new Uint8Array(MAX_BODY_BYTES / 4))
        controller.close()
      },
    })
    await expectRefused(s, { body: stream, duplex: 'half', headers: { 'content-type': 'application/x-protobuf', 'x-api-key': s.open.api_key } }, 413, 'payload_too_large')
    // 16 MiB of JSON whitespace in 16 KiB of gzip: inflation stops at the limit
    const bomb = gzipSync(Buffer.concat([Buffer.from('{"resourceMetrics":[]'), Buffer.alloc(16 * 1024 * 1024, ' '), Buffer.from('}')]))
    expect(bomb.byteLength).toBeLessThan(MAX_BODY_BYTES / 32)
    await expectRefused(s, { body: bomb, headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', 'x-api-key': s.open.api_key } }, 413, 'payload_too_large')
  })

  it('malformed protobuf, bad gzip, JSON that is not a request (400)', async () => {
    const s = await otlpSetup()
    const protobuf = { 'content-type': 'application/x-protobuf', 'x-api-key': s.open.api_key }
    await expectRefused(s, { body: Uint8Array.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]), headers: protobuf }, 400, 'invalid_body')
    await expectRefused(s, { body: new TextEncoder().encode('this is not protobuf at all, just text'), headers: protobuf }, 400, 'invalid_body')
    await expectRefused(s, { body: 'not gzip', headers: { ...protobuf, 'content-encoding': 'gzip' } }, 400, 'invalid_body')
    await expectRefused(s, json(s, '{"resourceMetrics": 5}'), 400, 'invalid_body')
    await expectRefused(s, json(s, '{"resourceMetrics": ['), 400, 'invalid_json')
  })

  it('unknown metric types, NaN and infinite values, histograms that do not add up (400, naming where)', async () => {
    const s = await otlpSetup()
    const unknown = otlpRequest([sumMetric('x', 'delta', [{ timeMs: T0, value: 1 }]), { name: 'y', unit: '1', futureKind: { dataPoints: [{}] } }])
    expect((await expectRefused(s, json(s, unknown), 400, 'invalid_body'))?.path).toBe('resourceMetrics[0].scopeMetrics[0].metrics[1]')
    for (const value of ['NaN', 'Infinity']) {
      const request = otlpRequest([sumMetric('x', 'delta', [{ timeMs: T0, value: 1 }])])
      ;(request as any).resourceMetrics[0].scopeMetrics[0].metrics[0].sum.dataPoints[0].asDouble = value
      expect((await expectRefused(s, json(s, request), 400, 'invalid_body'))?.path).toContain('asDouble')
    }
    const histogram = (extra: Record<string, unknown>) =>
      otlpRequest([{ name: 'h', unit: 's', histogram: { aggregationTemporality: 1, dataPoints: [{ timeUnixNano: `${T0}000000`, count: '2', sum: 1, explicitBounds: [1], bucketCounts: ['1', '1'], ...extra }] } }])
    expect((await expectRefused(s, json(s, histogram({ count: '3' })), 400, 'invalid_body'))?.message).toContain('not the sum of the bucket counts')
    expect((await expectRefused(s, json(s, histogram({ bucketCounts: ['2'] })), 400, 'invalid_body'))?.message).toContain('one more count than bounds')
    expect((await expectRefused(s, json(s, histogram({ explicitBounds: [1, 1], bucketCounts: ['1', '1', '0'] })), 400, 'invalid_body'))?.message).toContain('increase')
    await expectRefused(s, json(s, histogram({ sum: 'NaN' })), 400, 'invalid_body')
  })

  it('too many exports per second per key (429 with Retry-After)', async () => {
    const s = await otlpSetup({ ingestRate: { perSecond: 1, burst: 1 } })
    expect((await s.app.request(ROUTES.otlpMetrics, { method: 'POST', ...json(s, good) })).status).toBe(200)
    await expectRefused(s, json(s, otlpRequest([sumMetric('y', 'delta', [{ timeMs: T0, value: 1 }])])), 429, 'rate_limited', { 'retry-after': '1' })
  })

  it('while the database cannot take writes (503 with Retry-After), acknowledging nothing', async () => {
    const s = await otlpSetup()
    s.store.ingest = () => Promise.reject(Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' }))
    await expectRefused(s, json(s, good), 503, 'unavailable', { 'retry-after': '5' })
  })
})
