import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { type Collector, startCollector, total } from '../test/collector'
import { createMetrics, type Metrics } from './create-metrics'
import { generateSigningSecret } from './protocol/index'
import { SDK_VERSION } from './version'

const secret = generateSigningSecret()
let collector: Collector | undefined
let metrics: Metrics | undefined
const dirs: string[] = []
afterEach(async () => {
  await metrics?.shutdown()
  await collector?.close()
  metrics = collector = undefined
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), 'mcpdir-sdk-'))
  dirs.push(dir)
  return dir
}

function connect(url: string, extra: Parameters<typeof createMetrics>[0] = {}) {
  return createMetrics({
    serverId: 'srv-1',
    apiKey: 'mcpm_key',
    signingSecret: secret,
    endpoint: url,
    flushIntervalMs: 60_000,
    handleProcessEvents: false,
    spool: { dir: tempDir() },
    env: {},
    retry: { initialDelayMs: 20, maxDelayMs: 50 },
    ...extra,
  })
}

describe('createMetrics', () => {
  it('is a working no-op without endpoint, key or server id', async () => {
    const onError = vi.fn()
    const m = createMetrics({ env: {}, onError })
    expect(m.enabled).toBe(false)
    m.counter('a', { b: 'c' }).inc()
    m.gauge('g').set(1)
    m.timer('t').record(1)
    expect(await m.timer('t').time(() => 7)).toBe(7)
    m.event('deployment')
    await m.flush()
    await m.shutdown()
    expect(onError).not.toHaveBeenCalled()
    expect(createMetrics({ env: { MCPDIR_SERVER_ID: 's', MCPDIR_API_KEY: 'k' } }).enabled).toBe(false)
    expect(createMetrics({ serverId: 's', apiKey: 'k', endpoint: 'ftp://x', env: {} }).enabled).toBe(false)
  })

  it('reads its connection from the environment', async () => {
    collector = await startCollector({ secret })
    metrics = createMetrics({
      env: { MCPDIR_SERVER_ID: 'env-srv', MCPDIR_API_KEY: 'mcpm_env', MCPDIR_SIGNING_SECRET: secret, MCPDIR_METRICS_ENDPOINT: collector.url },
      handleProcessEvents: false,
      spool: false,
    })
    metrics.counter('x').inc()
    await metrics.flush()
    expect(collector.received[0]?.headers['x-api-key']).toBe('mcpm_env')
    expect(collector.received[0]?.signatureOk).toBe(true)
    expect(collector.received[0]?.batch?.serverId).toBe('env-srv')
  })

  it('sends what was recorded, pre-aggregated, with a restart event and a heartbeat', async () => {
    collector = await startCollector({ secret })
    metrics = connect(collector.url, { serverVersion: '1.2.3' })
    for (let i = 0; i < 1_000; i++) metrics.counter('api_requests', { endpoint: i % 2 ? 'query' : 'write' }).inc()
    metrics.gauge('memory_usage').set(256.75)
    metrics.gauge('memory_usage').set(300)
    for (const ms of [100, 120.5, 140]) metrics.timer('response_time', { endpoint: 'query' }).record(ms)
    await metrics.timer('response_time').time(async () => 'done')
    metrics.event('deployment', { version: '1.4.0' })
    await metrics.flush()

    const points = collector.points()
    expect(total(points, 'api_requests', { endpoint: 'query' })).toBe(500)
    expect(points.filter((p) => p.name === 'api_requests')).toHaveLength(2)
    expect(points.find((p) => p.name === 'memory_usage')).toMatchObject({ type: 'gauge', count: 2, min: 256.75, max: 300, last: 300 })
    const timer = points.find((p) => p.name === 'response_time' && p.tags.endpoint === 'query')
    expect(timer).toMatchObject({ type: 'timer', count: 3, sum: 360.5, min: 100, max: 140 })
    expect(timer?.sketch?.counts.reduce((a, b) => a + b, 0)).toBe(3)
    expect(points.find((p) => p.name === 'response_time' && p.tags.outcome === 'ok')?.count).toBe(1)
    const events = collector.events()
    expect(events.find((e) => e.type === 'restart')?.details).toEqual({ sdk_version: SDK_VERSION, server_version: '1.2.3' })
    expect(events.find((e) => e.type === 'deployment')?.details).toEqual({ version: '1.4.0' })
    expect(events.some((e) => e.type === 'heartbeat')).toBe(true)
    expect(collector.received.every((r) => r.signatureOk)).toBe(true)
  })

  it('refuses unknown event types through onError, never throwing', async () => {
    const onError = vi.fn(() => {
      throw new Error('a hook that throws')
    })
    collector = await startCollector({ secret })
    metrics = connect(collector.url, { onError })
    expect(() => metrics!.event('party' as 'deployment')).not.toThrow()
    expect(() => metrics!.counter('bad name!').inc()).not.toThrow()
    expect(onError).toHaveBeenCalledTimes(2)
    expect(onError.mock.calls[0]).toMatchObject([{ code: 'invalid_event' }])
  })

  it('reports what it dropped during an outage in the first batch after it', async () => {
    collector = await startCollector({ secret })
    const { port } = collector
    await collector.close()
    metrics = connect(`http://127.0.0.1:${port}`, { maxQueuedBatches: 3, flushTimeoutMs: 100 })
    for (let window = 0; window < 5; window++) {
      metrics.counter('work').inc(10)
      await metrics.flush()
    }
    const restarted = await startCollector({ secret, port })
    collector = restarted
    const sender = metrics
    // each flush waits at most flushTimeoutMs for the queue to drain: on a busy machine the queued batches can
    // take several, so flush until everything is accounted for (a lost, unreported point never gets there)
    const accounted = () => total(restarted.points(), 'work') + 10 * total(restarted.points(), 'mcpdir.sdk.dropped_batches')
    await expect
      .poll(
        async () => {
          await sender.flush()
          return accounted()
        },
        { timeout: 15_000, interval: 50 },
      )
      .toBe(50)
    const points = collector.points()
    // 5 windows of 10 during the outage; the queue keeps 3 batches, so at least 2 were dropped (3 when the
    // recovery window was queued before the retries got through). Whatever was lost is reported, exactly.
    const dropped = total(points, 'mcpdir.sdk.dropped_batches')
    expect(dropped).toBeGreaterThanOrEqual(2)
    expect(total(points, 'work') + 10 * dropped).toBe(50)
    expect(total(points, 'mcpdir.sdk.dropped_points')).toBe(dropped)
  })

  it('stays within its queue bounds through a long outage, whatever is recorded', async () => {
    collector = await startCollector({ secret })
    const { port } = collector
    await collector.close()
    metrics = connect(`http://127.0.0.1:${port}`, { maxQueuedBatches: 5, maxQueueBytes: 64 * 1024, maxBatchBytes: 16 * 1024, flushTimeoutMs: 5 })
    const pending = () => (metrics as unknown as { delivery: { pending: { bytes: number }[] } }).delivery.pending
    for (let window = 0; window < 40; window++) {
      for (let i = 0; i < 500; i++) metrics.timer('op.ms', { op: `op-${i}` }).record(i)
      await metrics.flush()
      expect(pending().length).toBeLessThanOrEqual(5)
      expect(pending().reduce((n, b) => n + b.bytes, 0)).toBeLessThanOrEqual(64 * 1024 + 16 * 1024)
    }
  })

  it('shuts down within its budget while the service hangs, spooling what is unsent', async () => {
    collector = await startCollector({ secret, respond: () => 'hang' })
    const dir = tempDir()
    metrics = connect(collector.url, { shutdownTimeoutMs: 200, spool: { dir } })
    metrics.counter('c').inc()
    await metrics.shutdown()
    expect(readdirSync(dir)).toEqual(['srv-1.spool.json'])
    metrics.counter('c').inc()
    await metrics.flush()
  })
})

describe('createMetrics hardening (issue 17)', () => {
  it('answers createMetrics(null) and other non-objects with a no-op, never throwing', async () => {
    for (const options of [null, 5, 'x', 1n, Symbol('o'), [], () => {}]) {
      let m: Metrics | undefined
      expect(() => {
        m = createMetrics(options as never)
      }).not.toThrow()
      expect(m?.enabled).toBe(false)
      await m?.shutdown()
    }
    const trap = () => {
      throw new Error('trap')
    }
    const hostile = new Proxy({}, { get: trap, has: trap, ownKeys: trap, getOwnPropertyDescriptor: trap })
    expect(() => createMetrics(hostile)).not.toThrow()
    expect(createMetrics(hostile).enabled).toBe(false)
  })

  it('reports a malformed signing secret once, at creation (invalid_config), and runs as a no-op', async () => {
    collector = await startCollector({ secret })
    const onError = vi.fn()
    metrics = connect(collector.url, { signingSecret: 'whsec_not base64!', onError })
    expect(onError).toHaveBeenCalledTimes(1)
    expect(onError.mock.calls[0]?.[0]).toMatchObject({ code: 'invalid_config', message: expect.stringContaining('signingSecret') })
    expect(metrics.enabled).toBe(false)
    metrics.counter('c').inc()
    await metrics.flush()
    expect(collector.received).toHaveLength(0)
    expect(onError).toHaveBeenCalledTimes(1)
  })

  it('reports connection options of the wrong type or shape (invalid_config) instead of retrying forever', () => {
    for (const bad of [{ serverId: 'bad id!' }, { endpoint: 'ftp://x' }, { apiKey: 5 }, { fetch: 'nope' }, { signingSecret: 42 }]) {
      const onError = vi.fn()
      const m = createMetrics({ serverId: 's', apiKey: 'k', endpoint: 'http://127.0.0.1:9', env: {}, handleProcessEvents: false, spool: false, onError, ...(bad as object) })
      expect(m.enabled).toBe(false)
      expect(onError.mock.calls.map(([e]) => e.code)).toEqual(['invalid_config'])
    }
  })

  it('keeps the good points of a window beside a gauge set to a string (the batch is no longer refused)', async () => {
    collector = await startCollector({ secret })
    const onError = vi.fn()
    metrics = connect(collector.url, { onError })
    for (let i = 0; i < 100; i++) metrics.counter('good').inc()
    metrics.gauge('g').set('7' as unknown as number)
    metrics.gauge('g2').set(7)
    await metrics.flush()
    expect(collector.received.every((r) => r.batch !== undefined)).toBe(true)
    const points = collector.points()
    expect(total(points, 'good')).toBe(100)
    expect(points.find((p) => p.name === 'g2')).toMatchObject({ count: 1, last: 7 })
    expect(points.find((p) => p.name === 'g')).toBeUndefined()
    expect(total(points, 'mcpdir.sdk.invalid_values')).toBe(1)
    expect(onError.mock.calls.map(([e]) => e.code)).toEqual(['invalid_metric'])
  })

  it('drops an event whose details change after validation, keeping the rest of the window', async () => {
    collector = await startCollector({ secret })
    metrics = connect(collector.url, { onError: () => {} })
    let reads = 0
    const details = Object.defineProperty({}, 'v', {
      enumerable: true,
      get() {
        if (++reads > 1) throw new Error('second read')
        return 'ok'
      },
    }) as Record<string, string>
    metrics.counter('kept').inc(3)
    metrics.event('deployment', details)
    await metrics.flush()
    expect(total(collector.points(), 'kept')).toBe(3)
  })
})
