import { DEFAULT_RAW_RETENTION_MS } from '@mcpdir/metrics/protocol'

/** How long each kind of data is kept, in milliseconds; `null` keeps it forever. */
export interface RetentionConfig {
  /**
   * Raw points; also bounds the oldest point accepted, `maxPointAgeMs(rawMs)` of the protocol (late data must
   * still have its raw neighbours).
   */
  rawMs: number
  minuteMs: number
  hourMs: number
  dayMs: number | null
  eventsMs: number
  usageMs: number
  heartbeatsMs: number
}

const DAY = 86_400_000

export const DEFAULT_RETENTION: RetentionConfig = {
  rawMs: DEFAULT_RAW_RETENTION_MS,
  minuteMs: 2 * DAY,
  hourMs: 90 * DAY,
  dayMs: null,
  eventsMs: 180 * DAY,
  usageMs: 180 * DAY,
  heartbeatsMs: 180 * DAY,
}

/** How the service behaves; every field has a default suited to one self-hosted instance. */
export interface ServiceConfig {
  /** Origins allowed to call usage-track from browsers: `'*'` or a list. */
  corsOrigins: '*' | string[]
  /** Read the client address from `X-Forwarded-For` (only behind a reverse proxy you control). */
  trustProxy: boolean
  /** Per ingest key: sustained requests per second and burst. */
  ingestRate: { perSecond: number; burst: number }
  /** Per client address on usage-track. */
  usageRate: { perSecond: number; burst: number }
  /** How long rotated keys and secrets stay valid. */
  keyGraceMs: number
  /** SHA-256 (hex) of the admin key; admin endpoints answer 403 without one configured. */
  adminKeyHash?: string
  retention: RetentionConfig
  /** How often dirty minutes are rolled up, and retention applied, in the background. */
  rollupIntervalMs: number
  retentionIntervalMs: number
  /** Messages a live-stream client may fall behind by before it is disconnected. */
  streamQueueLimit: number
  /** Milliseconds between keep-alive comments on a live stream. */
  streamKeepAliveMs: number
}

export const DEFAULT_CONFIG: ServiceConfig = {
  corsOrigins: '*',
  trustProxy: false,
  ingestRate: { perSecond: 50, burst: 200 },
  usageRate: { perSecond: 5, burst: 50 },
  keyGraceMs: 24 * 60 * 60 * 1000,
  retention: DEFAULT_RETENTION,
  rollupIntervalMs: 5_000,
  retentionIntervalMs: 60_000,
  streamQueueLimit: 256,
  streamKeepAliveMs: 15_000,
}
