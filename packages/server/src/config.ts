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
}

export const DEFAULT_CONFIG: ServiceConfig = {
  corsOrigins: '*',
  trustProxy: false,
  ingestRate: { perSecond: 50, burst: 200 },
  usageRate: { perSecond: 5, burst: 50 },
  keyGraceMs: 24 * 60 * 60 * 1000,
}
