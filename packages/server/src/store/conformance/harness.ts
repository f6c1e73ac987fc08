// What the conformance topics share: a store under test, the service around it on a fake clock, and ways to
// send it batches and read its reports.
import { type CollectBatchInput, createSignatureHeaders, type MetricsFetchResponse } from '@mcpdir/metrics/protocol'
import { afterAll, beforeAll, expect } from 'vitest'
import { createApp, type MetricsApp } from '../../app/create-app'
import { hashKey } from '../../credentials/keys'
import { registerServer, type ShownCredentials } from '../../credentials/server-credentials'
import type { Store } from '../store'

export const ADMIN = 'admin-key-for-query-tests'
export const T0 = Date.parse('2026-03-10T12:00:00Z')
export const MIN = 60_000
export const HOUR = 60 * MIN
export const DAY = 24 * HOUR

/** A store under test, with a way to read its tables directly and to dispose of it. */
export interface StoreUnderTest {
  store: Store
  /** Runs portable SQL (no placeholders) against the store's database. */
  sql(query: string): Promise<Record<string, unknown>[]>
  close(): Promise<void>
}

export interface Env extends StoreUnderTest {
  app: MetricsApp
  clock: { now: number }
  creds: Record<string, ShownCredentials>
}

/** Opens a fresh store per test, with the service and three servers (pub, priv, other) on it. */
export class Harness {
  private env: Env | undefined

  constructor(readonly open: () => Promise<StoreUnderTest>) {}

  async setup(config: Parameters<typeof createApp>[0]['config'] = {}): Promise<Env> {
    const clock = { now: T0 }
    const under = await this.open()
    const { store } = under
    const creds: Record<string, ShownCredentials> = {
      pub: await registerServer(store, { id: 'pub' }, clock.now - 30 * DAY),
      priv: await registerServer(store, { id: 'priv', isPrivate: true }, clock.now - 30 * DAY),
      other: await registerServer(store, { id: 'other', isPrivate: true }, clock.now - 30 * DAY),
    }
    const app = createApp({
      store,
      clock: () => clock.now,
      backgroundJobs: false,
      config: { adminKeyHash: hashKey(ADMIN), ingestRate: { perSecond: 1e6, burst: 1e6 }, ...config },
    })
    this.env = { ...under, app, clock, creds }
    return this.env
  }

  /** Stops the service and closes the store of the last `setup`. */
  async teardown(): Promise<void> {
    this.env?.app.stop()
    await this.env?.close()
    this.env = undefined
  }
}

let batchSeq = 0
export async function send(e: Env, serverId: string, body: Omit<CollectBatchInput, 'server_id'>) {
  const json = JSON.stringify({ server_id: serverId, ...body })
  const c = e.creds[serverId] as ShownCredentials
  const headers = await createSignatureHeaders({ secrets: c.signing_secret, id: `b${++batchSeq}`, body: json, timestampSeconds: Math.floor(e.clock.now / 1000) })
  const response = await e.app.request('/functions/v1/metrics-collect', { method: 'POST', body: json, headers: { ...headers, 'x-api-key': c.api_key } })
  expect(response.status, await response.clone().text()).toBe(200)
}

export async function fetchMetrics(e: Env, query: string, headers: Record<string, string> = {}) {
  const response = await e.app.request(`/functions/v1/metrics-fetch?${query}`, { headers })
  return { response, body: response.status === 200 ? ((await response.json()) as MetricsFetchResponse) : undefined }
}

/** Server credentials as a store takes them (hashes are only labels here). */
export const credentials = (tag: string) => ({ ingestKeyHash: `ingest-${tag}`, ingestKeyPrefix: 'mcpm_x…', signingSecret: `whsec_${tag}` })

/** A server as a store creates it. */
export const newServer = (id: string) => ({ id, name: id.toUpperCase(), isPrivate: false, requireSignature: true })

/** One counter point of value `i`. */
export const point = (i: number, timestamp = T0, name = 'c') => ({ name, type: 'counter' as const, tags: {}, timestamp, count: 1, sum: i, min: i, max: i, last: i })

/** One store for every test of the enclosing `describe`: opened before them, closed after. */
export function sharedStore(h: Harness): StoreUnderTest {
  const shared = {} as StoreUnderTest
  beforeAll(async () => {
    Object.assign(shared, await h.open())
  })
  afterAll(() => shared.close())
  return shared
}
