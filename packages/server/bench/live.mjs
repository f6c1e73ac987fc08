// Live: from an SDK flush to the point arriving on a metrics-stream (SSE) reader, through the real service.
import { spawnSync } from 'node:child_process'
import { createMetrics } from '@mcpdir/metrics'
import { ROUTES } from '@mcpdir/metrics/protocol'
import { CLI, startService } from '../dist/testing.js'

const ROUNDS = 40

export async function benchLive() {
  const service = await startService()
  try {
    const creds = JSON.parse(spawnSync(process.execPath, [CLI, 'servers', 'add', 'live', '--json', '--db', service.dbPath], { encoding: 'utf8' }).stdout)
    const metrics = createMetrics({ serverId: 'live', apiKey: creds.api_key, signingSecret: creds.signing_secret, endpoint: service.url, flushIntervalMs: 3_600_000, handleProcessEvents: false, spool: false, env: {} })
    const response = await fetch(`${service.url}${ROUTES.metricsStream}?server_id=live`)
    const reader = response.body.getReader()
    const decoder = new TextDecoder()
    let buffer = ''
    const waiting = new Map()
    void (async () => {
      for (;;) {
        const { value, done } = await reader.read()
        if (done) return
        buffer += decoder.decode(value, { stream: true })
        let end = buffer.indexOf('\n\n')
        while (end !== -1) {
          const block = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          const data = /^data: (.*)$/m.exec(block)?.[1]
          if (/^event: metrics$/m.test(block) && data) {
            for (const point of JSON.parse(data).points) {
              const resolve = waiting.get(point.tags?.round)
              if (resolve) resolve(performance.now())
            }
          }
          end = buffer.indexOf('\n\n')
        }
      }
    })()
    const latencies = []
    for (let round = 0; round < ROUNDS; round++) {
      const arrived = new Promise((resolve) => waiting.set(String(round), resolve))
      metrics.counter('live.ping', { round: String(round) }).inc()
      const start = performance.now()
      await metrics.flush()
      latencies.push((await arrived) - start)
    }
    await reader.cancel()
    await metrics.shutdown()
    latencies.sort((a, b) => a - b)
    const at = (p) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] * 100) / 100
    return { rounds: ROUNDS, p50Ms: at(0.5), p95Ms: at(0.95), maxMs: at(1) }
  } finally {
    await service.stop()
  }
}
