// What an OTLP request needs from the state the store keeps between a server's ingests: each cumulative point
// turned into its delta against its series' previous point, and each service's version compared with the last
// one seen (a change is a `version_change` event). Run by the store inside the ingest transaction.
import type { MetricPoint, ServerEvent } from '@mcpdir/metrics/protocol'
import type { StatefulIngest } from '../store/store'
import type { CumulativeSource, ServiceVersion } from './map-metrics'
import { pointsOf } from './map-points'
import { CUMULATIVE_STATE_TTL_MS, type CumulativeState, cumulativeDelta } from './temporality'

/** Version keys are remembered beside series keys; this prefix keeps them apart (series keys are base64url). */
const VERSION_PREFIX = 'service.version:'

/**
 * The state work of one request: deltas of `cumulative` (in request order, so two points of one series in a
 * request follow each other) and `version_change` events (details `service`, `from`, `to`) at `nowMs` for
 * versions that differ from the stored ones. A service first seen records its version without an event.
 */
export function statefulIngest(cumulative: readonly CumulativeSource[], versions: readonly ServiceVersion[], nowMs: number): StatefulIngest {
  const versionKey = (v: ServiceVersion) => `${VERSION_PREFIX}${v.service}`
  return {
    keys: [...new Set([...cumulative.map((c) => c.key), ...versions.map(versionKey)])],
    forgetBefore: nowMs - CUMULATIVE_STATE_TTL_MS,
    derive(stored) {
      const states = new Map<string, string>()
      const current = (key: string) => states.get(key) ?? stored.get(key)
      const points: MetricPoint[] = []
      for (const source of cumulative) {
        const text = current(source.key)
        const previous = text === undefined ? undefined : (JSON.parse(text) as CumulativeState)
        const result = cumulativeDelta(previous, source.state, source.countsWhole)
        if (result.delta) points.push(...pointsOf(source.target, result.delta))
        states.set(source.key, JSON.stringify(result.state))
      }
      const events: ServerEvent[] = []
      for (const v of versions) {
        const key = versionKey(v)
        const previous = current(key)
        if (previous !== undefined && previous !== v.version) {
          events.push({ type: 'version_change', timestamp: nowMs, details: { service: v.service, from: previous, to: v.version } })
        }
        states.set(key, v.version)
      }
      return { points, events, states: [...states].map(([key, value]) => ({ key, value })) }
    },
  }
}
