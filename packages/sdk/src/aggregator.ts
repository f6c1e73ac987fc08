// Owns every series and the current flush window.
//
// Lookups (`counter(name, tags)`) walk a trie keyed by name, then alternately tag key and tag value in the
// order the caller wrote them, so a lookup with an inline tags object costs a few Map reads and allocates
// nothing. A miss validates the name and tags, builds the canonical key (tags sorted) and finds or creates the
// series. Memory is bounded three ways: series with data in one window (`maxSeries`; beyond it updates fold
// into the name's `overflow` series), series remembered between windows (twice that; idle ones are forgotten
// at a flush), and trie nodes (the trie is dropped and rebuilt when it grows past its bound).
import type { Reporter } from './errors'
import {
  MAX_ABS_VALUE,
  MAX_NAME_LENGTH,
  MAX_TAG_KEY_LENGTH,
  MAX_TAG_VALUE_LENGTH,
  MAX_TAGS_PER_POINT,
  type MetricPointInput,
  type MetricType,
  NAME_PATTERN,
  TAG_KEY_PATTERN,
  TAG_VALUE_PATTERN,
  type Tags,
  type TagsInput,
} from './protocol/index'
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
    let node = this.roots[type].get(name)
    if (node !== undefined && tags !== undefined) {
      for (const k in tags) {
        node = node.next?.get(k)
        if (node === undefined) break
        node = node.next?.get(tags[k])
        if (node === undefined) break
      }
    }
    return node?.series ?? this.slowLookup(type, name, tags)
  }

  private slowLookup(type: MetricType, name: string, tags: TagsInput | undefined): Series {
    const canonical = this.canonicalTags(name, tags)
    if (canonical === undefined) return this.noop(type, name)
    const key = seriesKey(name, canonical)
    let series = this.known.get(`${type}:${key}`)
    if (series === undefined) {
      if (!this.names.has(name)) {
        if (this.names.size >= MAX_NAMES) {
          this.self.droppedSeries++
          return this.noop(type, name)
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
      for (const k of Object.keys(tags)) {
        node = this.child(this.child(node, k), tags[k])
      }
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

  /** Validates a name and tags; answers the tags as sorted strings, or undefined (reported) when invalid. */
  private canonicalTags(name: string, tags: TagsInput | undefined): Tags | undefined {
    if (typeof name !== 'string' || name.length > MAX_NAME_LENGTH || !NAME_PATTERN.test(name)) {
      this.rejectOnce(`name:${String(name)}`, `metric name ${JSON.stringify(name)} must match ${NAME_PATTERN} (≤ ${MAX_NAME_LENGTH} characters)`)
      return undefined
    }
    if (tags === undefined || tags === null) return {}
    const keys = Object.keys(tags).sort()
    if (keys.length > MAX_TAGS_PER_POINT) {
      this.rejectOnce(`tags:${name}`, `metric ${name} has ${keys.length} tags; at most ${MAX_TAGS_PER_POINT}`)
      return undefined
    }
    const out: Tags = {}
    for (const k of keys) {
      const v = String(tags[k])
      if (k.length > MAX_TAG_KEY_LENGTH || !TAG_KEY_PATTERN.test(k)) {
        this.rejectOnce(`tagkey:${name}:${k}`, `metric ${name}: tag key ${JSON.stringify(k)} must match ${TAG_KEY_PATTERN}`)
        return undefined
      }
      if (v.length > MAX_TAG_VALUE_LENGTH || !TAG_VALUE_PATTERN.test(v)) {
        this.rejectOnce(`tagvalue:${name}:${k}`, `metric ${name}: tag ${k} must be ≤ ${MAX_TAG_VALUE_LENGTH} characters without control characters`)
        return undefined
      }
      out[k] = v
    }
    return out
  }

  private readonly reported = new Set<string>()
  private rejectOnce(what: string, message: string): void {
    this.self.invalidValues++
    if (this.reported.has(what) || this.reported.size > 1_000) return
    this.reported.add(what)
    this.reporter.error('invalid_metric', message)
  }

  /** A handle that records nothing (invalid names or tags): the host's code keeps working. */
  private noop(type: MetricType, name: string): Series {
    let series = this.noops.get(type)
    if (!series) {
      series = new SERIES_CLASSES[type](NOOP_OWNER, type, name, {}, name)
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

  invalid(): void {
    this.self.invalidValues++
  }

  /**
   * Ends the window: the points of every series with data (invalid numbers dropped and counted), plus the
   * SDK's own counters. Idle series beyond the memory bound are forgotten.
   */
  collect(timestamp: number): MetricPointInput[] {
    const points: MetricPointInput[] = []
    for (const series of this.window) {
      const point = series.toPoint(timestamp)
      if (isWithinLimits(point)) points.push(point)
      else this.self.invalidValues += series.count
      series.reset()
    }
    this.window = []
    if (this.known.size > this.limits.maxSeries) this.forgetIdle()
    this.windowSeq++
    points.push(...this.self.collect(timestamp))
    return points
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

function isWithinLimits(point: MetricPointInput): boolean {
  for (const v of [point.sum, point.min, point.max, point.last]) {
    if (v !== undefined && !(Math.abs(v) <= MAX_ABS_VALUE)) return false
  }
  return true
}

const NOOP_OWNER: SeriesOwner = {
  activate: (series) => series,
  invalid: () => {},
  lookupTimer: (name) => new TimerSeries(NOOP_OWNER, 'timer', name, {}, name),
  monotonicNow: () => 0,
}
