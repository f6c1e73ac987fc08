// The zod schema of a sketch's JSON form, apart from the sketch itself so that code reading sketches (the
// browser's live merge) does not bundle zod.
import { z } from 'zod'
import { SKETCH_MAX_BINS, SKETCH_MAX_KEY, SKETCH_MIN_KEY, SKETCH_RELATIVE_ACCURACY, type SketchJSON } from './sketch'

const positiveInt = z.number().int().positive()

/** Validates a {@link SketchJSON} from untrusted input: bucket keys in range and ascending, counts matching. */
export const sketchJsonSchema = z
  .object({
    alpha: z.literal(SKETCH_RELATIVE_ACCURACY),
    zero: z.number().int().nonnegative(),
    keys: z.array(z.number().int()).max(SKETCH_MAX_BINS),
    counts: z.array(positiveInt).max(SKETCH_MAX_BINS),
  })
  .superRefine((s, ctx) => {
    if (s.keys.length !== s.counts.length) {
      ctx.addIssue({ code: 'custom', path: ['counts'], message: 'keys and counts must have the same length' })
      return
    }
    let key = 0
    for (let i = 0; i < s.keys.length; i++) {
      const step = s.keys[i] as number
      if (i > 0 && step <= 0) {
        ctx.addIssue({ code: 'custom', path: ['keys', i], message: 'key gaps must be positive' })
        return
      }
      key = i === 0 ? step : key + step
      if (key < SKETCH_MIN_KEY || key > SKETCH_MAX_KEY) {
        ctx.addIssue({
          code: 'custom',
          path: ['keys', i],
          message: `bucket key ${key} is outside ${SKETCH_MIN_KEY}..${SKETCH_MAX_KEY}`,
        })
        return
      }
    }
  })
