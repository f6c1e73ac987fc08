import { spawnSync } from 'node:child_process'
import { request } from 'node:http'
import Database from 'better-sqlite3'
import { createSignatureHeaders, signLegacy } from '@mcpdir/metrics/protocol'
import { CLI } from '../src/testing'

export const ADMIN_KEY = 'test-admin-key-0123456789'

export interface Credentials {
  server_id: string
  api_key: string
  signing_secret: string
  read_token?: string
}

/** Runs the real CLI against a database; returns exit code and output. */
export function cli(args: string[], db: string) {
  const result = spawnSync(process.execPath, [CLI, ...args, '--db', db], { encoding: 'utf8' })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}

export function addServer(db: string, id: string, ...flags: string[]): Credentials {
  const result = cli(['servers', 'add', id, '--json', ...flags], db)
  if (result.code !== 0) throw new Error(result.stderr)
  return JSON.parse(result.stdout) as Credentials
}

/** Raw points with their series spelled out (server_id, name, type, tags), for queries in tests. */
export const POINTS = '(SELECT s.server_id, s.name, s.type, s.tags, p.* FROM metric_points p JOIN series s ON s.id = p.series_id)'

/** Rows in every data table, read straight from the database file. */
export function rowCounts(db: string) {
  const conn = new Database(db, { readonly: true })
  try {
    const count = (table: string) => (conn.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n
    return {
      metric_points: count('metric_points'),
      server_events: count('server_events'),
      server_usage: count('server_usage'),
      ingest_batches: count('ingest_batches'),
    }
  } finally {
    conn.close()
  }
}

export function query<T>(db: string, sql: string, ...params: unknown[]): T[] {
  const conn = new Database(db, { readonly: true })
  try {
    return conn.prepare(sql).all(...params) as T[]
  } finally {
    conn.close()
  }
}

export async function signedHeaders(creds: Credentials, body: string, options: { id?: string; timestampSeconds?: number; secret?: string } = {}) {
  return {
    'content-type': 'application/json',
    'x-api-key': creds.api_key,
    ...(await createSignatureHeaders({
      secrets: options.secret ?? creds.signing_secret,
      id: options.id ?? `b_${Math.random().toString(36).slice(2)}`,
      body,
      ...(options.timestampSeconds !== undefined && { timestampSeconds: options.timestampSeconds }),
    })),
  }
}

export async function legacyHeaders(creds: Credentials, body: string) {
  return { 'content-type': 'application/json', 'X-API-Key': creds.api_key, 'X-Signature': await signLegacy(creds.signing_secret, body) }
}

export async function post(url: string, body: string | Uint8Array, headers: Record<string, string>) {
  const response = await fetch(url, { method: 'POST', headers, body: body as BodyInit })
  const text = await response.text()
  let json: { success?: boolean; error?: { code: string; message: string; path?: string }; [k: string]: unknown } = {}
  try {
    json = JSON.parse(text)
  } catch {
    // not JSON: the assertion on json will say so
  }
  return { status: response.status, json, headers: response.headers }
}

/**
 * Streams up to `chunks` × `chunkBytes` on a connection of its own: chunked (no Content-Length), as a
 * streaming client would, or with the total declared up front. Stops writing as soon as the service answers
 * (it may answer 413 and close before reading everything).
 */
export function postStream(url: string, chunks: number, chunkBytes: number, headers: Record<string, string>, declare = false) {
  const length = declare ? { 'content-length': String(chunks * chunkBytes) } : { 'transfer-encoding': 'chunked' }
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    let answered = false
    const req = request(url, { method: 'POST', agent: false, headers: { ...headers, ...length } }, (res) => {
      answered = true
      let body = ''
      res.on('data', (c) => (body += c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', (error) => {
      if (!answered) reject(error)
    })
    const chunk = Buffer.alloc(chunkBytes, 0x20)
    const write = async () => {
      for (let sent = 0; sent < chunks && !answered && !req.destroyed; sent++) {
        if (!req.write(chunk)) await new Promise((r) => req.once('drain', r))
        await new Promise((r) => setImmediate(r))
      }
      if (!answered && !req.destroyed) req.end()
    }
    void write()
  })
}
