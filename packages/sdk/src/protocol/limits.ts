// Every bound the wire contract enforces, in one place. The server rejects what exceeds them with a 4xx;
// the SDK shapes its batches to stay inside them.

/** Largest request body any endpoint accepts, in bytes (declared or streamed). */
export const MAX_BODY_BYTES = 1_048_576
/** Points in one collect batch. */
export const MAX_POINTS_PER_BATCH = 2_000
/** Events in one collect batch or server-events request. */
export const MAX_EVENTS_PER_BATCH = 100

/** Metric names: a letter, then letters, digits and `_ . : / -`. */
export const MAX_NAME_LENGTH = 128
export const NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_.:/-]*$/

/** Server ids: a letter or digit, then letters, digits and `_ . -`. */
export const MAX_SERVER_ID_LENGTH = 128
export const SERVER_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/

/** Tags per point, and their key and value shapes. Keys start with a letter (so never `__proto__`). */
export const MAX_TAGS_PER_POINT = 16
export const MAX_TAG_KEY_LENGTH = 64
export const TAG_KEY_PATTERN = /^[A-Za-z][A-Za-z0-9_.-]*$/
export const MAX_TAG_VALUE_LENGTH = 200
/** Tag values are any text without control characters. */
export const TAG_VALUE_PATTERN = /^[^\u0000-\u001f\u007f]*$/

/** True for a metric name within {@link MAX_NAME_LENGTH} matching {@link NAME_PATTERN}. */
export function isMetricName(name: unknown): name is string {
  return typeof name === 'string' && name.length <= MAX_NAME_LENGTH && NAME_PATTERN.test(name)
}

/** True for a tag key within {@link MAX_TAG_KEY_LENGTH} matching {@link TAG_KEY_PATTERN}. */
export function isTagKey(key: string): boolean {
  return key.length <= MAX_TAG_KEY_LENGTH && TAG_KEY_PATTERN.test(key)
}

/** True for a tag value within {@link MAX_TAG_VALUE_LENGTH} without control characters. */
export function isTagValue(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_TAG_VALUE_LENGTH && TAG_VALUE_PATTERN.test(value)
}

/** Largest magnitude of any metric number, so sums of a full batch stay finite and exact for integers. */
export const MAX_ABS_VALUE = 1e15

/** How long the service keeps raw points unless configured otherwise (its default raw retention). */
export const DEFAULT_RAW_RETENTION_MS = 7 * 24 * 60 * 60 * 1000
/**
 * How long before raw retention ends a late point stops being accepted: an hour, so a bucket is never
 * recomputed from partly purged raw data.
 */
export const POINT_AGE_MARGIN_MS = 60 * 60 * 1000

/** The oldest point age accepted when raw points are kept `rawRetentionMs`: that less {@link POINT_AGE_MARGIN_MS}. */
export function maxPointAgeMs(rawRetentionMs: number = DEFAULT_RAW_RETENTION_MS): number {
  return rawRetentionMs - POINT_AGE_MARGIN_MS
}

/** The oldest point age accepted with the default raw retention: 7 days less an hour. */
export const MAX_POINT_AGE_MS = DEFAULT_RAW_RETENTION_MS - POINT_AGE_MARGIN_MS

/** Clocks may run ahead by this much. */
export const MAX_FUTURE_SKEW_MS = 5 * 60 * 1000

/** Standard Webhooks tolerance for `webhook-timestamp`, both directions. */
export const SIGNATURE_TOLERANCE_SECONDS = 5 * 60
/** How long a batch id is remembered so a retried batch is counted once. */
export const DEDUPE_WINDOW_MS = 24 * 60 * 60 * 1000
/** Batch ids (`webhook-id`). */
export const MAX_BATCH_ID_LENGTH = 128
export const BATCH_ID_PATTERN = /^[A-Za-z0-9_.:-]+$/

/** Serialized size of one event's `details`, and of one usage record's `details`. */
export const MAX_EVENT_DETAILS_BYTES = 4_096
export const MAX_USAGE_DETAILS_BYTES = 1_024
/** Keys in a `details` object. */
export const MAX_DETAILS_KEYS = 32
/** Tool ids in usage records. */
export const MAX_TOOL_ID_LENGTH = 200
/** Records in one batched usage-track request. */
export const MAX_USAGE_RECORDS_PER_REQUEST = 50
