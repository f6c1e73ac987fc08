// A fast path for the common case: points the SDK sends, checked without building zod issues. It accepts
// only what `metricPointInputSchema` accepts (a property test holds the two to that), and answers undefined
// for anything else, including anything it is unsure about (string timestamps): then the zod schema
// validates the whole batch and names every problem. Ingest spends most of its time validating, so this is
// where a 500-point batch goes from milliseconds to a fraction of one.
import { isMetricName, isTagKey, isTagValue, MAX_ABS_VALUE, MAX_TAGS_PER_POINT } from './limits'
import { METRIC_TYPE_ALIASES, type MetricType } from './metric-types'
import { SKETCH_MAX_BINS, SKETCH_MAX_KEY, SKETCH_MIN_KEY, SKETCH_RELATIVE_ACCURACY, type SketchJSON } from './sketch'

/** The fields of a point the fast path vouches for, before normalization. */
export interface FastPoint {
  name: string
  type: MetricType
  value: number | undefined
  count: number | undefined
  sum: number | undefined
  min: number | undefined
  max: number | undefined
  last: number | undefined
  sketch: SketchJSON | undefined
  tags: Record<string, string> | undefined
  timestamp: number | undefined
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false
  const proto = Object.getPrototypeOf(v)
  return proto === Object.prototype || proto === null
}

/**
 * `check` for strings, remembering those it passed: an SDK's batches repeat the same metric names, tag keys and tag
 * values point after point, and a Set lookup costs less than matching the pattern again. Bounded: emptied when full.
 */
function remembered(check: (s: string) => boolean, max = 4096): (s: unknown) => s is string {
  const passed = new Set<string>()
  return (s: unknown): s is string => {
    if (typeof s !== 'string') return false
    if (passed.has(s)) return true
    if (!check(s)) return false
    if (passed.size >= max) passed.clear()
    passed.add(s)
    return true
  }
}

const metricName = remembered(isMetricName)
const tagKey = remembered(isTagKey)
const tagValue = remembered(isTagValue)

const num = (v: unknown): v is number => typeof v === 'number' && v >= -MAX_ABS_VALUE && v <= MAX_ABS_VALUE

function optionalNumber(v: unknown): number | undefined | null {
  if (v === undefined) return undefined
  return num(v) ? v : null
}

function tagsOk(tags: unknown): tags is Record<string, string> {
  if (!isPlainObject(tags) || Object.hasOwn(tags, '__proto__')) return false
  let n = 0
  for (const key in tags) {
    if (!Object.hasOwn(tags, key)) return false
    const value = tags[key]
    if (!tagKey(key) || !tagValue(value)) return false
    n++
  }
  return n <= MAX_TAGS_PER_POINT
}

/** The sketch's total count when it is well formed, else -1. */
function sketchTotal(s: unknown): number {
  if (!isPlainObject(s) || s.alpha !== SKETCH_RELATIVE_ACCURACY) return -1
  const { zero, keys, counts } = s
  if (!Number.isInteger(zero) || (zero as number) < 0 || (zero as number) > Number.MAX_SAFE_INTEGER) return -1
  if (!Array.isArray(keys) || !Array.isArray(counts) || keys.length !== counts.length || keys.length > SKETCH_MAX_BINS) return -1
  let total = zero as number
  let key = 0
  for (let i = 0; i < keys.length; i++) {
    const step = keys[i]
    const count = counts[i]
    if (!Number.isSafeInteger(step) || !Number.isSafeInteger(count) || (count as number) <= 0) return -1
    if (i > 0 && (step as number) <= 0) return -1
    key = i === 0 ? (step as number) : key + (step as number)
    if (key < SKETCH_MIN_KEY || key > SKETCH_MAX_KEY) return -1
    total += count as number
  }
  return total
}

/** The point when it is certainly valid, else undefined (validate it with the zod schema then). */
export function fastPoint(input: unknown): FastPoint | undefined {
  if (!isPlainObject(input)) return undefined
  const { name, type: rawType, tags, timestamp, sketch } = input
  if (!metricName(name)) return undefined
  if (typeof rawType !== 'string' || !Object.hasOwn(METRIC_TYPE_ALIASES, rawType)) return undefined
  const type = METRIC_TYPE_ALIASES[rawType as keyof typeof METRIC_TYPE_ALIASES]
  const value = optionalNumber(input.value)
  const sum = optionalNumber(input.sum)
  const min = optionalNumber(input.min)
  const max = optionalNumber(input.max)
  const last = optionalNumber(input.last)
  const count = input.count
  if (value === null || sum === null || min === null || max === null || last === null) return undefined
  if (count !== undefined && !(Number.isInteger(count) && (count as number) > 0 && (count as number) <= MAX_ABS_VALUE)) return undefined
  if (tags !== undefined && !tagsOk(tags)) return undefined
  if (timestamp !== undefined && !(Number.isInteger(timestamp) && (timestamp as number) >= 0 && (timestamp as number) <= 8.64e15)) return undefined
  const total = sketch === undefined ? 0 : sketchTotal(sketch)
  if (total < 0) return undefined

  // the schema's point rules
  if (value !== undefined) {
    if (count !== undefined || sum !== undefined || min !== undefined || max !== undefined || last !== undefined || sketch !== undefined) return undefined
    if (type === 'timer' && value < 0) return undefined
  } else {
    if (count === undefined || sum === undefined) return undefined
    if (type !== 'counter') {
      if (min === undefined || max === undefined || min > max) return undefined
      if (type === 'gauge' && last === undefined) return undefined
      if (type === 'timer' && (min < 0 || sketch === undefined || total !== count)) return undefined
    }
  }
  return {
    name,
    type,
    value,
    count: count as number | undefined,
    sum,
    min,
    max,
    last,
    sketch: sketch as SketchJSON | undefined,
    tags: tags as Record<string, string> | undefined,
    timestamp: timestamp as number | undefined,
  }
}
