// Property-based fuzzing of POST /v1/metrics: random bytes and mutated valid requests as protobuf, random and
// mutated JSON. Whatever arrives: no 5xx, a 200 or a JSON error naming a code, and nothing written unless 200.
import { isErrorResponse, ROUTES } from '@mcpdir/metrics/protocol'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { gaugeMetric, histogramMetric, otlpRequest, protobufOf, sumMetric } from '../otlp/otlp-test-helpers'
import { otlpSetup, T0 } from './otlp-test-setup'

const RUNS = Number(process.env.FUZZ_RUNS ?? 150)

const valid = otlpRequest([
  sumMetric('jobs', 'cumulative', [{ startMs: T0 - 1000, timeMs: T0, value: 3, attributes: { q: 'a' } }]),
  gaugeMetric('depth', [{ timeMs: T0, value: 2 }]),
  histogramMetric('mcp.server.operation.duration', 'delta', [0.01, 0.1, 1], [{ timeMs: T0, values: [0.005, 0.05], attributes: { 'mcp.method.name': 'tools/call', 'gen_ai.tool.name': 't' } }]),
])
const validBytes = protobufOf(valid)

describe('POST /v1/metrics under fuzzing', () => {
  it('never fails with a 5xx, and writes only what it accepts', async () => {
    const s = await otlpSetup({ ingestRate: { perSecond: 1e9, burst: 1e9 } })
    const check = async (body: Uint8Array | string, contentType: string) => {
      const before = s.rowCounts()
      const response = await s.app.request(ROUTES.otlpMetrics, { method: 'POST', body: body as BodyInit, headers: { 'content-type': contentType, 'x-api-key': s.open.api_key } })
      expect(response.status).toBeLessThan(500)
      if (response.status === 200) return
      const answer: unknown = await response.json()
      expect(isErrorResponse(answer), JSON.stringify(answer)).toBe(true)
      expect(s.rowCounts()).toEqual(before)
    }
    const mutated = fc.array(fc.tuple(fc.nat(validBytes.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }).map((edits) => {
      const bytes = Uint8Array.from(validBytes)
      for (const [at, value] of edits) bytes[at] = value
      return bytes
    })
    await fc.assert(fc.asyncProperty(fc.oneof(fc.uint8Array({ maxLength: 512 }), mutated), (bytes) => check(bytes, 'application/x-protobuf')), { numRuns: RUNS })
    // JSON: any value, and the valid request with one value replaced anywhere
    const paths: (string | number)[][] = []
    const walk = (value: unknown, path: (string | number)[]) => {
      paths.push(path)
      if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, [...path, Array.isArray(value) ? Number(k) : k])
    }
    walk(valid, [])
    const replaced = fc.tuple(fc.constantFrom(...paths.filter((p) => p.length > 0)), fc.jsonValue()).map(([path, value]) => {
      const copy = structuredClone(valid) as Record<string | number, unknown>
      let at = copy
      for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>
      at[path.at(-1) as string | number] = value
      return JSON.stringify(copy)
    })
    await fc.assert(fc.asyncProperty(fc.oneof(fc.json(), replaced), (text) => check(text, 'application/json')), { numRuns: RUNS })
  })
})
