import { DEFAULT_RAW_RETENTION_MS, type Tier } from '@mcpdir/metrics/protocol'

/** How long each kind of data is kept, in milliseconds; `null` keeps it forever. */
export interface RetentionConfig {
  /**
   * Raw points; also bounds the oldest point accepted, `maxPointAgeMs(rawMs)` of the protocol (late data must
   * still have its raw neighbours).
   */
  rawMs: number
  /** The `1m` tier (the 1h period reads it). */
  minuteMs: number
  /** The `5m` tier (6h and 12h). */
  fiveMinuteMs: number
  /** The `15m` tier (1d). */
  fifteenMinuteMs: number
  /** The `1h` tier (7d). */
  hourMs: number
  /** The `6h` tier (30d). */
  sixHourMs: number
  /** The `1d` tier (90d), and the `1w` tier with it. */
  dayMs: number | null
  eventsMs: number
  usageMs: number
  heartbeatsMs: number
}

const DAY = 86_400_000

/**
 * Every tier is kept at least as long as the longest period reading it plus the period before (the "% change"
 * compares them): 1h (2 h) for `1m`, 12h (1 d) for `5m`, 1d (2 d) for `15m`, 7d (14 d) for `1h`, 30d (60 d) for
 * `6h`; `1d` for ever.
 */
export const DEFAULT_RETENTION: RetentionConfig = {
  rawMs: DEFAULT_RAW_RETENTION_MS,
  minuteMs: 2 * DAY,
  fiveMinuteMs: 2 * DAY,
  fifteenMinuteMs: 2 * DAY,
  hourMs: 14 * DAY,
  sixHourMs: 60 * DAY,
  dayMs: null,
  eventsMs: 180 * DAY,
  usageMs: 180 * DAY,
  heartbeatsMs: 180 * DAY,
}

/** The RetentionConfig field holding each tier's age. */
export const TIER_RETENTION = {
  '1m': 'minuteMs',
  '5m': 'fiveMinuteMs',
  '15m': 'fifteenMinuteMs',
  '1h': 'hourMs',
  '6h': 'sixHourMs',
  '1d': 'dayMs',
  // kept as long as the days it is rolled up from: a long range's cover reads a week wherever 1d holds its days
  '1w': 'dayMs',
} as const satisfies Record<Tier, keyof RetentionConfig>

/** How long a tier is kept (`null`: for ever). */
export function tierRetentionMs(retention: RetentionConfig, tier: Tier): number | null {
  return retention[TIER_RETENTION[tier]]
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
  /**
   * How often the servers list's headline numbers are refreshed (query/headline-index.ts): new data shows in the
   * list within this, plus the list's Cache-Control age in clients.
   */
  headlineRefreshMs: number
  /** Messages a live-stream client may fall behind by before it is disconnected. */
  streamQueueLimit: number
  /** Milliseconds between keep-alive comments on a live stream. */
  streamKeepAliveMs: number
  /**
   * Let alert webhooks reach private, loopback and link-local addresses (`serve --allow-private-webhooks`,
   * `MCPDIR_ALLOW_PRIVATE_WEBHOOKS=1`); off, such webhooks are refused at creation and at every delivery.
   */
  allowPrivateWebhooks: boolean
  /** The service's public base URL, for the links in webhooks (`--public-url`); `listen` uses its own when unset. */
  publicUrl?: string
  /** How often alert rules are evaluated and due digests sent. */
  alertIntervalMs: number
  /** How often webhook deliveries that fell due (retries) are attempted. */
  deliveryIntervalMs: number
  /**
   * OTLP resource attributes that become tags of every point of their resource (`serve --otlp-resource-tags`,
   * `MCPDIR_OTLP_RESOURCE_TAGS`), e.g. `deployment.environment.name`; none by default, so cardinality stays bounded.
   */
  otlpResourceTags: string[]
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
  headlineRefreshMs: 15_000,
  streamQueueLimit: 256,
  streamKeepAliveMs: 15_000,
  allowPrivateWebhooks: false,
  alertIntervalMs: 60_000,
  deliveryIntervalMs: 5_000,
  otlpResourceTags: [],
}
