// The servers list under test: the service in-process on a fake clock and an in-memory SQLite store, with ways
// to register servers, store batches and usage, and read the list. Shared by servers.test.ts and
// ../query/headline-index.test.ts.
import { type CollectBatchInput, parseCollectBatch, type ServersListResponse, type UsageAction } from '@mcpdir/metrics/protocol'
import type { Logger } from 'pino'
import { createApp } from '../app/create-app'
import { hashKey } from '../credentials/keys'
import { registerServer } from '../credentials/server-credentials'
import { openSqliteStore } from '../store/sqlite/sqlite-store'
import type { Store } from '../store/store'

export const ADMIN = 'servers-list-admin-key-0123'
export const T0 = Date.parse('2026-03-10T12:00:00Z')
export const MIN = 60_000
export const HOUR = 60 * MIN
export const DAY = 24 * HOUR

type Point = NonNullable<CollectBatchInput['metrics']>[number]

/** `n` tool calls of one outcome at `timestamp`. */
export const calls = (n: number, timestamp: number, outcome = 'ok'): Point => ({ name: 'mcp.tool.calls', type: 'counter', count: n, sum: n, tags: { tool: 't', outcome }, timestamp })
/** One tool call lasting `ms` at `timestamp`. */
export const duration = (ms: number, timestamp: number): Point => ({ name: 'mcp.tool.duration', type: 'timer', value: ms, tags: { tool: 't', outcome: 'ok' }, timestamp })

/**
 * A service with no background jobs (the test drives refreshes) on `T0`. `wrap` may wrap the store the service
 * uses (to count its reads or make them fail).
 */
export function listFixture(options: { wrap?: (store: Store) => Store; logger?: Logger } = {}) {
  const clock = { now: T0 }
  const raw = openSqliteStore({ path: ':memory:' })
  const store = options.wrap?.(raw) ?? raw
  const app = createApp({
    store,
    clock: () => clock.now,
    ...(options.logger && { logger: options.logger }),
    backgroundJobs: false,
    config: { adminKeyHash: hashKey(ADMIN), usageRate: { perSecond: 1e6, burst: 1e6 } },
  })
  let batch = 0
  return {
    app,
    store: raw,
    clock,
    async addServer(id: string, options: { name?: string; isPrivate?: boolean } = {}) {
      await registerServer(raw, { id, ...options }, clock.now - 30 * DAY)
    },
    /** Stores a batch as metrics-collect would, received at `clock.now`. */
    async send(id: string, metrics: Point[], events: CollectBatchInput['events'] = []) {
      const parsed = parseCollectBatch({ server_id: id, metrics, events }, { nowMs: clock.now, serverId: id, maxAgeMs: 7 * DAY })
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues))
      await raw.ingest(id, `batch-${++batch}`, parsed.value.points, parsed.value.events, clock.now, clock.now - DAY)
    },
    /** Records usage through usage-track, as a browser would. */
    async use(id: string, action: UsageAction, visitor = 'Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0') {
      const response = await app.request('/functions/v1/usage-track', { method: 'POST', body: JSON.stringify({ serverId: id, action }), headers: { 'user-agent': visitor } })
      if (response.status !== 200) throw new Error(`usage-track answered ${response.status}`)
    },
    async list(query = '', headers: Record<string, string> = {}) {
      const response = await app.request(`/functions/v1/servers${query ? `?${query}` : ''}`, { headers })
      const body = response.status === 200 ? ((await response.json()) as ServersListResponse) : undefined
      return { response, body, status: response.status }
    },
    /** Every page of a query, following `next_cursor`. */
    async pages(query: string, headers: Record<string, string> = {}) {
      const pages: ServersListResponse[] = []
      let cursor: string | null = null
      do {
        const { body, status }: { body: ServersListResponse | undefined; status: number } = await this.list(`${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, headers)
        if (!body) throw new Error(`servers answered ${status}`)
        pages.push(body)
        cursor = body.next_cursor
      } while (cursor !== null && pages.length < 100)
      return pages
    },
    async close() {
      app.stop()
      await raw.close()
    },
  }
}

export type ListFixture = ReturnType<typeof listFixture>
