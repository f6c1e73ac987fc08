import { z } from 'zod'
import { detailsSchema, timestampSchema } from './fields'
import { MAX_EVENT_DETAILS_BYTES } from './limits'

/** Server event types: the seed's six plus `deployment`, `config_change` and `heartbeat`. */
export const EVENT_TYPES = [
  'status_change',
  'version_change',
  'restart',
  'outage',
  'maintenance',
  'error',
  'deployment',
  'config_change',
  'heartbeat',
] as const
export type EventType = (typeof EVENT_TYPES)[number]

export type EventDetails = Record<string, string | number | boolean | null>

export const eventInputSchema = z.object({
  type: z.enum(EVENT_TYPES),
  timestamp: timestampSchema.optional(),
  details: detailsSchema(MAX_EVENT_DETAILS_BYTES).optional(),
})
/** An event on the wire: timestamp as epoch milliseconds or ISO 8601, defaulting to receipt time. */
export interface EventInput {
  type: EventType
  timestamp?: number | string
  details?: EventDetails
}

/** An event as stored: timestamp in epoch milliseconds. */
export interface ServerEvent {
  type: EventType
  timestamp: number
  details: EventDetails
}
