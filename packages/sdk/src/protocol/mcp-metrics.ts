// The metric-name contract of MCP instrumentation and of the SDK's own counters: the names `@mcpdir/metrics/mcp`
// records, the tags and outcome values it puts on them, which outcomes are errors, and the `mcpdir.sdk.*`
// self-metrics. The service's reports and the MetricsTab read the same names from here. Zod-free, so browser
// bundles can import it.

/** The MCP request kinds the instrumentation records. */
export const MCP_KINDS = ['tool', 'resource', 'prompt', 'initialize'] as const

/** One of {@link MCP_KINDS}. */
export type McpKind = (typeof MCP_KINDS)[number]

/** The tags on `mcp.*` series. */
export const MCP_TAG = {
  /** The tool called (`tools/call`). */
  tool: 'tool',
  /** The resource URI read (`resources/read`). */
  resource: 'resource',
  /** The prompt got (`prompts/get`). */
  prompt: 'prompt',
  /** The client's name from `initialize`. */
  client: 'client',
  /** The client's version from `initialize`. */
  clientVersion: 'client_version',
  /** How the request ended: one of {@link MCP_OUTCOMES}. */
  outcome: 'outcome',
} as const

/** The counter, the timer and the tag naming the target of each MCP request kind (`initialize` has no target). */
export const MCP_METRICS = {
  tool: { calls: 'mcp.tool.calls', duration: 'mcp.tool.duration', tag: MCP_TAG.tool },
  resource: { calls: 'mcp.resource.calls', duration: 'mcp.resource.duration', tag: MCP_TAG.resource },
  prompt: { calls: 'mcp.prompt.calls', duration: 'mcp.prompt.duration', tag: MCP_TAG.prompt },
  initialize: { calls: 'mcp.initialize.calls', duration: 'mcp.initialize.duration', tag: undefined },
} as const satisfies Record<McpKind, { calls: `mcp.${McpKind}.calls`; duration: `mcp.${McpKind}.duration`; tag: string | undefined }>

/** The values of the `outcome` tag, by name. */
export const MCP_OUTCOME = {
  /** The request succeeded. */
  ok: 'ok',
  /** The handler threw, or the response is a JSON-RPC error. */
  error: 'error',
  /** The tool answered a result with `isError: true`. */
  toolError: 'tool_error',
} as const

/** Every value of the `outcome` tag. */
export const MCP_OUTCOMES = [MCP_OUTCOME.ok, MCP_OUTCOME.error, MCP_OUTCOME.toolError] as const

/** One of {@link MCP_OUTCOMES}. */
export type McpOutcome = (typeof MCP_OUTCOMES)[number]

/** The outcomes counted as errors in error counts and error rates. */
export const ERROR_OUTCOMES: readonly McpOutcome[] = [MCP_OUTCOME.error, MCP_OUTCOME.toolError]

/** True when an `outcome` tag value counts as an error (`error` or `tool_error`). */
export function isErrorOutcome(outcome: string | undefined): boolean {
  return outcome !== undefined && (ERROR_OUTCOMES as readonly string[]).includes(outcome)
}

/** Prefix of the names the MCP instrumentation records. */
export const MCP_METRIC_PREFIX = 'mcp.'
/** Prefix reserved for the names mcpdir itself records (the SDK's self-metrics among them). */
export const MCPDIR_METRIC_PREFIX = 'mcpdir.'
/** Prefix of the SDK's self-metrics. */
export const SDK_METRIC_PREFIX = 'mcpdir.sdk.'

/**
 * The SDK's own counters, sent in the next batch so an author sees loss on the dashboard, by the
 * `SelfMetrics` field each one reports.
 */
export const SDK_SELF_METRICS = {
  /** Updates refused: non-finite, negative (timers, counters) or oversized value, or invalid name or tags. */
  invalidValues: 'mcpdir.sdk.invalid_values',
  /** Updates folded into an overflow series because the window's series limit was reached. */
  droppedSeries: 'mcpdir.sdk.dropped_series',
  /** Events beyond the per-window bound. */
  droppedEvents: 'mcpdir.sdk.dropped_events',
  /** Batches dropped unsent (queue or spool full). */
  droppedBatches: 'mcpdir.sdk.dropped_batches',
  /** Points in those batches (the self-metrics they carried aside). */
  droppedPoints: 'mcpdir.sdk.dropped_points',
  /** Batches the service refused for good. */
  rejectedBatches: 'mcpdir.sdk.rejected_batches',
} as const satisfies Record<string, `${typeof SDK_METRIC_PREFIX}${string}`>

/** A field of {@link SDK_SELF_METRICS}. */
export type SdkSelfMetric = keyof typeof SDK_SELF_METRICS

/** True for names the instrumentation or mcpdir records (`mcp.*`, `mcpdir.*`), as opposed to an author's own. */
export function isBuiltInMetric(name: string): boolean {
  return name.startsWith(MCP_METRIC_PREFIX) || name.startsWith(MCPDIR_METRIC_PREFIX)
}
