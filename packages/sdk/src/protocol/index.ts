/**
 * The mcpdir-metrics wire contract: endpoint paths, payload schemas, limits, periods, metric and event types,
 * the MCP metric names, error codes and the error envelope, live-stream events, signing and the percentile
 * sketch. Isomorphic (web platform APIs only): the SDK, the server, browsers and edge runtimes all import it
 * from here, and nothing redefines it.
 *
 * @packageDocumentation
 */
export * from './aggregate'
export * from './badges'
export * from './alert-webhook'
export * from './collect-payload'
export * from './encoding'
export * from './error-envelope'
export * from './events'
export * from './fetch-response'
export * from './fields'
export * from './limits'
export * from './mcp-metrics'
export * from './metric-types'
export * from './periods'
export * from './response-schemas'
export * from './routes'
export * from './seed-format'
export * from './server-id'
export * from './servers-list'
export * from './signing'
export * from './sketch'
export * from './sketch-schema'
export * from './stream'
export * from './stream-token'
export * from './tags'
export * from './usage'
export * from './validation'
