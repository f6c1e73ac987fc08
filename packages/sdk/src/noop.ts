import type { Metrics } from './create-metrics'
import type { Counter, Gauge, Timer } from './series'

/** Handles that record nothing: the no-op SDK's, and what a refused name or unreadable tags get. */
const noopCounter: Counter = { inc() {} }
const noopGauge: Gauge = { set() {} }
const noopTimer: Timer = {
  record() {},
  async time<T>(fn: () => T | Promise<T>): Promise<T> {
    return typeof fn === 'function' ? fn() : (undefined as T)
  },
}

/** What `createMetrics` returns when it is not configured: the same API, doing nothing. */
export const noopMetrics: Metrics = {
  enabled: false,
  counter: () => noopCounter,
  gauge: () => noopGauge,
  timer: () => noopTimer,
  event() {},
  async flush() {},
  async shutdown() {},
}
