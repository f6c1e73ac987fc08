// A metrics client recording into a real collector, for the MCP instrumentation tests.
import { expect, onTestFinished } from 'vitest'
import { createMetrics, type Metrics } from '../../src/create-metrics'
import { type Collector, startCollector, total } from '../collector'

export interface Recording {
  collector: Collector
  metrics: Metrics
  /** Flushes until `mcp.requests` adds up to `requests` (answers and cancellations land asynchronously). */
  settle(requests: number): Promise<Collector['points'] extends () => infer P ? P : never>
  close(): Promise<void>
}

export async function startRecording(serverId = 'mcp-srv'): Promise<Recording> {
  const collector = await startCollector()
  const metrics = createMetrics({
    serverId,
    apiKey: 'k',
    endpoint: collector.url,
    handleProcessEvents: false,
    spool: false,
    flushIntervalMs: 60_000,
    env: {},
  })
  return {
    collector,
    metrics,
    async settle(requests) {
      await expect
        .poll(async () => {
          await metrics.flush()
          return total(collector.points(), 'mcp.requests')
        }, { timeout: 10_000, interval: 20 })
        .toBe(requests)
      return collector.points()
    },
    async close() {
      await metrics.shutdown()
      await collector.close()
    },
  }
}

/**
 * {@link startRecording}, closed when the test that calls this finishes. Servers a test starts after it register
 * their own stop with `onTestFinished`: those run last registered first, so they stop before the recording closes.
 */
export async function recordThisTest(serverId?: string): Promise<Recording> {
  const recording = await startRecording(serverId)
  onTestFinished(() => recording.close())
  return recording
}

/** How many requests `expectedCounts` adds up to. */
export const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0)
