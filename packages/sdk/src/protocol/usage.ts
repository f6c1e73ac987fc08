import { z } from 'zod'
import { detailsSchema, serverIdSchema } from './fields'
import { MAX_TOOL_ID_LENGTH, MAX_USAGE_DETAILS_BYTES, MAX_USAGE_RECORDS_PER_REQUEST, TAG_VALUE_PATTERN } from './limits'
import { type ParseResult, parseWith } from './validation'

/** What a directory visitor did with a server. */
export const USAGE_ACTIONS = ['view', 'install', 'test', 'invoke'] as const
export type UsageAction = (typeof USAGE_ACTIONS)[number]

export const usageRecordInputSchema = z
  .object({
    serverId: serverIdSchema.optional(),
    server_id: serverIdSchema.optional(),
    action: z.enum(USAGE_ACTIONS),
    toolId: z.string().min(1).max(MAX_TOOL_ID_LENGTH).regex(TAG_VALUE_PATTERN).optional(),
    details: detailsSchema(MAX_USAGE_DETAILS_BYTES).optional(),
  })
  .refine((r) => r.serverId !== undefined || r.server_id !== undefined, {
    message: 'serverId (or server_id) is required',
    path: ['serverId'],
  })

/** The batched form sent by browser clients: `{ records: [...] }`. */
export const usageBatchInputSchema = z.object({
  records: z.array(usageRecordInputSchema).min(1).max(MAX_USAGE_RECORDS_PER_REQUEST),
})
export type UsageRecordInput = z.input<typeof usageRecordInputSchema>

export interface UsageRecord {
  serverId: string
  action: UsageAction
  toolId?: string
  details?: Record<string, string | number | boolean | null>
}

/** Validates a usage-track body (the seed's single record, or `{ records }`) into its records. */
export function parseUsageTrack(input: unknown): ParseResult<UsageRecord[]> {
  const batched = typeof input === 'object' && input !== null && 'records' in input
  const parsed = batched
    ? parseWith(usageBatchInputSchema, input)
    : parseWith(usageRecordInputSchema.transform((r) => ({ records: [r] })), input)
  if (!parsed.ok) return parsed
  const raw = parsed.value.records
  return {
    ok: true,
    value: raw.map((r) => ({
      serverId: (r.serverId ?? r.server_id) as string,
      action: r.action,
      ...(r.toolId !== undefined && { toolId: r.toolId }),
      ...(r.details !== undefined && { details: r.details }),
    })),
  }
}
