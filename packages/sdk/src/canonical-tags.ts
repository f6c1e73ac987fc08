// A series' name and tags as the caller passed them, checked against the protocol's rules and turned into
// the canonical tags sent on the wire (string values, keys sorted). Called on a lookup miss only; it reads
// each tag once and never prints a value it was given (see describeValue), so a hostile object can make it
// throw (caught by the aggregator) but never make it send something the service refuses.
import { describeValue } from './errors'
import {
  isMetricName,
  isTagKey,
  isTagValue,
  MAX_NAME_LENGTH,
  MAX_TAG_KEY_LENGTH,
  MAX_TAG_VALUE_LENGTH,
  MAX_TAGS_PER_POINT,
  NAME_PATTERN,
  TAG_KEY_PATTERN,
  type Tags,
} from './protocol/index'

/** Canonical tags, or why the name or tags are refused: `key` (to report once) and `message`. */
export type CanonicalTags = { tags: Tags } | { key: string; message: string }

/** A tag value as it is sent: strings as they are; numbers, booleans and BigInts as text; else undefined. */
function tagText(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return value
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value)
    default:
      return undefined
  }
}

/**
 * Checks a metric name and its tags. Tags may be absent or `null` (no tags), else a flat object (its
 * enumerable keys) whose values are strings, numbers, booleans or BigInts; a tag whose value is `undefined` or
 * `null` is left out.
 */
export function canonicalTags(name: unknown, tags: unknown): CanonicalTags {
  if (!isMetricName(name)) {
    const shown = describeValue(name)
    return { key: `name:${shown}`, message: `metric name ${shown} must match ${NAME_PATTERN} (≤ ${MAX_NAME_LENGTH} characters)` }
  }
  if (tags === undefined || tags === null) return { tags: {} }
  if (typeof tags !== 'object') {
    return { key: `tags:${name}`, message: `metric ${name}: tags must be an object, not ${describeValue(tags)}` }
  }
  // for…in, like the lookup's walk of the trie: the same keys in the same order (bounded before sorting)
  const keys: string[] = []
  for (const k in tags) {
    if (keys.push(k) > MAX_TAGS_PER_POINT) {
      return { key: `tags:${name}`, message: `metric ${name} has more than ${MAX_TAGS_PER_POINT} tags` }
    }
  }
  keys.sort()
  const out: Tags = {}
  for (const k of keys) {
    if (!isTagKey(k)) {
      return { key: `tagkey:${name}:${k.slice(0, MAX_TAG_KEY_LENGTH)}`, message: `metric ${name}: tag key ${describeValue(k)} must match ${TAG_KEY_PATTERN}` }
    }
    const raw = (tags as Record<string, unknown>)[k]
    if (raw === undefined || raw === null) continue
    const v = tagText(raw)
    if (v === undefined) {
      return { key: `tagvalue:${name}:${k}`, message: `metric ${name}: tag ${k} must be a string, number or boolean, not ${describeValue(raw)}` }
    }
    if (!isTagValue(v)) {
      return { key: `tagvalue:${name}:${k}`, message: `metric ${name}: tag ${k} must be ≤ ${MAX_TAG_VALUE_LENGTH} characters without control characters` }
    }
    out[k] = v
  }
  return { tags: out }
}
