// Stream tokens: `EventSource` cannot send headers, so a private server's live stream is opened with a
// short-lived token in the URL instead of a long-lived key. A client holding the admin key or the server's read
// token asks `ROUTES.metricsStreamToken` for one (credentials in `Authorization: Bearer`), then opens
// `ROUTES.metricsStream` with `?server_id=…&stream_token=…`. The service signs the token (HMAC-SHA256 over the
// server id and the expiry, with a secret of its own), so it opens that server's stream only, until it expires.
// Zod-free, so browser bundles can import it.

/** The query parameter of metrics-stream that carries a stream token. */
export const STREAM_TOKEN_PARAM = 'stream_token'

/**
 * How long a stream token can open a connection: 5 minutes. A connection opened in time stays open past it; a
 * reconnect after it needs a new token (metrics-stream answers `invalid_stream_token`, 401).
 */
export const STREAM_TOKEN_TTL_MS = 5 * 60_000

/** The answer of `POST ROUTES.metricsStreamToken`. */
export interface StreamTokenResponse {
  success: true
  server_id: string
  /** Opaque: pass it as `?stream_token=` with the same `server_id`. */
  token: string
  /** Epoch milliseconds after which it opens no connection. */
  expires_at: number
}
