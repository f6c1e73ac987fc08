// OTLP attributes as tags: the protocol's tag rules (at most 16; keys a letter then letters, digits, `_ . -`;
// values at most 200 characters without control characters) applied to what OpenTelemetry sends.
import { MAX_TAG_KEY_LENGTH, MAX_TAG_VALUE_LENGTH, MAX_TAGS_PER_POINT, sortTags, TAG_KEY_PATTERN, type Tags } from '@mcpdir/metrics/protocol'
import type { Attributes } from './otlp-model'

/**
 * An attribute value as a tag value, the way the SDK's MCP instrumentation makes them: control characters as
 * spaces, cut to the tag length limit, `unknown` when empty.
 */
export function tagValue(value: string | undefined): string {
  return cleanValue(value ?? '') || 'unknown'
}

/** Control characters as spaces, cut to the tag length limit. */
const cleanValue = (value: string) => value.replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, MAX_TAG_VALUE_LENGTH)

/** True when `key` may be a tag key: a letter, then letters, digits, `_ . -`, at most the key length limit. */
export function isTagKey(key: string): boolean {
  return key.length <= MAX_TAG_KEY_LENGTH && TAG_KEY_PATTERN.test(key)
}

/**
 * A data point's attributes as its series' tags (keys sorted), beside `extra` (its resource's tags, which its own
 * attributes override), or why they cannot be: a key the tag rules refuse, or more tags than a point may have. Values are never refused: control characters become spaces and
 * long ones are cut to the limit.
 */
export function attributeTags(attributes: Attributes, extra: Tags = {}): { ok: true; tags: Tags } | { ok: false; reason: string } {
  const keys = Object.keys(attributes)
  const count = new Set([...keys, ...Object.keys(extra)]).size
  if (count > MAX_TAGS_PER_POINT) return { ok: false, reason: `${count} attributes (resource tags included); a point may have at most ${MAX_TAGS_PER_POINT}` }
  const tags: Tags = { ...extra }
  for (const key of keys) {
    if (!isTagKey(key)) {
      return { ok: false, reason: `attribute key ${JSON.stringify(key.slice(0, 80))} is not a tag key (a letter, then letters, digits, _ . -; at most ${MAX_TAG_KEY_LENGTH})` }
    }
    tags[key] = cleanValue(attributes[key] as string)
  }
  return { ok: true, tags: sortTags(tags) }
}
