// Batch signing. Two forms are accepted:
// - Standard Webhooks (https://www.standardwebhooks.com): `webhook-id`, `webhook-timestamp` and
//   `webhook-signature: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{raw body}">`, the key being the base64
//   part of a `whsec_…` secret. Several space-separated signatures may be sent (key rotation).
// - The seed's legacy form: `X-Signature` (or `X-Webhook-Signature`) = hex HMAC-SHA256 of the raw body, keyed
//   with the secret string's UTF-8 bytes. It has no timestamp, so the batch id is the body's SHA-256.
// Comparison is `crypto.subtle.verify`, which is constant-time.
import { concatBytes, fromBase64, fromHex, randomBytes, sha256Hex, toBase64, toBytes, toHex, utf8 } from './encoding'
import type { SignatureErrorCode } from './error-envelope'
import { BATCH_ID_PATTERN, MAX_BATCH_ID_LENGTH, SIGNATURE_TOLERANCE_SECONDS } from './limits'

export const WEBHOOK_ID_HEADER = 'webhook-id'
export const WEBHOOK_TIMESTAMP_HEADER = 'webhook-timestamp'
export const WEBHOOK_SIGNATURE_HEADER = 'webhook-signature'
/** Legacy signature headers, in the order they are read. */
export const LEGACY_SIGNATURE_HEADERS = ['x-signature', 'x-webhook-signature'] as const

export const SIGNING_SECRET_PREFIX = 'whsec_'

export type SignatureScheme = 'standard' | 'legacy'

/** The outcome of a signature check; a failure's `code` is one of `SIGNATURE_ERROR_CODES` (error-envelope). */
export type SignatureCheck =
  | { ok: true; scheme: SignatureScheme; batchId: string }
  | { ok: false; code: SignatureErrorCode; message: string }

/** Anything headers can be read from: a fetch `Headers`, or a plain object with lower-case keys. */
export type HeaderSource =
  | { get(name: string): string | null | undefined }
  | Record<string, string | string[] | undefined>

export function readHeader(headers: HeaderSource, name: string): string | undefined {
  if (typeof headers.get === 'function') return (headers as { get(n: string): string | null }).get(name) ?? undefined
  const value = (headers as Record<string, string | string[] | undefined>)[name]
  return Array.isArray(value) ? value[0] : value
}

/** A new random signing secret, `whsec_` + base64 of 24 random bytes. */
export function generateSigningSecret(): string {
  return SIGNING_SECRET_PREFIX + toBase64(randomBytes(24))
}

/** The HMAC key bytes of a Standard Webhooks secret (`whsec_` optional), or `undefined` if not base64. */
export function decodeSigningSecret(secret: string): Uint8Array | undefined {
  const body = secret.startsWith(SIGNING_SECRET_PREFIX) ? secret.slice(SIGNING_SECRET_PREFIX.length) : secret
  const bytes = fromBase64(body)
  return bytes && bytes.length > 0 ? bytes : undefined
}

const keyCache = new Map<string, Promise<CryptoKey>>()
const KEY_CACHE_LIMIT = 1_000

function hmacKey(cacheKey: string, raw: Uint8Array): Promise<CryptoKey> {
  let key = keyCache.get(cacheKey)
  if (!key) {
    if (keyCache.size >= KEY_CACHE_LIMIT) keyCache.clear()
    key = crypto.subtle.importKey('raw', raw as BufferSource, { name: 'HMAC', hash: 'SHA-256' }, false, [
      'sign',
      'verify',
    ])
    keyCache.set(cacheKey, key)
  }
  return key
}

function standardKey(secret: string): Promise<CryptoKey> {
  const raw = decodeSigningSecret(secret)
  if (!raw) throw new TypeError('signing secret is not whsec_ followed by base64')
  return hmacKey(`s:${secret}`, raw)
}

const legacyKey = (secret: string) => hmacKey(`l:${secret}`, utf8(secret))

function signedContent(id: string, timestamp: number, body: string | Uint8Array): Uint8Array {
  return concatBytes(utf8(`${id}.${timestamp}.`), toBytes(body))
}

/** `v1,<base64>` for one secret. Throws a `TypeError` for a secret that is not `whsec_<base64>`. */
export async function signStandardWebhook(
  secret: string,
  id: string,
  timestampSeconds: number,
  body: string | Uint8Array,
): Promise<string> {
  const key = await standardKey(secret)
  const mac = await crypto.subtle.sign('HMAC', key, signedContent(id, timestampSeconds, body) as BufferSource)
  return `v1,${toBase64(new Uint8Array(mac))}`
}

/**
 * The three Standard Webhooks headers for a body. Pass several secrets during a rotation; each signs.
 * `timestampSeconds` defaults to now.
 */
export async function createSignatureHeaders(options: {
  secrets: string | readonly string[]
  id: string
  body: string | Uint8Array
  timestampSeconds?: number
}): Promise<Record<string, string>> {
  const timestamp = options.timestampSeconds ?? Math.floor(Date.now() / 1000)
  const secrets = typeof options.secrets === 'string' ? [options.secrets] : options.secrets
  const signatures = await Promise.all(secrets.map((s) => signStandardWebhook(s, options.id, timestamp, options.body)))
  return {
    [WEBHOOK_ID_HEADER]: options.id,
    [WEBHOOK_TIMESTAMP_HEADER]: String(timestamp),
    [WEBHOOK_SIGNATURE_HEADER]: signatures.join(' '),
  }
}

/** The seed's legacy signature: hex HMAC-SHA256 of the raw body keyed with the secret's UTF-8 bytes. */
export async function signLegacy(secret: string, body: string | Uint8Array): Promise<string> {
  const mac = await crypto.subtle.sign('HMAC', await legacyKey(secret), toBytes(body) as BufferSource)
  return toHex(new Uint8Array(mac))
}

const fail = (code: SignatureErrorCode, message: string): SignatureCheck => ({ ok: false, code, message })

/** Verifies Standard Webhooks headers against any of `secrets`. */
export async function verifyStandardWebhook(options: {
  secrets: readonly string[]
  id: string | undefined
  timestamp: string | undefined
  signature: string | undefined
  body: string | Uint8Array
  nowMs?: number
  toleranceSeconds?: number
}): Promise<SignatureCheck> {
  const { id, timestamp, signature } = options
  if (!id || !timestamp || !signature) {
    return fail('signature_malformed', 'webhook-id, webhook-timestamp and webhook-signature must all be present')
  }
  if (id.length > MAX_BATCH_ID_LENGTH || !BATCH_ID_PATTERN.test(id)) {
    return fail('signature_malformed', `webhook-id must be 1-${MAX_BATCH_ID_LENGTH} characters of A-Z a-z 0-9 _ . : -`)
  }
  if (!/^\d{1,12}$/.test(timestamp)) {
    return fail('signature_malformed', 'webhook-timestamp must be an integer number of Unix seconds')
  }
  const ts = Number(timestamp)
  const now = Math.floor((options.nowMs ?? Date.now()) / 1000)
  const tolerance = options.toleranceSeconds ?? SIGNATURE_TOLERANCE_SECONDS
  if (ts < now - tolerance) return fail('timestamp_stale', `webhook-timestamp is more than ${tolerance} s old`)
  if (ts > now + tolerance) return fail('timestamp_future', `webhook-timestamp is more than ${tolerance} s ahead`)

  const candidates: Uint8Array[] = []
  for (const part of signature.split(' ')) {
    const [version, value] = part.split(',', 2)
    if (version !== 'v1' || !value) continue
    const bytes = fromBase64(value)
    if (bytes?.length === 32) candidates.push(bytes)
  }
  if (candidates.length === 0) return fail('signature_malformed', 'webhook-signature has no v1,<base64> signature')

  const content = signedContent(id, ts, options.body) as BufferSource
  for (const secret of options.secrets) {
    if (!decodeSigningSecret(secret)) continue
    const key = await standardKey(secret)
    for (const candidate of candidates) {
      if (await crypto.subtle.verify('HMAC', key, candidate as BufferSource, content)) {
        return { ok: true, scheme: 'standard', batchId: id }
      }
    }
  }
  return fail('signature_mismatch', 'webhook-signature does not match the body for this server')
}

/** Verifies a legacy hex signature against any of `secrets`. The batch id is `sha256:<hex of body>`. */
export async function verifyLegacySignature(options: {
  secrets: readonly string[]
  signature: string
  body: string | Uint8Array
}): Promise<SignatureCheck> {
  const given = fromHex(options.signature.trim().replace(/^sha256=/, ''))
  if (!given || given.length !== 32) {
    return fail('signature_malformed', 'X-Signature must be the 64-character hex HMAC-SHA256 of the body')
  }
  const body = toBytes(options.body)
  for (const secret of options.secrets) {
    const ok = await crypto.subtle.verify('HMAC', await legacyKey(secret), given as BufferSource, body as BufferSource)
    if (ok) return { ok: true, scheme: 'legacy', batchId: `sha256:${await sha256Hex(body)}` }
  }
  return fail('signature_mismatch', 'X-Signature does not match the body for this server')
}

/**
 * Verifies whichever signature a request carries: Standard Webhooks headers when any is present, else the
 * legacy `X-Signature` / `X-Webhook-Signature`; `signature_missing` when there is none.
 */
export async function verifySignedRequest(options: {
  headers: HeaderSource
  body: string | Uint8Array
  secrets: readonly string[]
  nowMs?: number
  toleranceSeconds?: number
}): Promise<SignatureCheck> {
  const { headers } = options
  const id = readHeader(headers, WEBHOOK_ID_HEADER)
  const timestamp = readHeader(headers, WEBHOOK_TIMESTAMP_HEADER)
  const signature = readHeader(headers, WEBHOOK_SIGNATURE_HEADER)
  if (signature !== undefined || (timestamp !== undefined && id !== undefined)) {
    return verifyStandardWebhook({ ...options, id, timestamp, signature })
  }
  for (const name of LEGACY_SIGNATURE_HEADERS) {
    const legacy = readHeader(headers, name)
    if (legacy !== undefined) return verifyLegacySignature({ secrets: options.secrets, signature: legacy, body: options.body })
  }
  return fail('signature_missing', 'the batch is not signed: send webhook-signature (or X-Signature)')
}
