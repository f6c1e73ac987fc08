// Owns every series and the current flush window.
//
// Lookups (`counter(name, tags)`) walk a trie keyed by name, then alternately tag key and tag value in the
// order the caller wrote them, so a lookup with an inline tags object costs a few Map reads and allocates
// nothing. A miss validates the name and tags, builds the canonical key (tags sorted) and finds or creates the
// series. Memory is bounded three ways: series with data in one window (`maxSeries`; beyond it updates fold
// into the name's `overflow` series), series remembered between windows (twice that; idle ones are forgotten
// at a flush), and trie nodes (the trie is dropped and rebuilt when it grows past its bound).
//
// Nothing here throws into the host: a name or tags that cannot be read (a proxy, a throwing getter) give a
// handle that records nothing, and a refused value is counted in `mcpdir.sdk.invalid_values` and reported
// once per metric name.
import { canonicalTags } from './canonical-tags'
import { describeError, describeValue, type Reporter } from './errors'
import { MAX_ABS_VALUE, type MetricPointInput, type MetricType, type Tags, type TagsInput } from './protocol/index'
import { CounterSeries, GaugeSeries, SERIES_CLASSES, type Series, type SeriesOwner, TimerSeries } from './series'
import { SelfMetrics } from './self-metrics'

export interface AggregatorLimits {
  /** Series with data in one flush window. */
  maxSeries: number
  /** When the window holds this many series, `onWindowFull` asks for an early flush. */
  flushAt?: number
  onWindowFull?: () => void
}

interface TrieNode {
  series?: Series
  next?: Map<unknown, TrieNode>
}

const OVERFLOW_TAGS: Tags = { overflow: 'true' }
/** Distinct metric names an aggregator accepts, so the overflow series themselves stay bounded. */
const MAX_NAMES = 1_000

export class Aggregator implements SeriesOwner {
  readonly self = new SelfMetrics()
  private roots: Record<MetricType, Map<string, TrieNode>> = { counter: new Map(), gauge: new Map(), timer: new Map() }
  private trieNodes = 0
  private readonly known = new Map<string, Series>()
  private readonly overflow = new Map<string, Series>()
  private readonly names = new Set<string>()
  private readonly noops = new Map<string, Series>()
  private window: Series[] = []
  /** Counts windows, so a flush can tell series idle in the last one. */
  private windowSeq = 1

  constructor(
    private readonly limits: AggregatorLimits,
    private readonly reporter: Reporter,
    readonly monotonicNow: () => number,
  ) {}

  counter(name: string, tags?: TagsInput): CounterSeries {
    return this.lookup('counter', name, tags) as CounterSeries
  }

  gauge(name: string, tags?: TagsInput): GaugeSeries {
    return this.lookup('gauge', name, tags) as GaugeSeries
  }

  timer(name: string, tags?: TagsInput): TimerSeries {
    return this.lookup('timer', name, tags) as TimerSeries
  }

  lookupTimer(name: string, tags: Tags): TimerSeries {
    return this.timer(name, tags)
  }

  /** Series with data in the current window. */
  get windowSize(): number {
    return this.window.length
  }

  private lookup(type: MetricType, name: string, tags: TagsInput | undefined): Series {
    // untagged (the common `gauge('name')`): Map.get reads no property of its key, so nothing here can throw
    if (tags === undefined) return this.roots[type].get(name)?.series ?? this.guardedLookup(type, name, undefined)
    return this.guardedLookup(type, name, tags)
  }

  /** The lookup that reads the caller's tags (which may be proxies or have throwing getters), guarded. */
  private guardedLookup(type: MetricType, name: string, tags: TagsInput | undefined): Series {
    try {
      let node = this.roots[type].get(name)
      if (node !== undefined && tags != null) {
        if (typeof tags !== 'object') node = undefined
        else {
          for (const k in tags) {
            node = node.next?.get(k)
            if (node === undefined) break
            node = node.next?.get(tags[k])
            if (node === undefined) break
          }
        }
      }
      return node?.series ?? this.slowLookup(type, name, tags ?? undefined)
    } catch (error) {
      this.self.invalidValues++
      this.reportOnce(`unreadable:${typeof name === 'string' ? name.slice(0, 128) : ''}`, `metric ${describeValue(name)}: its name or tags could not be read (${describeError(error)}); it records nothing`)
      return this.noop(type)
    }
  }

  private slowLookup(type: MetricType, name: string, tags: TagsInput | undefined): Series {
    const checked = canonicalTags(name, tags)
    if (!('tags' in checked)) {
      this.self.invalidValues++
      this.reportOnce(checked.key, checked.message)
      return this.noop(type)
    }
    const canonical = checked.tags
    const key = seriesKey(name, canonical)
    let series = this.known.get(`${type}:${key}`)
    if (series === undefined) {
      if (!this.names.has(name)) {
        if (this.names.size >= MAX_NAMES) {
          this.self.droppedSeries++
          return this.noop(type)
        }
        this.names.add(name)
      }
      if (this.known.size >= this.limits.maxSeries * 2) {
        this.self.droppedSeries++
        return this.overflowSeries(type, name)
      }
      series = new SERIES_CLASSES[type](this, type, name, canonical, key)
      this.known.set(`${type}:${key}`, series)
    }
    this.remember(type, name, tags, series)
    return series
  }

  private remember(type: MetricType, name: string, tags: TagsInput | undefined, series: Series): void {
    if (this.trieNodes > this.limits.maxSeries * 8) this.dropTrie()
    const root = this.roots[type]
    let node = root.get(name)
    if (node === undefined) {
      node = {}
      root.set(name, node)
      this.trieNodes++
    }
    if (tags !== undefined) {
      for (const k in tags) node = this.child(this.child(node, k), tags[k])
    }
    node.series = series
  }

  private child(node: TrieNode, key: unknown): TrieNode {
    node.next ??= new Map()
    let next = node.next.get(key)
    if (next === undefined) {
      next = {}
      node.next.set(key, next)
      this.trieNodes++
    }
    return next
  }

  private dropTrie(): void {
    this.roots = { counter: new Map(), gauge: new Map(), timer: new Map() }
    this.trieNodes = 0
  }

  private readonly reported = new Set<string>()
  /** Reports a refusal through `onError` the first time its key is seen (at most 1 000 keys). */
  private reportOnce(key: string, message: string): void {
    if (this.reported.has(key) || this.reported.size >= 1_000) return
    this.reported.add(key)
    this.reporter.error('invalid_metric', message)
  }

  /** A handle that records nothing (invalid names or tags): the host's code keeps working. */
  private noop(type: MetricType): Series {
    let series = this.noops.get(type)
    if (!series) {
      series = new SERIES_CLASSES[type](NOOP_OWNER, type, '', {}, '')
      series.active = true
      this.noops.set(type, series)
    }
    return series
  }

  private overflowSeries(type: MetricType, name: string): Series {
    const key = `${type}:${seriesKey(name, OVERFLOW_TAGS)}`
    let series = this.overflow.get(key)
    if (!series) {
      series = new SERIES_CLASSES[type](this, type, name, OVERFLOW_TAGS, seriesKey(name, OVERFLOW_TAGS))
      this.overflow.set(key, series)
    }
    return series
  }

  /** First update of a series in a window: registers it, or redirects the update when the window is full. */
  activate<S extends Series>(series: S): S {
    if (series.owner !== this) return series
    if (series.retired) {
      const live = this.known.get(`${series.type}:${series.key}`)
      if (live && live !== series) return (live.active ? live : this.activate(live)) as S
      if (this.known.size < this.limits.maxSeries * 2) {
        series.retired = false
        this.known.set(`${series.type}:${series.key}`, series)
      } else {
        return this.activateOverflow(series)
      }
    }
    if (this.window.length >= this.limits.maxSeries && !this.overflow.has(`${series.type}:${series.key}`)) {
      return this.activateOverflow(series)
    }
    series.active = true
    series.seen = this.windowSeq
    this.window.push(series)
    if (this.window.length === this.limits.flushAt) this.limits.onWindowFull?.()
    return series
  }

  private activateOverflow<S extends Series>(series: S): S {
    this.self.droppedSeries++
    const overflow = this.overflowSeries(series.type, series.name) as S
    if (!overflow.active) {
      overflow.active = true
      this.window.push(overflow)
    }
    return overflow
  }

  invalid(series: Series, value: unknown, expected: string = EXPECTED[series.type]): void {
    this.self.invalidValues++
    this.reportOnce(`value:${series.name}`, `metric ${series.name}: ${describeValue(value)} dropped; ${expected}`)
  }

  /**
   * Ends the window: the points of every series with data (invalid numbers dropped and counted), plus the
   * SDK's own counters. Idle series beyond the memory bound are forgotten.
   */
  collect(timestamp: number): MetricPointInput[] {
    const points: MetricPointInput[] = []
    for (const series of this.window) {
      if (series.count > 0) this.pushPoint(points, series.toPoint(timestamp), series)
      series.reset()
    }
    this.window = []
    if (this.known.size > this.limits.maxSeries) this.forgetIdle()
    this.windowSeq++
    points.push(...this.self.collect(timestamp))
    return points
  }

  /**
   * Adds a window's point. Every value in it passed its record site, so only its sum can exceed the protocol's
   * range: a counter's or gauge's window is then sent as several points that add up to it (each value is in
   * range, so there are never more parts than values); a timer's, whose sketch cannot be split, is dropped,
   * counted and reported.
   */
  private pushPoint(points: MetricPointInput[], point: MetricPointInput, series: Series): void {
    const sum = point.sum as number
    if (Math.abs(sum) <= MAX_ABS_VALUE) {
      points.push(point)
      return
    }
    const count = point.count as number
    const parts = Math.ceil(Math.abs(sum) / MAX_ABS_VALUE)
    if (point.sketch !== undefined || !(parts <= count)) {
      this.self.invalidValues += count
      this.reportOnce(`value:${series.name}`, `metric ${series.name}: a window's sum passed ±${MAX_ABS_VALUE}; its ${count} updates were dropped`)
      return
    }
    for (let i = 0; i < parts; i++) {
      points.push({ ...point, count: Math.floor(count / parts) + (i < count % parts ? 1 : 0), sum: sum / parts })
    }
  }

  /** Forgets series without data in the window just ended; held handles re-register when next used. */
  private forgetIdle(): void {
    for (const [key, series] of this.known) {
      if (series.seen === this.windowSeq) continue
      series.retired = true
      this.known.delete(key)
    }
    this.dropTrie()
  }
}

function seriesKey(name: string, tags: Tags): string {
  let key = name
  for (const k in tags) key += `\u0001${k}\u0002${tags[k]}`
  return key
}

/** What a valid update of each type is, for the report of an invalid one (the protocol's number rules). */
const EXPECTED: Record<MetricType, string> = {
  counter: `an increment is a number from 0 to ${MAX_ABS_VALUE}`,
  gauge: `a value is a finite number within ±${MAX_ABS_VALUE}`,
  timer: `a duration is a number of milliseconds from 0 to ${MAX_ABS_VALUE}`,
}

const NOOP_OWNER: SeriesOwner = {
  activate: (series) => series,
  invalid: () => {},
  lookupTimer: (name) => new TimerSeries(NOOP_OWNER, 'timer', name, {}, name),
  monotonicNow: () => 0,
}
