// One series = one metric name + one tag set, accumulating a delta over the current flush window. The objects
// here are also the handles authors hold (`metrics.counter(...)`), so the hot path is a field update with no
// allocation. The first update in a window goes through `activate`, which registers the series for the flush
// and may redirect the update (series limit reached → the overflow series).
//
// Every record site checks its value before touching the window: a number (`typeof`, so a string or a BigInt
// never reaches the arithmetic), finite and within the protocol's range (MAX_ABS_VALUE; counters and timers
// ≥ 0). Anything else is dropped and handed to the owner, which counts and reports it. A window whose sum
// passes that range is the aggregator's to send when the window ends (Aggregator.collect).
//
// The range is the protocol's MAX_ABS_VALUE written as the literal 1e15: a module binding (imported, or the
// `var` a bundle makes of a const) is loaded on every update, a measurable share of a held counter's 2 ns;
// a literal costs nothing. series.test.ts holds each record site to the protocol's bound.
import { type MetricPointInput, type MetricType, Sketch, type Tags } from './protocol/index'

/** A counter handle: counts how often something happened. */
export interface Counter {
  /**
   * Adds `n` (default 1): a finite number from 0 to 1e15. Anything else is dropped, counted in
   * `mcpdir.sdk.invalid_values` and reported once per name through `onError`; it never throws.
   */
  inc(n?: number): void
}

/** A gauge handle: a level at a moment. */
export interface Gauge {
  /** Records the current value: a finite number within ±1e15; anything else is dropped and counted. Never throws. */
  set(value: number): void
}

/** A timer handle: durations in milliseconds. */
export interface Timer {
  /** Records one duration in milliseconds: a finite number from 0 to 1e15; anything else is dropped and counted. */
  record(ms: number): void
  /**
   * Runs `fn`, records its duration tagged `outcome: ok | error`, and returns its result or rethrows its
   * error unchanged. Given something other than a function, it records nothing and resolves to `undefined`.
   */
  time<T>(fn: () => T | Promise<T>): Promise<T>
}

/** What a series needs from the aggregator that owns it. */
export interface SeriesOwner {
  activate<S extends Series>(series: S): S
  /** An update was refused: `value` is what was passed, `expected` what a valid one would have been. */
  invalid(series: Series, value: unknown, expected?: string): void
  lookupTimer(name: string, tags: Tags): TimerSeries
  /** Monotonic milliseconds, for durations. */
  monotonicNow(): number
}

export abstract class Series {
  /** Set while the series has data in the current window. */
  active = false
  /** Set when the aggregator forgot this series; a held handle then re-registers on its next update. */
  retired = false
  /** The window this series last had data in. */
  seen = 0
  count = 0
  sum = 0

  constructor(
    readonly owner: SeriesOwner,
    readonly type: MetricType,
    readonly name: string,
    readonly tags: Tags,
    readonly key: string,
  ) {}

  /** The window's point in its wire form. */
  abstract toPoint(timestamp: number): MetricPointInput

  protected base(timestamp: number) {
    const point: { name: string; type: MetricType; timestamp: number; tags?: Tags } = {
      name: this.name,
      type: this.type,
      timestamp,
    }
    if (this.key !== this.name) point.tags = this.tags
    return point
  }

  /** Clears the window's data. */
  reset(): void {
    this.active = false
    this.count = 0
    this.sum = 0
  }
}

export class CounterSeries extends Series implements Counter {
  inc(n = 1): void {
    if (typeof n !== 'number' || !(n >= 0 && n <= 1e15)) return this.owner.invalid(this, n)
    const s = this.active ? this : this.owner.activate(this)
    s.count++
    s.sum += n
  }

  toPoint(timestamp: number): MetricPointInput {
    return { ...this.base(timestamp), count: this.count, sum: this.sum }
  }
}

export class GaugeSeries extends Series implements Gauge {
  min = 0
  max = 0
  last = 0

  set(value: number): void {
    if (typeof value !== 'number' || !(value >= -1e15 && value <= 1e15)) return this.owner.invalid(this, value)
    const s = this.active ? this : this.owner.activate(this)
    if (s.count === 0 || value < s.min) s.min = value
    if (s.count === 0 || value > s.max) s.max = value
    s.count++
    s.sum += value
    s.last = value
  }

  toPoint(timestamp: number): MetricPointInput {
    const { count, sum, min, max, last } = this
    return { ...this.base(timestamp), count, sum, min, max, last }
  }
}

export class TimerSeries extends Series implements Timer {
  min = 0
  max = 0
  readonly sketch = new Sketch()
  private outcomes: { ok?: TimerSeries; error?: TimerSeries } = {}

  record(ms: number): void {
    if (typeof ms !== 'number' || !(ms >= 0 && ms <= 1e15)) return this.owner.invalid(this, ms)
    const s = this.active ? this : this.owner.activate(this)
    if (s.count === 0 || ms < s.min) s.min = ms
    if (s.count === 0 || ms > s.max) s.max = ms
    s.count++
    s.sum += ms
    s.sketch.add(ms)
  }

  async time<T>(fn: () => T | Promise<T>): Promise<T> {
    if (typeof fn !== 'function') {
      this.owner.invalid(this, fn, 'time() takes a function')
      return undefined as T
    }
    const start = this.owner.monotonicNow()
    try {
      const result = await fn()
      this.outcome('ok').record(this.owner.monotonicNow() - start)
      return result
    } catch (error) {
      this.outcome('error').record(this.owner.monotonicNow() - start)
      throw error
    }
  }

  private outcome(outcome: 'ok' | 'error'): TimerSeries {
    let series = this.outcomes[outcome]
    if (!series || series.retired) {
      series = this.owner.lookupTimer(this.name, { ...this.tags, outcome })
      this.outcomes[outcome] = series
    }
    return series
  }

  toPoint(timestamp: number): MetricPointInput {
    const { count, sum, min, max } = this
    return { ...this.base(timestamp), count, sum, min, max, sketch: this.sketch.toJSON() }
  }

  override reset(): void {
    super.reset()
    this.sketch.reset()
  }
}

export const SERIES_CLASSES = { counter: CounterSeries, gauge: GaugeSeries, timer: TimerSeries } as const
