// Property tests of `@mcpdir/metrics`' promise: whatever its public functions are given, none throws, nothing
// is written to stdout, and every valid value recorded beside the invalid ones reaches the service exactly
// (its real send path, signed, against a local HTTP collector that validates each batch with the protocol).
import fc from 'fast-check'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { type Collector, startCollector } from '../test/collector'
import { HOST_ERROR, hostile, junk, throwingGetters, throwingProxy } from './hostile-values.test-helpers'
import { createMetrics, type Metrics, MetricsError, type MetricsOptions, SDK_NAME, SDK_VERSION } from './index'
import { type CollectBatch, generateSigningSecret, MAX_NAME_LENGTH, NAME_PATTERN } from './protocol/index'

const secret = generateSigningSecret()
let collector: Collector
let stdout: ReturnType<typeof vi.spyOn>
beforeAll(async () => {
  collector = await startCollector({ secret })
})
afterAll(() => collector.close())
beforeEach(() => {
  stdout = vi.spyOn(process.stdout, 'write')
})
afterEach(() => {
  expect(stdout).not.toHaveBeenCalled()
  stdout.mockRestore()
})

const CODES = ['invalid_config', 'invalid_metric', 'invalid_event', 'batch_rejected', 'delivery_failed', 'spool_failed', 'internal']
let runs = 0
function connect(extra: MetricsOptions = {}) {
  const serverId = `prop-${++runs}`
  const errors: MetricsError[] = []
  const metrics = createMetrics({
    serverId,
    apiKey: 'mcpm_prop',
    signingSecret: secret,
    endpoint: collector.url,
    flushIntervalMs: 3_600_000,
    maxEventsPerWindow: 10_000,
    maxSeries: 10_000,
    handleProcessEvents: false,
    spool: false,
    env: {},
    onError: (e) => errors.push(e),
    ...extra,
  })
  return { serverId, metrics, errors }
}

/** What the collector received for one client: every request must have been a valid batch. */
function delivered(serverId: string): CollectBatch[] {
  const mine = collector.received.filter((r) => r.body.includes(`"server_id":${JSON.stringify(serverId)},`))
  expect(mine.map((r) => r.issues)).toEqual(mine.map(() => undefined))
  return [...collector.accepted.values()].filter((b) => b.serverId === serverId)
}

type Kind = 'counter' | 'gauge' | 'timer'
const NAMES = ['v.a', 'v.b']
/** Tags as a host may write them, and the canonical tags they name. */
const TAGS: [unknown, Record<string, string>][] = [
  [undefined, {}],
  [null, {}],
  [{}, {}],
  [{ a: 'x' }, { a: 'x' }],
  [{ a: 'x', b: 2 }, { a: 'x', b: '2' }],
  [{ b: 2, a: 'x' }, { a: 'x', b: '2' }],
  [{ a: 'x', gone: undefined, nil: null }, { a: 'x' }],
  [{ flag: true, n: 1n }, { flag: 'true', n: '1' }],
]
const VALID: Record<Kind, fc.Arbitrary<unknown>> = {
  counter: fc.oneof(fc.constant(undefined), fc.integer({ min: 0, max: 1_000_000 }), fc.double({ min: 0, max: 1e6, noNaN: true })),
  gauge: fc.double({ min: -1e9, max: 1e9, noNaN: true }),
  timer: fc.double({ min: 0, max: 1e6, noNaN: true }),
}
const notNumber = junk.filter((v) => typeof v !== 'number')
const badNumbers = fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 2e15, Number.MAX_VALUE)
const negative = fc.double({ max: -1e-9, noNaN: true })
const INVALID: Record<Kind, fc.Arbitrary<unknown>> = {
  counter: fc.oneof(notNumber.filter((v) => v !== undefined), badNumbers, negative),
  gauge: fc.oneof(notNumber, badNumbers, fc.constantFrom(-2e15, -Number.MAX_VALUE)),
  timer: fc.oneof(notNumber, badNumbers, negative),
}
const badName = fc.oneof(
  junk.filter((v) => typeof v !== 'string'),
  fc.constantFrom('', '9bad', 'bad name!', 'x'.repeat(MAX_NAME_LENGTH + 1)),
  fc.string().filter((s) => !(s.length <= MAX_NAME_LENGTH && NAME_PATTERN.test(s))),
)
const badTags = fc.oneof(
  fc.constant(null).map(() => throwingProxy()),
  fc.constant(null).map(() => throwingGetters()),
  fc.constantFrom('abc', 5, true, 1n, Symbol('t'), () => 1, [1, 2], { 'bad key': 'x' }, { k: 'line\nbreak' }, { k: 'x'.repeat(201) }),
  fc.constantFrom({ k: {} }, { k: Symbol('v') }, { k: [1] }, Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v']))),
)
const kind = fc.constantFrom<Kind>('counter', 'gauge', 'timer')
const at = { name: fc.constantFrom(...NAMES), tags: fc.nat(TAGS.length - 1), held: fc.boolean() }

const op = fc.oneof(
  { weight: 4, arbitrary: kind.chain((k) => fc.record({ t: fc.constant('valid' as const), kind: fc.constant(k), ...at, value: VALID[k] })) },
  { weight: 2, arbitrary: kind.chain((k) => fc.record({ t: fc.constant('badValue' as const), kind: fc.constant(k), ...at, value: INVALID[k] })) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('badName' as const), kind, name: badName, tags: junk, value: junk }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('badTags' as const), kind, name: fc.constantFrom(...NAMES), tags: badTags, value: junk }) },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('time' as const),
      ...at,
      fn: fc.oneof(fc.constantFrom('ok', 'throw', 'reject'), notNumber.filter((v) => typeof v !== 'function')),
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('event' as const), note: fc.string({ maxLength: 40 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('badEvent' as const), type: junk, details: junk }) },
)
type Op = typeof op extends fc.Arbitrary<infer T> ? T : never

interface Expected {
  name: string
  type: Kind
  tags: Record<string, string>
  count: number
  sum: number
  min: number
  max: number
  last: number
}

/** Runs the ops on a real client; answers what must arrive, and how many updates had to be refused. */
async function play(metrics: Metrics, ops: Op[]) {
  const expected = new Map<string, Expected>()
  const held = new Map<string, unknown>()
  const events: Record<string, string | number>[] = []
  let invalid = 0
  const handle = (k: Kind, name: string, tagsAt: number, useHeld: boolean) => {
    const key = `${k}|${name}|${tagsAt}`
    const fresh = () => (metrics[k] as (n: unknown, t: unknown) => unknown)(name, TAGS[tagsAt]?.[0])
    if (!useHeld) return fresh() as Record<string, (v?: unknown) => unknown>
    if (!held.has(key)) held.set(key, fresh())
    return held.get(key) as Record<string, (v?: unknown) => unknown>
  }
  const expect1 = (type: Kind, name: string, tags: Record<string, string>, value: number) => {
    const key = `${type}|${name}|${JSON.stringify(tags)}`
    const e = expected.get(key) ?? { name, type, tags, count: 0, sum: 0, min: 0, max: 0, last: 0 }
    if (e.count === 0 || value < e.min) e.min = value
    if (e.count === 0 || value > e.max) e.max = value
    e.count++
    e.sum += value
    e.last = value
    expected.set(key, e)
  }
  const method = { counter: 'inc', gauge: 'set', timer: 'record' } as const
  for (const o of ops) {
    if (o.t === 'valid' || o.t === 'badValue') {
      const h = handle(o.kind, o.name, o.tags, o.held)
      if (o.kind === 'counter' && o.value === undefined) h.inc?.()
      else h[method[o.kind]]?.(o.value)
      if (o.t === 'valid') expect1(o.kind, o.name, TAGS[o.tags]?.[1] ?? {}, (o.value as number | undefined) ?? 1)
      else invalid++
    } else if (o.t === 'badName' || o.t === 'badTags') {
      const h = (metrics[o.kind] as unknown as (n: unknown, t: unknown) => Record<string, (v: unknown) => unknown>)(o.name, o.tags)
      h[method[o.kind]]?.(o.value)
      invalid++
    } else if (o.t === 'time') {
      const timer = handle('timer', o.name, o.tags, o.held) as unknown as { time(fn: unknown): Promise<unknown> }
      const tags = TAGS[o.tags]?.[1] ?? {}
      if (o.fn === 'ok') expect(await timer.time(() => 42)).toBe(42)
      else if (o.fn === 'throw' || o.fn === 'reject') {
        const fn = o.fn === 'throw' ? () => { throw HOST_ERROR } : async () => { throw HOST_ERROR }
        await expect(timer.time(fn)).rejects.toBe(HOST_ERROR)
      } else {
        expect(await timer.time(o.fn)).toBeUndefined()
        invalid++
        continue
      }
      const outcome = { ...tags, outcome: o.fn === 'ok' ? 'ok' : 'error' }
      const key = `timer|${o.name}|${JSON.stringify(Object.fromEntries(Object.entries(outcome).sort()))}`
      const e = expected.get(key) ?? { name: o.name, type: 'timer', tags: outcome, count: 0, sum: Number.NaN, min: 0, max: 0, last: 0 }
      e.count++
      expected.set(key, e)
    } else if (o.t === 'event') {
      const details = { seq: events.length, note: o.note }
      events.push(details)
      metrics.event('deployment', details)
    } else {
      ;(metrics.event as (t: unknown, d: unknown) => void)(o.type, o.details)
    }
  }
  return { expected, events, invalid }
}

describe('@mcpdir/metrics with arbitrary values (property)', () => {
  it('never throws, never writes stdout, and delivers every valid value beside the invalid ones exactly', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 60 }), async (ops) => {
        const { serverId, metrics, errors } = connect()
        const { expected, events, invalid } = await play(metrics, ops)
        await metrics.flush()
        await metrics.shutdown()
        const batches = delivered(serverId)
        const points = batches.flatMap((b) => b.points)
        const ours = points.filter((p) => p.name.startsWith('v.'))
        expect(ours).toHaveLength(expected.size)
        for (const e of expected.values()) {
          const found = ours.find((p) => p.name === e.name && p.type === e.type && JSON.stringify(p.tags) === JSON.stringify(e.tags))
          expect(found, `${e.type} ${e.name} ${JSON.stringify(e.tags)}`).toBeDefined()
          if (Number.isNaN(e.sum)) expect(found?.count).toBe(e.count) // time(): durations are not known
          else {
            const want = e.type === 'counter' ? { count: e.count, sum: e.sum } : e.type === 'gauge' ? e : { count: e.count, sum: e.sum, min: e.min, max: e.max }
            expect(found).toMatchObject(JSON.parse(JSON.stringify({ ...want, name: undefined, type: undefined, tags: undefined })))
          }
        }
        const invalidValues = points.filter((p) => p.name === 'mcpdir.sdk.invalid_values').reduce((n, p) => n + p.sum, 0)
        expect(invalidValues).toBe(invalid)
        const deployments = batches.flatMap((b) => b.events).filter((e) => e.type === 'deployment' && 'seq' in e.details)
        expect(deployments.map((e) => e.details).sort((a, b) => Number(a.seq) - Number(b.seq))).toEqual(events)
        expect(errors.every((e) => e instanceof MetricsError && CODES.includes(e.code))).toBe(true)
        for (const name of NAMES) {
          expect(errors.filter((e) => e.message.startsWith(`metric ${name}: `) && e.message.includes(' dropped;')).length).toBeLessThanOrEqual(1)
        }
      }),
      { numRuns: 60 },
    )
  })

  it('never throws from any public function given anything, and valid values recorded meanwhile still arrive', async () => {
    const optionKeys = ['serverId', 'apiKey', 'signingSecret', 'endpoint', 'serverVersion', 'flushIntervalMs', 'retry', 'spool', 'onError', 'debug', 'fetch', 'env'] as const
    const call = fc.oneof(
      fc.record({ f: fc.constantFrom('counter', 'gauge', 'timer'), name: fc.oneof(junk, fc.string()), tags: junk, value: junk, m: fc.constantFrom('inc', 'set', 'record', 'time') }),
      fc.record({ f: fc.constant('event'), name: junk, tags: junk, value: junk, m: fc.constant('') }),
      fc.record({ f: fc.constantFrom('flush', 'options', 'raw', 'error'), name: junk, tags: junk, value: fc.constantFrom(...optionKeys), m: fc.constant('') }),
    )
    await fc.assert(
      fc.asyncProperty(fc.array(call, { maxLength: 30 }), fc.array(fc.integer({ min: 0, max: 1_000_000 }), { maxLength: 20 }), async (calls, good) => {
        const { serverId, metrics } = connect({ flushTimeoutMs: 2_000 })
        const others: Metrics[] = []
        for (const [i, c] of calls.entries()) {
          if (c.name === 'v.good') continue
          // whole numbers, so sums are exact whichever windows they land in
          if (good[i] !== undefined) metrics.counter('v.good').inc(good[i] as number)
          const any = metrics as unknown as Record<string, (...a: unknown[]) => Record<string, (...a: unknown[]) => unknown>>
          if (c.f === 'counter' || c.f === 'gauge' || c.f === 'timer') {
            const result = any[c.f]?.(c.name, c.tags)[c.m]?.(c.value)
            if (result instanceof Promise) await result.catch((e) => expect(e).toBe(HOST_ERROR))
          } else if (c.f === 'event') any.event?.(c.name, c.tags)
          else if (c.f === 'flush') await any.flush?.(c.name)
          else if (c.f === 'error') expect(new MetricsError(c.name as never, c.tags as string, c.value as never)).toBeInstanceOf(Error)
          else {
            const base = { serverId: `${serverId}-o`, apiKey: 'k', endpoint: collector.url, env: {}, spool: false, handleProcessEvents: false }
            const options = c.f === 'raw' ? c.name : { ...base, flushTimeoutMs: 200, shutdownTimeoutMs: 200, [c.value as string]: c.tags }
            const other = createMetrics(options as MetricsOptions)
            other.counter('o').inc()
            others.push(other)
          }
        }
        for (const v of good.slice(calls.length)) metrics.counter('v.good').inc(v)
        await metrics.flush()
        await metrics.shutdown()
        await Promise.all(others.map((o) => o.shutdown()))
        const sent = delivered(serverId).flatMap((b) => b.points).filter((p) => p.name === 'v.good')
        expect(sent.reduce((n, p) => n + p.sum, 0)).toBe(good.reduce((n, v) => n + v, 0))
        expect(typeof SDK_NAME === 'string' && typeof SDK_VERSION === 'string').toBe(true)
      }),
      { numRuns: 40 },
    )
  })

  it('answers any options it cannot use with a no-op, reporting only codes it documents', async () => {
    const keys = fc.constantFrom('serverId', 'apiKey', 'endpoint', 'signingSecret', 'env', 'fetch', 'retry', 'spool', 'flushIntervalMs')
    await fc.assert(
      fc.asyncProperty(junk, fc.dictionary(keys, junk), async (raw, dict) => {
        const errors: unknown[] = []
        const plain = createMetrics(raw as MetricsOptions)
        const hooked = createMetrics({ ...dict, env: {}, handleProcessEvents: false, spool: false, onError: (e) => errors.push(e) } as MetricsOptions)
        for (const m of [plain, hooked]) {
          m.counter('c').inc()
          await m.shutdown()
        }
        expect(errors.every((e) => e instanceof MetricsError && CODES.includes(e.code))).toBe(true)
      }),
      { numRuns: 200 },
    )
  })
})
