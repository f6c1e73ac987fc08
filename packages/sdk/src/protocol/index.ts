/**
 * The mcpdir-metrics wire contract: payload schemas, limits, periods, metric and event types, signing and
 * the percentile sketch. Isomorphic (web platform APIs only): the SDK, the server, browsers and edge
 * runtimes all import it from here, and nothing redefines it.
 *
 * @packageDocumentation
 */
export * from './collect-payload'
export * from './encoding'
export * from './events'
export * from './fetch-response'
export * from './fields'
export * from './limits'
export * from './metric-types'
export * from './periods'
export * from './signing'
export * from './sketch'
export * from './usage'
export * from './validation'
