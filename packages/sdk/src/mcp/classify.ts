// What a JSON-RPC exchange says, read off the wire only: who the client is, which protocol revision and
// transport carry the request, and how it ended. No MCP SDK import, no private field of either major.
import { MAX_TAG_VALUE_LENGTH, MCP_CLIENT_ERROR_CODES, MCP_OUTCOME, type McpKind, type McpOutcome, type McpTransport } from '../protocol/index'

/** A JSON-RPC message as the transports hand it over (requests, notifications and responses alike). */
export interface Message {
  id?: string | number
  method?: string
  params?: Record<string, unknown>
  result?: Record<string, unknown>
  error?: { code?: unknown }
}

// The per-request envelope keys of the 2026-07-28 protocol (the SDK exports them as CLIENT_INFO_META_KEY, …).
const CLIENT_INFO_META_KEY = 'io.modelcontextprotocol/clientInfo'
const PROTOCOL_VERSION_META_KEY = 'io.modelcontextprotocol/protocolVersion'
const SERVER_INFO_META_KEY = 'io.modelcontextprotocol/serverInfo'

/** The request kinds with a series of their own, and the param naming their target. */
export const KINDS: Readonly<Record<string, { kind: McpKind; target?: 'name' | 'uri' }>> = {
  'tools/call': { kind: 'tool', target: 'name' },
  'resources/read': { kind: 'resource', target: 'uri' },
  'prompts/get': { kind: 'prompt', target: 'name' },
  initialize: { kind: 'initialize' },
}

// the protocol's list of the codes that mean the request was wrong, as a set for the per-response lookup
const CLIENT_ERROR_CODES: ReadonlySet<number> = new Set(MCP_CLIENT_ERROR_CODES)
const METHOD_NOT_FOUND = -32601

/** What the tool callback did for a `tools/call`, as far as the wrapped callback saw it. */
export const ToolRun = {
  /** The callback never ran (unknown or disabled tool, arguments refused), or was not wrapped. */
  None: 0,
  /** It returned a result without `isError`. */
  Returned: 1,
  /** It returned a result with `isError: true`. */
  ReturnedError: 2,
  /** It threw (McpServer turns that into an `isError` result). */
  Threw: 3,
} as const

/** One of {@link ToolRun}. */
export type ToolRun = (typeof ToolRun)[keyof typeof ToolRun]

/** Client name and version. */
export interface ClientInfo {
  name: string
  version: string
}

/** A tag value: a string without control characters, at most the tag limit long, `unknown` when empty. */
export function tagValue(value: unknown): string {
  const text = typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value)
  return text.replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, MAX_TAG_VALUE_LENGTH) || 'unknown'
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined
}

function info(value: unknown): ClientInfo | undefined {
  const implementation = record(value)
  if (!implementation || implementation.name === undefined) return undefined
  return { name: tagValue(implementation.name), version: tagValue(implementation.version) }
}

/** The client named in a request: its `_meta` envelope (modern) or, for `initialize`, its params (legacy). */
export function requestClient(message: Message): ClientInfo | undefined {
  const params = message.params
  return info(record(params?._meta)?.[CLIENT_INFO_META_KEY]) ?? (message.method === 'initialize' ? info(params?.clientInfo) : undefined)
}

/** The protocol revision a modern request names in its `_meta` envelope, or its transport classified. */
export function requestProtocol(message: Message, extra: unknown): string | undefined {
  const version = record(message.params?._meta)?.[PROTOCOL_VERSION_META_KEY]
  if (typeof version === 'string') return tagValue(version)
  const revision = record(record(extra)?.classification)?.revision
  return typeof revision === 'string' ? tagValue(revision) : undefined
}

/** The server's version in an `initialize` or `server/discover` result, or a modern result's `_meta`. */
export function resultServerVersion(result: Record<string, unknown> | undefined): string | undefined {
  const version = record(result?.serverInfo)?.version ?? record(record(result?._meta)?.[SERVER_INFO_META_KEY])?.version
  return typeof version === 'string' ? version : undefined
}

/** A header of the HTTP request a message came in (v2 passes the `Request`, v1 its headers), if any. */
function header(extra: Record<string, unknown> | undefined, name: string): string | undefined {
  const request = record(extra?.request)
  const headers = record(request?.headers)
  if (headers && typeof headers.get === 'function') return (headers.get as (n: string) => string | null).call(headers, name) ?? undefined
  const value = record(record(extra?.requestInfo)?.headers)?.[name]
  return typeof value === 'string' ? value : Array.isArray(value) && typeof value[0] === 'string' ? value[0] : undefined
}

/** The transport a message came over: `http` when it carries its HTTP request, else a long-lived pipe. */
export function transportOf(extra: unknown): McpTransport {
  const e = record(extra)
  return e?.request !== undefined || e?.requestInfo !== undefined ? 'http' : 'stdio'
}

/** What the HTTP request itself says when the protocol does not: User-Agent and `MCP-Protocol-Version`. */
export function httpIdentity(extra: unknown): { client?: ClientInfo; protocol?: string } {
  const e = record(extra)
  if (!e) return {}
  const agent = header(e, 'user-agent')
  const protocol = header(e, 'mcp-protocol-version')
  const product = agent?.trim().split(/\s+/)[0]
  const slash = product?.indexOf('/') ?? -1
  return {
    ...(product && { client: slash > 0 ? { name: tagValue(product.slice(0, slash)), version: tagValue(product.slice(slash + 1)) } : { name: tagValue(product), version: 'unknown' } }),
    ...(protocol && { protocol: tagValue(protocol) }),
  }
}

/** How a response ended, and OpenTelemetry's `error.type` for it (absent on success). */
export interface Ending {
  outcome: McpOutcome
  errorType?: string
  /** The method does not exist on this server: tag it `other`, so unknown names make no series. */
  unknownMethod?: boolean
}

/** The JSON-RPC code of an McpError a v1 McpServer turned into an `isError` result (`MCP error -32602: …`). */
function wrappedErrorCode(result: Record<string, unknown> | undefined): number | undefined {
  const first = Array.isArray(result?.content) ? record(result.content[0]) : undefined
  const match = typeof first?.text === 'string' ? /^MCP error (-\d+):/.exec(first.text) : null
  return match ? Number(match[1]) : undefined
}

/**
 * The outcome of a response. A `tools/call` answered `isError: true` is `tool_error` when the tool returned
 * it, `error` when it threw or its result failed the output schema, and `client_error` when the tool never ran:
 * a tool whose callback is wrapped (`toolWrapped`) and did not run was refused before it (unknown, disabled,
 * arguments refused); so was an unwrapped one whose result is the text of an invalid-params McpError (v1's
 * McpServer answers an unknown tool that way). Any other `isError` of an unwrapped tool is `tool_error`.
 */
export function ending(message: Message, method: string, run: ToolRun, toolWrapped: boolean): Ending {
  if (message.error !== undefined) {
    const code = typeof message.error?.code === 'number' ? message.error.code : undefined
    const outcome = code !== undefined && CLIENT_ERROR_CODES.has(code) ? MCP_OUTCOME.clientError : MCP_OUTCOME.error
    return { outcome, errorType: code === undefined ? '_OTHER' : String(code), unknownMethod: code === METHOD_NOT_FOUND }
  }
  if (method !== 'tools/call' || message.result?.isError !== true) return { outcome: MCP_OUTCOME.ok }
  let outcome: McpOutcome
  if (run === ToolRun.ReturnedError) outcome = MCP_OUTCOME.toolError
  else if (run !== ToolRun.None) outcome = MCP_OUTCOME.error
  else if (toolWrapped) outcome = MCP_OUTCOME.clientError
  else {
    const code = wrappedErrorCode(message.result)
    outcome = code !== undefined && CLIENT_ERROR_CODES.has(code) ? MCP_OUTCOME.clientError : MCP_OUTCOME.toolError
  }
  return { outcome, errorType: 'tool_error' }
}
