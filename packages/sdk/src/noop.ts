import type { Metrics } from './create-metrics'
import type { Counter, Gauge, Timer } from './series'

const counter: Counter = { inc() {} }
const gauge: Gauge = { set() {} }
const timer: Timer = {
  record() {},
  async time(fn) {
    return fn()
  },
}

/** What `createMetrics` returns when it is not configured: the same API, doing nothing. */
export const noopMetrics: Metrics = {
  enabled: false,
  counter: () => counter,
  gauge: () => gauge,
  timer: () => timer,
  event() {},
  async flush() {},
  async shutdown() {},
}
