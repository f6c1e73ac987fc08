// Availability's heartbeat counts, the way a report asks them (its period and the one before, both ending at the
// last minute that has ended), beside the count they replaced: every heartbeat minute of both windows
// (`server_heartbeats`, one row a minute). Same store, same windows, the two taking turns.
import { PERIOD_SPECS } from '@mcpdir/metrics/protocol'

const MINUTE = 60_000
const SAMPLES = 40
const COUNT_MINUTES = 'SELECT count(*) AS n FROM server_heartbeats WHERE server_id = ? AND minute >= ? AND minute < ?'
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const round = (x) => Math.round(x * 100) / 100

/** A way to run COUNT_MINUTES on each store: a prepared statement (SQLite) or a named one (PostgreSQL). */
function minuteCounter(store) {
  if (store.kind === 'sqlite') {
    const statement = store.db.prepare(COUNT_MINUTES).pluck()
    return async (...params) => Number(statement.get(...params))
  }
  let n = 0
  const text = COUNT_MINUTES.replace(/\?/g, () => `$${++n}`)
  return async (...params) => Number((await store.pool.query({ name: 'bench_count_minutes', text, values: params })).rows[0].n)
}

/** For the periods given: median ms of both windows' counts by hours (the store) and by minutes (the baseline). */
export async function measureAvailability(store, servers, now, periods = ['7d', '30d', '90d']) {
  const byMinutes = minuteCounter(store)
  const end = Math.floor(now / MINUTE) * MINUTE
  const results = {}
  for (const period of periods) {
    const duration = PERIOD_SPECS[period].durationMs
    const windows = [[end - duration, end], [end - 2 * duration, end - duration]]
    const hours = []
    const minutes = []
    for (let r = 0; r < SAMPLES; r++) {
      const server = `q-${r % servers}`
      let t = performance.now()
      const a = await Promise.all(windows.map(([from, to]) => store.heartbeatMinutes(server, from, to)))
      hours.push(performance.now() - t)
      t = performance.now()
      const b = await Promise.all(windows.map(([from, to]) => byMinutes(server, from, to)))
      minutes.push(performance.now() - t)
      if (a.some((n, i) => n !== b[i])) throw new Error(`availability ${period} ${server}: ${a} by hours, ${b} by minutes`)
    }
    results[period] = { byHoursP50Ms: round(median(hours)), byMinutesP50Ms: round(median(minutes)), speedup: round(median(minutes) / median(hours)) }
    process.stderr.write(`availability ${store.kind} ${period}: ${JSON.stringify(results[period])}\n`)
  }
  return results
}
