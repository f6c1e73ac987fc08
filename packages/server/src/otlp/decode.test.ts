import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
// @ts-expect-error: a plain .mjs script without types
import { otlpDescriptor } from '../../proto/generate.mjs'
import { decodeRequest, encodingOf } from './decode'
import descriptor from './otlp-proto.json'
import { otlpRequest, protobufOf, sumMetric } from './otlp-test-helpers'

const example = readFileSync(new URL('../../proto/examples/metrics.json', import.meta.url))
const text = (json: unknown) => new TextEncoder().encode(JSON.stringify(json))
const refusal = (run: () => unknown) => {
  try {
    run()
  } catch (error) {
    const { status, code, message, path } = error as { status: number; code: string; message: string; path?: string }
    return { status, code, message, path }
  }
  throw new Error('not refused')
}

describe('the OTLP definitions', () => {
  it('otlp-proto.json is what the vendored opentelemetry-proto files make (run proto/generate.mjs after updating them)', () => {
    expect(JSON.parse(JSON.stringify(otlpDescriptor()))).toEqual(descriptor)
  })
})

describe('decodeRequest', () => {
  it("reads opentelemetry-proto's own JSON example, and its protobuf encoding the same", () => {
    const fromJson = decodeRequest(example, 'json')
    expect(fromJson.dataPoints).toBe(4)
    const [counter, gauge, histogram, exponential] = fromJson.resources[0]?.metrics ?? []
    expect(fromJson.resources[0]?.attributes).toEqual({ 'service.name': 'my.service' })
    expect(counter).toMatchObject({ name: 'my.counter', kind: 'sum', temporality: 'delta', monotonic: true, scope: 'my.library@1.0.0' })
    expect(counter?.points[0]).toEqual({
      attributes: { 'my.counter.attr': 'some value' },
      startNs: '1544712660300000000',
      startMs: 1544712660300,
      timeMs: 1544712660300,
      noValue: false,
      value: 5,
    })
    expect(gauge).toMatchObject({ kind: 'gauge', temporality: 'unspecified', points: [{ value: 10, startNs: '0', startMs: 0 }] })
    expect(histogram).toMatchObject({ kind: 'histogram', points: [{ count: 2, sum: 2, min: 0, max: 2, bounds: [1], counts: [1, 1] }] })
    expect(exponential).toMatchObject({
      kind: 'exponentialHistogram',
      points: [{ count: 3, sum: 10, scale: 0, zeroCount: 1, positive: { offset: 1, counts: [0, 2] }, negative: { offset: 0, counts: [] } }],
    })
    expect(decodeRequest(protobufOf(JSON.parse(example.toString())), 'protobuf')).toEqual(fromJson)
  })

  it('takes 64-bit integers as strings or numbers, attributes of every type as text, and ignores unknown fields', () => {
    const json = otlpRequest([
      {
        name: 'n',
        sum: {
          aggregationTemporality: 2,
          isMonotonic: true,
          futureField: { x: 1 },
          dataPoints: [
            {
              timeUnixNano: 1_700_000_000_000_000_000,
              startTimeUnixNano: '1699999999000000000',
              asInt: '42',
              attributes: [
                { key: 'b', value: { boolValue: true } },
                { key: 'i', value: { intValue: '7' } },
                { key: 'd', value: { doubleValue: 1.5 } },
                { key: 'a', value: { arrayValue: { values: [{ stringValue: 'x' }, { intValue: 2 }] } } },
                { key: 'm', value: { kvlistValue: { values: [{ key: 'k', value: { stringValue: 'v' } }] } } },
                { key: 'empty', value: {} },
              ],
            },
          ],
        },
      },
    ])
    const point = decodeRequest(text(json), 'json').resources[0]?.metrics[0]?.points[0]
    expect(point).toMatchObject({ value: 42, timeMs: 1_700_000_000_000, startMs: 1_699_999_999_000, startNs: '1699999999000000000' })
    expect(point?.attributes).toEqual({ b: 'true', i: '7', d: '1.5', a: '["x",2]', m: '{"k":"v"}', empty: '' })
    expect(decodeRequest(protobufOf(json), 'protobuf').resources[0]?.metrics[0]?.points[0]).toEqual(point)
  })

  it('refuses NaN and infinite values with a 400 naming where', () => {
    for (const bad of ['NaN', 'Infinity', '-Infinity']) {
      const json = otlpRequest([sumMetric('ok', 'delta', [{ timeMs: 1, value: 1 }]), sumMetric('bad', 'delta', [{ timeMs: 1, value: 1 }])])
      ;(json as any).resourceMetrics[0].scopeMetrics[0].metrics[1].sum.dataPoints[0].asDouble = bad
      for (const [body, encoding] of [[text(json), 'json'], [protobufOf(json), 'protobuf']] as const) {
        expect(refusal(() => decodeRequest(body, encoding))).toMatchObject({
          status: 400,
          code: 'invalid_body',
          path: 'resourceMetrics[0].scopeMetrics[0].metrics[1].sum.dataPoints[0].asDouble',
        })
      }
    }
  })

  it('refuses a metric of no known type (an unknown field in either encoding) with a 400', () => {
    const json = otlpRequest([{ name: 'future', unit: '1', someNewType: { dataPoints: [{ asDouble: 1 }] } }])
    expect(refusal(() => decodeRequest(text(json), 'json'))).toMatchObject({ status: 400, message: expect.stringContaining('no data of a known type') })
    // field 13 of Metric: a type this version of the definitions does not know
    const unknown = Uint8Array.from([0x0a, 0x0b, 0x12, 0x09, 0x12, 0x07, 0x0a, 0x01, 0x78, 0x6a, 0x02, 0x08, 0x01])
    expect(refusal(() => decodeRequest(unknown, 'protobuf'))).toMatchObject({ status: 400, path: 'resourceMetrics[0].scopeMetrics[0].metrics[0]' })
  })

  it('refuses malformed protobuf and JSON that is not a request with a 400', () => {
    expect(refusal(() => decodeRequest(Uint8Array.from([0x0a, 0xff, 0xff, 0xff, 0x0f]), 'protobuf'))).toMatchObject({ status: 400, code: 'invalid_body' })
    expect(refusal(() => decodeRequest(new TextEncoder().encode('{"resourceMetrics": "x"}'), 'json'))).toMatchObject({ status: 400, code: 'invalid_body' })
    expect(refusal(() => decodeRequest(new TextEncoder().encode('{not json'), 'json'))).toMatchObject({ status: 400, code: 'invalid_json' })
    expect(refusal(() => decodeRequest(new TextEncoder().encode('{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"x","gauge":{"dataPoints":[{}]}}]}]}]}'), 'json'))).toMatchObject({
      status: 400,
      message: expect.stringContaining('asDouble or asInt'),
    })
  })

  it('knows the two content types OTLP/HTTP defines, and refuses others with a 415', () => {
    expect(encodingOf('application/x-protobuf')).toBe('protobuf')
    expect(encodingOf('application/json; charset=utf-8')).toBe('json')
    for (const type of [undefined, 'text/plain', 'application/grpc', 'application/x-www-form-urlencoded']) {
      expect(refusal(() => encodingOf(type))).toMatchObject({ status: 415, code: 'unsupported_media_type' })
    }
  })
})
