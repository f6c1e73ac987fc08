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
  /**
   * The client's name: from the request's `_meta` (`io.modelcontextprotocol/clientInfo`) in modern sessions,
   * from `initialize` in legacy ones, else from the HTTP request's User-Agent; `unknown` when none says.
   */
  client: 'client',
  /** The client's version, from the same place as {@link MCP_TAG.client}. */
  clientVersion: 'client_version',
  /** The negotiated protocol revision (`2026-07-28`, `2025-11-25`, …), `unknown` when none was seen. */
  protocol: 'protocol',
  /** How the request arrived: one of {@link MCP_TRANSPORTS}. */
  transport: 'transport',
  /** The JSON-RPC method, on {@link MCP_REQUEST_METRICS} only (`other` for a method the server does not have). */
  method: 'method',
  /**
   * On {@link MCP_REQUEST_METRICS} only, when the response is not a success: the JSON-RPC error code as a
   * string (`-32602`), or `tool_error` for a result with `isError: true`. OpenTelemetry's `error.type`.
   */
  errorType: 'error_type',
  /** How the request ended: one of {@link MCP_OUTCOMES}. */
  outcome: 'outcome',
} as const

/** The values of the `transport` tag: `stdio` (a pipe) or `http` (Streamable HTTP or SSE). */
export const MCP_TRANSPORTS = ['stdio', 'http'] as const

/** One of {@link MCP_TRANSPORTS}. */
export type McpTransport = (typeof MCP_TRANSPORTS)[number]

/**
 * The counter and the timer recorded for every request, whatever its method (`tools/list`, `server/discover`,
 * `initialize`, `tools/call`, …), tagged {@link MCP_TAG.method} and, for calls, with the target's tag too.
 */
export const MCP_REQUEST_METRICS = { calls: 'mcp.requests', duration: 'mcp.request.duration' } as const

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
  /** The server failed: the handler threw, an internal error, a timeout. */
  error: 'error',
  /** The tool answered a result with `isError: true`. */
  toolError: 'tool_error',
  /**
   * The request was wrong: parse error, invalid request, method not found, invalid params (an unknown tool or
   * arguments its schema refuses among them), resource not found, an unsupported protocol version.
   */
  clientError: 'client_error',
  /** The client cancelled the request, or went away before its answer. */
  cancelled: 'cancelled',
} as const

/** Every value of the `outcome` tag. */
export const MCP_OUTCOMES = [MCP_OUTCOME.ok, MCP_OUTCOME.error, MCP_OUTCOME.toolError, MCP_OUTCOME.clientError, MCP_OUTCOME.cancelled] as const

/** One of {@link MCP_OUTCOMES}. */
export type McpOutcome = (typeof MCP_OUTCOMES)[number]

/**
 * The outcomes counted as errors in error counts and error rates: the server's faults. `client_error` is
 * counted apart ({@link isClientErrorOutcome}) and `cancelled` is neither.
 */
export const ERROR_OUTCOMES: readonly McpOutcome[] = [MCP_OUTCOME.error, MCP_OUTCOME.toolError]

/** True when an `outcome` tag value counts as an error (`error` or `tool_error`). */
export function isErrorOutcome(outcome: string | undefined): boolean {
  return outcome !== undefined && (ERROR_OUTCOMES as readonly string[]).includes(outcome)
}

/** True when an `outcome` tag value is the caller's mistake (`client_error`), counted apart from errors. */
export function isClientErrorOutcome(outcome: string | undefined): boolean {
  return outcome === MCP_OUTCOME.clientError
}

/**
 * JSON-RPC and MCP error codes that mean the request was wrong (the `client_error` outcome): parse error, invalid
 * request, method not found, invalid params (unknown tool, refused arguments, resource not found on current
 * SDKs), resource not found (older SDKs), header mismatch, missing client capability, unsupported protocol
 * version, and the URL elicitation the client must complete first. Every other code is the server's fault.
 */
export const MCP_CLIENT_ERROR_CODES: readonly number[] = [-32700, -32600, -32601, -32602, -32002, -32020, -32021, -32022, -32042]

/**
 * The outcome an OpenTelemetry `error.type` stands for: absent (or empty) is `ok`, `tool_error` is `tool_error`,
 * a code of {@link MCP_CLIENT_ERROR_CODES} (as a string, the way `error.type` carries it) is `client_error`, and
 * anything else (another code, `_OTHER`, an exception type) is `error`.
 */
export function outcomeOfErrorType(errorType: string | undefined): McpOutcome {
  if (errorType === undefined || errorType === '') return MCP_OUTCOME.ok
  if (errorType === MCP_OUTCOME.toolError) return MCP_OUTCOME.toolError
  const code = /^-?\d+$/.test(errorType.trim()) ? Number(errorType) : Number.NaN
  return MCP_CLIENT_ERROR_CODES.includes(code) ? MCP_OUTCOME.clientError : MCP_OUTCOME.error
}

/**
 * OpenTelemetry's MCP semantic conventions (`mcp.server.operation.duration`, a histogram in seconds) beside
 * these names: the attribute each tag maps to. Counts are the histogram's count; our durations are in
 * milliseconds. `transport` maps `stdio` → `pipe` and `http` → `tcp`; `outcome` has no attribute of its own
 * (`error.type` is absent on success).
 */
export const MCP_OTEL = {
  metric: 'mcp.server.operation.duration',
  unit: 's',
  attributes: {
    method: 'mcp.method.name',
    tool: 'gen_ai.tool.name',
    prompt: 'gen_ai.prompt.name',
    resource: 'mcp.resource.uri',
    error_type: 'error.type',
    protocol: 'mcp.protocol.version',
    transport: 'network.transport',
  },
  transports: { stdio: 'pipe', http: 'tcp' },
} as const satisfies {
  metric: string
  unit: string
  attributes: Partial<Record<(typeof MCP_TAG)[keyof typeof MCP_TAG], string>>
  transports: Record<McpTransport, string>
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
