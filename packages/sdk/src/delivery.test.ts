import { afterEach, describe, expect, it, vi } from 'vitest'
import { type Collector, startCollector } from '../test/collector'
import { buildBatches } from './batch'
import { backoffDelay, DEFAULT_RETRY, Delivery, type DeliveryOptions } from './delivery'
import { createReporter } from './errors'
import { generateSigningSecret, ROUTES } from './protocol/index'
import { SelfMetrics } from './self-metrics'
import { defaultTransport } from './transport'

let collector: Collector | undefined
afterEach(async () => {
  await collector?.close()
  collector = undefined
})

const secret = generateSigningSecret()
const point = (i: number) => ({ name: 'calls', type: 'counter' as const, count: 1, sum: i, timestamp: Date.now() })

function delivery(url: string, extra: Partial<DeliveryOptions> = {}) {
  const sleeps: number[] = []
  const self = new SelfMetrics()
  const onError = vi.fn()
  const d = new Delivery({
    url: `${url}${ROUTES.metricsCollect}`,
    meta: { serverId: 'srv', sdk: { name: '@mcpdir/metrics', version: 'test' } },
    apiKey: 'mcpm_test',
    signingSecret: secret,
    transport: () => defaultTransport(5_000),
    maxQueuedBatches: 100,
    maxQueueBytes: 1e7,
    retry: DEFAULT_RETRY,
    reporter: createReporter(onError, false),
    self,
    userAgent: 'test',
    sleep: async (ms) => {
      sleeps.push(ms)
    },
    random: () => 0.5,
    ...extra,
  })
  return { d, sleeps, self, onError }
}

describe('backoffDelay', () => {
  it('doubles from the initial delay up to the cap, with ±jitter', () => {
    const policy = { initialDelayMs: 1_000, maxDelayMs: 5_000, multiplier: 2, jitter: 0.2 }
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(policy, n, () => 0.5))).toEqual([1_000, 2_000, 4_000, 5_000, 5_000])
    expect(backoffDelay(policy, 1, () => 0)).toBe(800)
    expect(backoffDelay(policy, 1, () => 1)).toBe(1_200)
  })
})

describe('Delivery', () => {
  it('signs each send and keeps the batch id on every retry (network error, 408, 429, 5xx)', async () => {
    const statuses = [503, 408, 500]
    collector = await startCollector({ secret, respond: (_r, i) => (i < statuses.length ? { status: statuses[i] as number } : undefined) })
    const { d, sleeps } = delivery(collector.url)
    d.enqueue(buildBatches([point(1)], [], { maxBytes: 1e5 }))
    await d.drain(Date.now() + 5_000)
    expect(collector.received).toHaveLength(4)
    expect(new Set(collector.received.map((r) => r.batchId)).size).toBe(1)
    expect(collector.received.every((r) => r.signatureOk)).toBe(true)
    expect(new Set(collector.received.map((r) => r.headers['webhook-timestamp'])).size).toBeGreaterThanOrEqual(1)
    expect(sleeps).toEqual([1_000, 2_000, 4_000])
    expect(d.pending).toHaveLength(0)
  })

  it('honours Retry-After on 429', async () => {
    collector = await startCollector({ secret, respond: (_r, i) => (i === 0 ? { status: 429, headers: { 'retry-after': '7' } } : undefined) })
    const { d, sleeps } = delivery(collector.url)
    d.enqueue(buildBatches([point(1)], [], { maxBytes: 1e5 }))
    await d.drain(Date.now() + 60_000)
    expect(sleeps).toEqual([7_000])
    expect(collector.accepted.size).toBe(1)
  })

  it('retries network errors until the service is back', async () => {
    collector = await startCollector({ secret })
    const { port } = collector
    await collector.close()
    let revived = false
    const { d, sleeps } = delivery(`http://127.0.0.1:${port}`, {
      sleep: async (ms) => {
        sleeps.push(ms)
        if (sleeps.length === 3 && !revived) {
          revived = true
          collector = await startCollector({ secret, port })
        }
      },
    })
    d.enqueue(buildBatches([point(1)], [], { maxBytes: 1e5 }))
    await d.drain(Date.now() + 10_000)
    expect(sleeps).toHaveLength(3)
    expect(collector!.accepted.size).toBe(1)
  })

  it('splits a batch the service answers 413 until it fits', async () => {
    collector = await startCollector({ secret, respond: (r) => ((r.batch?.points.length ?? 0) > 2 ? { status: 413 } : undefined) })
    const { d } = delivery(collector.url)
    d.enqueue(buildBatches(Array.from({ length: 9 }, (_, i) => point(i)), [], { maxBytes: 1e5 }))
    await d.drain(Date.now() + 5_000)
    expect(collector.points().map((p) => p.sum).sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8])
    expect(d.pending).toHaveLength(0)
  })

  it('drops a batch refused with another 4xx, reports it once, and goes on with the next', async () => {
    collector = await startCollector({ secret, respond: (_r, i) => (i === 0 ? { status: 400 } : undefined) })
    const { d, onError, self } = delivery(collector.url)
    d.enqueue(buildBatches([point(1)], [], { maxBytes: 1e5 }))
    d.enqueue(buildBatches([point(2)], [], { maxBytes: 1e5 }))
    await d.drain(Date.now() + 5_000)
    expect(collector.received).toHaveLength(2)
    expect(collector.points().map((p) => p.sum)).toEqual([2])
    expect(onError).toHaveBeenCalledTimes(1)
    expect(onError.mock.calls[0]?.[0]).toMatchObject({ code: 'batch_rejected', message: expect.stringContaining('HTTP 400') })
    expect(self.rejectedBatches).toBe(1)
  })

  it('drops the oldest batches beyond its bound and counts them', async () => {
    collector = await startCollector({ secret })
    const { d, self } = delivery(collector.url, { maxQueuedBatches: 3 })
    for (let i = 0; i < 5; i++) d.enqueue(buildBatches([point(i), point(i)], [], { maxBytes: 1e5 }))
    expect(d.pending).toHaveLength(3)
    expect(self.droppedBatches).toBe(2)
    expect(self.droppedPoints).toBe(4)
    await d.drain(Date.now() + 5_000)
    expect(collector.points().map((p) => p.sum)).toEqual([2, 2, 3, 3, 4, 4])
  })

  it('never drops the batch whose request is under way (it could be delivered and counted lost)', async () => {
    collector = await startCollector({ secret, respond: (_r, i) => (i === 0 ? 'hang' : undefined) })
    const { d, self } = delivery(collector.url, { maxQueuedBatches: 1, transport: () => defaultTransport(300) })
    const [first] = buildBatches([point(1)], [], { maxBytes: 1e5 })
    d.enqueue([first!])
    d.kick()
    await collector.waitFor(() => collector!.received.length === 1)
    d.enqueue(buildBatches([point(2)], [], { maxBytes: 1e5 }))
    expect(self.droppedBatches).toBe(1)
    await d.drain(Date.now() + 5_000)
    expect([...collector.accepted.keys()]).toEqual([first!.id])
    expect(collector.points().map((p) => p.sum)).toEqual([1])
  })

  it('gives up waiting at the deadline while the service hangs, keeping the batch', async () => {
    collector = await startCollector({ secret, respond: () => 'hang' })
    const { d } = delivery(collector.url)
    d.enqueue(buildBatches([point(1)], [], { maxBytes: 1e5 }))
    const started = Date.now()
    await d.drain(started + 300)
    expect(Date.now() - started).toBeLessThan(5_000)
    expect(d.pending).toHaveLength(1)
  })
})
