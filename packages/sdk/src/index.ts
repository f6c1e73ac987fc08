/**
 * `@mcpdir/metrics`: metrics for MCP servers.
 *
 * @packageDocumentation
 */
export * as protocol from './protocol/index'
