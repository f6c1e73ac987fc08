// Soak: sustained mixed traffic against the real service (SDK batches, usage, reads, a live stream) while
// sampling the service's resident memory and WAL size. Passes when neither trends upward in the second half.
// `npm run soak` runs 5 minutes (SOAK_SECONDS); the test suite runs a short profile.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs'
import { createMetrics } from '@mcpdir/metrics'
import { ROUTES } from '@mcpdir/metrics/protocol'
import { CLI, startService } from '../dist/testing.js'

const rssMB = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024
const walMB = (db) => (existsSync(`${db}-wal`) ? statSync(`${db}-wal`).size / 1_048_576 : 0)

/** Least-squares slope of y over x. */
function slope(points) {
  const n = points.length
  const mx = points.reduce((a, p) => a + p[0], 0) / n
  const my = points.reduce((a, p) => a + p[1], 0) / n
  const num = points.reduce((a, p) => a + (p[0] - mx) * (p[1] - my), 0)
  const den = points.reduce((a, p) => a + (p[0] - mx) ** 2, 0)
  return den === 0 ? 0 : num / den
}

export async function soak({ seconds = Number(process.env.SOAK_SECONDS ?? 300), sampleMs = 2_000 } = {}) {
  const service = await startService({ args: ['--ingest-rate', '100000'] })
  const clients = []
  try {
    const servers = Array.from({ length: 4 }, (_, i) => {
      const id = `soak-${i}`
      return { id, creds: JSON.parse(spawnSync(process.execPath, [CLI, 'servers', 'add', id, '--json', '--db', service.dbPath], { encoding: 'utf8' }).stdout) }
    })
    for (const { id, creds } of servers) {
      clients.push(createMetrics({ serverId: id, apiKey: creds.api_key, signingSecret: creds.signing_secret, endpoint: service.url, flushIntervalMs: 250, handleProcessEvents: false, spool: false, env: {} }))
    }
    const stream = await fetch(`${service.url}${ROUTES.metricsStream}?server_id=soak-0`)
    const reader = stream.body.getReader()
    void (async () => {
      for (;;) if ((await reader.read()).done) return
    })().catch(() => {})
    const started = Date.now()
    const samples = []
    let requests = 0
    let nextSample = started
    while (Date.now() - started < seconds * 1000) {
      clients.forEach((m, c) => {
        for (let i = 0; i < 200; i++) {
          m.counter('soak.requests', { route: `r${i % 40}`, client: `c${c}` }).inc()
          m.timer('soak.latency', { route: `r${i % 40}` }).record((i * 7) % 300)
        }
        m.gauge('soak.queue').set(requests % 100)
      })
      await fetch(`${service.url}${ROUTES.usageTrack}`, {
        method: 'POST',
        body: JSON.stringify({ serverId: `soak-${requests % 4}`, action: requests % 5 ? 'view' : 'install' }),
        headers: { 'user-agent': `Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.${requests % 50}` },
      })
      const period = ['1h', '1d', '7d'][requests % 3]
      await (await fetch(`${service.url}${ROUTES.metricsFetch}?server_id=soak-${requests % 4}&period=${period}`)).arrayBuffer()
      requests += 2
      if (Date.now() >= nextSample) {
        samples.push({ t: (Date.now() - started) / 1000, rssMB: rssMB(service.child.pid), walMB: walMB(service.dbPath) })
        nextSample += sampleMs
      }
      await new Promise((r) => setTimeout(r, 20))
    }
    await reader.cancel()
    await Promise.all(clients.map((m) => m.shutdown()))
    const half = samples.slice(Math.floor(samples.length / 2))
    const result = {
      seconds,
      requests,
      samples: samples.length,
      rssStartMB: Math.round(samples[0].rssMB),
      rssEndMB: Math.round(samples.at(-1).rssMB),
      rssSecondHalfSlopeMBPerMin: Math.round(slope(half.map((s) => [s.t, s.rssMB])) * 60 * 100) / 100,
      walMaxMB: Math.round(Math.max(...samples.map((s) => s.walMB)) * 10) / 10,
      walSecondHalfSlopeMBPerMin: Math.round(slope(half.map((s) => [s.t, s.walMB])) * 60 * 100) / 100,
      points: Number(/mcpdir_points_ingested_total (\d+)/.exec(await (await fetch(`${service.url}/metrics`)).text())?.[1] ?? 0),
    }
    return result
  } finally {
    await service.stop()
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await soak()
  process.stderr.write(`${JSON.stringify(result, null, 2)}\n`)
  mkdirSync(new URL('../bench-results/', import.meta.url), { recursive: true })
  writeFileSync(new URL('../bench-results/soak.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`)
}
