// Field schemas shared by the payload schemas.
import { z } from 'zod'
import {
  MAX_ABS_VALUE,
  MAX_DETAILS_KEYS,
  MAX_NAME_LENGTH,
  MAX_TAG_KEY_LENGTH,
  MAX_TAG_VALUE_LENGTH,
  MAX_TAGS_PER_POINT,
  NAME_PATTERN,
  TAG_KEY_PATTERN,
  TAG_VALUE_PATTERN,
} from './limits'
import { isServerId, SERVER_ID_RULE } from './server-id'

/** A server id: the one rule of `isServerId`, refused with its one message. */
export const serverIdSchema = z.string().refine(isServerId, { message: SERVER_ID_RULE })

export const metricNameSchema = z
  .string()
  .min(1)
  .max(MAX_NAME_LENGTH)
  .regex(NAME_PATTERN, 'must start with a letter and hold only letters, digits, _ . : / -')

export const tagKeySchema = z
  .string()
  .min(1)
  .max(MAX_TAG_KEY_LENGTH)
  .regex(TAG_KEY_PATTERN, 'must start with a letter and hold only letters, digits, _ . -')

export const tagValueSchema = z
  .string()
  .max(MAX_TAG_VALUE_LENGTH)
  .regex(TAG_VALUE_PATTERN, 'must not contain control characters')

/** zod drops a `__proto__` key from records silently; refuse it instead, so nothing is lost unannounced. */
function refuseProtoKey<T extends z.ZodType>(schema: T) {
  return z.preprocess((value, ctx) => {
    if (typeof value === 'object' && value !== null && Object.hasOwn(value, '__proto__')) {
      ctx.issues.push({ code: 'custom', path: ['__proto__'], message: 'key __proto__ is not allowed', input: value })
    }
    return value
  }, schema)
}

export const tagsSchema = refuseProtoKey(
  z.record(tagKeySchema, tagValueSchema).refine((tags) => Object.keys(tags).length <= MAX_TAGS_PER_POINT, {
    message: `at most ${MAX_TAGS_PER_POINT} tags per point`,
  }),
)

/** A finite number no larger in magnitude than {@link MAX_ABS_VALUE}. */
export const metricNumberSchema = z.number().min(-MAX_ABS_VALUE).max(MAX_ABS_VALUE)

/** ISO 8601 with an offset (`2025-06-02T14:30:00Z`) or Unix epoch milliseconds. */
export const timestampSchema = z.union([
  z.iso.datetime({ offset: true }),
  z.number().int().nonnegative().max(8.64e15),
])

export function timestampToMs(value: string | number): number {
  return typeof value === 'number' ? value : Date.parse(value)
}

/** A small flat object of scalars, bounded in keys and serialized bytes. */
export function detailsSchema(maxBytes: number) {
  return refuseProtoKey(
    z
    .record(tagKeySchema, z.union([z.string().max(maxBytes), z.number(), z.boolean(), z.null()]))
    .refine((d) => Object.keys(d).length <= MAX_DETAILS_KEYS, { message: `at most ${MAX_DETAILS_KEYS} keys` })
    .refine((d) => new TextEncoder().encode(JSON.stringify(d)).length <= maxBytes, {
      message: `at most ${maxBytes} bytes as JSON`,
    }),
  )
}
