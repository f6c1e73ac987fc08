// Credentials, GitHub-style: a type prefix, 30 random base62 characters (~178 bits), then a 6-character
// base62 CRC32 of the rest, so a leaked key is recognisable offline and a mistyped one is refused before any
// lookup. The checksum proves nothing; only the stored SHA-256 does.
import { createHash, randomInt } from 'node:crypto'
import { crc32 } from 'node:zlib'
import { generateSigningSecret } from '@mcpdir/metrics/protocol'
import type { ServerCredentials } from '../store/store'

export const KEY_PREFIXES = { ingest: 'mcpm_', read: 'mcpr_', admin: 'mcpa_' } as const
export type CredentialKind = keyof typeof KEY_PREFIXES

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
const RANDOM_CHARS = 30
const CHECKSUM_CHARS = 6

function base62(value: number, width: number): string {
  let out = ''
  for (let i = 0; i < width; i++) {
    out = BASE62[value % 62] + out
    value = Math.floor(value / 62)
  }
  return out
}

function checksum(body: string): string {
  return base62(crc32(body), CHECKSUM_CHARS)
}

export function generateKey(kind: CredentialKind): string {
  let random = ''
  for (let i = 0; i < RANDOM_CHARS; i++) random += BASE62[randomInt(62)]
  const body = KEY_PREFIXES[kind] + random
  return body + checksum(body)
}

/** True when `key` has the shape and checksum of a `kind` key. */
export function isWellFormedKey(kind: CredentialKind, key: string): boolean {
  const prefix = KEY_PREFIXES[kind]
  if (key.length !== prefix.length + RANDOM_CHARS + CHECKSUM_CHARS || !key.startsWith(prefix)) return false
  if (!/^[0-9A-Za-z]+$/.test(key.slice(prefix.length))) return false
  const body = key.slice(0, -CHECKSUM_CHARS)
  return checksum(body) === key.slice(-CHECKSUM_CHARS)
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex')
}

/** The first characters of a key, safe to show in listings. */
export function keyPrefix(key: string): string {
  return `${key.slice(0, 9)}…`
}

/** Fresh credentials for a server: what to store, and what to show once. */
export function newCredentials(withReadToken: boolean) {
  const ingestKey = generateKey('ingest')
  const signingSecret = generateSigningSecret()
  const readToken = withReadToken ? generateKey('read') : undefined
  const stored: ServerCredentials = {
    ingestKeyHash: hashKey(ingestKey),
    ingestKeyPrefix: keyPrefix(ingestKey),
    signingSecret,
    ...(readToken && { readTokenHash: hashKey(readToken), readTokenPrefix: keyPrefix(readToken) }),
  }
  return { stored, shown: { ingestKey, signingSecret, ...(readToken && { readToken }) } }
}
