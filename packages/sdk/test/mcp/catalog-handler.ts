// SDK v2's stateless HTTP entry over the shared catalog: a fresh instrumented McpServer per request.
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server'
import type { Metrics } from '../../src/create-metrics'
import { instrument } from '../../src/mcp'
import { registerCatalog } from '../fixtures/mcp-catalog.mjs'

/**
 * createMcpHandler whose factory builds an McpServer named `info`, instrumented into `metrics`, holding the
 * catalog; with how many instances it built and a promise of the catalog's slow tool next starting.
 */
export function catalogHandler(metrics: Metrics, info: { name: string; version: string }) {
  let instances = 0
  let started: () => void = () => {}
  const handler = createMcpHandler(() => {
    instances++
    const server = new McpServer(info)
    instrument(server, metrics)
    registerCatalog(server, { onSlowStart: () => started() })
    return server
  })
  return {
    handler,
    instances: () => instances,
    slowStarted: () => new Promise<void>((ok) => (started = ok)),
  }
}
