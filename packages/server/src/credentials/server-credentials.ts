// Registering servers and rotating their credentials: shared by the CLI and the admin endpoints.
import { newCredentials } from './keys'
import type { Store } from '../store/store'

export interface RegisterOptions {
  id: string
  name?: string
  isPrivate?: boolean
  requireSignature?: boolean
}

/** Credentials as shown to the operator, once. */
export interface ShownCredentials {
  server_id: string
  api_key: string
  signing_secret: string
  read_token?: string
}

/** Creates a server; throws `StoreConflictError` when the id is taken. */
export async function registerServer(store: Store, options: RegisterOptions, now: number): Promise<ShownCredentials> {
  const isPrivate = options.isPrivate ?? false
  const { stored, shown } = newCredentials(isPrivate)
  await store.createServer(
    { id: options.id, name: options.name ?? options.id, isPrivate, requireSignature: options.requireSignature ?? true },
    stored,
    now,
  )
  return {
    server_id: options.id,
    api_key: shown.ingestKey,
    signing_secret: shown.signingSecret,
    ...(shown.readToken && { read_token: shown.readToken }),
  }
}

/** New key, secret (and read token for private servers); the old ones keep working for `graceMs`. */
export async function rotateServerKeys(store: Store, id: string, graceMs: number, now: number): Promise<ShownCredentials | undefined> {
  const server = await store.getServer(id)
  if (!server) return undefined
  const { stored, shown } = newCredentials(server.isPrivate)
  await store.rotateCredentials(id, stored, now + graceMs, now)
  return {
    server_id: id,
    api_key: shown.ingestKey,
    signing_secret: shown.signingSecret,
    ...(shown.readToken && { read_token: shown.readToken }),
  }
}
