// A real HTTP service standing in for mcpdir-metrics in SDK tests: it verifies signatures with the protocol
// module, validates bodies with the collect schema, records every request, and answers as a test scripts it.
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type CollectBatch, parseCollectBatch, verifySignedRequest } from '../src/protocol/index'

export interface Received {
  headers: IncomingHttpHeaders
  body: string
  batchId: string | undefined
  signatureOk: boolean
  /** The parsed batch when the body is valid. */
  batch: CollectBatch | undefined
  issues: unknown
}

export type Responder = (request: Received, index: number) => { status: number; headers?: Record<string, string> } | 'hang' | undefined

export async function startCollector(options: { secret?: string; respond?: Responder; port?: number } = {}) {
  const received: Received[] = []
  const accepted = new Map<string, CollectBatch>()
  let respond = options.respond
  const server = createServer(async (req, res) => {
    let body = ''
    for await (const chunk of req) body += chunk
    const check = options.secret
      ? await verifySignedRequest({ headers: req.headers as Record<string, string>, body, secrets: [options.secret] })
      : undefined
    let json: unknown
    try {
      json = JSON.parse(body)
    } catch {
      json = undefined
    }
    const parsed = parseCollectBatch(json, { nowMs: Date.now() })
    const request: Received = {
      headers: req.headers,
      body,
      batchId: (req.headers['webhook-id'] as string | undefined) ?? (parsed.ok ? parsed.value.batchId : undefined),
      signatureOk: check?.ok ?? false,
      batch: parsed.ok ? parsed.value : undefined,
      issues: parsed.ok ? undefined : parsed.issues,
    }
    received.push(request)
    const answer = respond?.(request, received.length - 1)
    if (answer === 'hang') return
    const status = answer?.status ?? (parsed.ok ? 200 : 400)
    if (status === 200 && request.batch && request.batchId) accepted.set(request.batchId, request.batch)
    res.writeHead(status, { 'content-type': 'application/json', ...answer?.headers })
    res.end(JSON.stringify(status === 200 ? { success: true } : { success: false }))
  })
  await new Promise<void>((ok) => server.listen(options.port ?? 0, '127.0.0.1', ok))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    received,
    /** Batches answered 200, by batch id (a retried batch once). */
    accepted,
    setResponder(next: Responder | undefined) {
      respond = next
    },
    /** Every point of every accepted batch. */
    points() {
      return [...accepted.values()].flatMap((b) => b.points)
    },
    events() {
      return [...accepted.values()].flatMap((b) => b.events)
    },
    async waitFor(predicate: () => boolean, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs
      while (!predicate()) {
        if (Date.now() > until) throw new Error('timed out waiting for the collector')
        await new Promise((r) => setTimeout(r, 10))
      }
    },
    close() {
      server.closeAllConnections()
      return new Promise<void>((ok) => server.close(() => ok()))
    },
  }
}

export type Collector = Awaited<ReturnType<typeof startCollector>>

/** Sum of a counter's points (all tag sets, or those matching `tags`). */
export function total(points: CollectBatch['points'], name: string, tags: Record<string, string> = {}) {
  return points
    .filter((p) => p.name === name && Object.entries(tags).every(([k, v]) => p.tags[k] === v))
    .reduce((sum, p) => sum + p.sum, 0)
}
