import { spawnSync } from 'node:child_process'
import { request } from 'node:http'
import Database from 'better-sqlite3'
import { createSignatureHeaders, signLegacy } from '@mcpdir/metrics/protocol'
import { blockPoints, type PackedPoint } from '../src/store/sql/point-block'
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

/** A raw point with its series spelled out. */
export interface StoredPoint extends PackedPoint {
  server_id: string
  name: string
  type: string
  /** Canonical JSON. */
  tags: string
}

/** Every raw point (blocks unpacked) with its series spelled out, in stored order, read straight from a database file or connection. */
export function storedPoints(db: string | Database.Database): StoredPoint[] {
  const conn = typeof db === 'string' ? new Database(db, { readonly: true }) : db
  try {
    const series = new Map((conn.prepare('SELECT id, name, type, tags FROM series').all() as { id: number; name: string; type: string; tags: string }[]).map((s) => [s.id, s]))
    const blocks = conn.prepare('SELECT server_id, data FROM metric_blocks ORDER BY id').all() as { server_id: string; data: Buffer }[]
    return blocks.flatMap(({ server_id, data }) =>
      blockPoints(data).map((p) => {
        const s = series.get(p.seriesId)
        if (!s) throw new Error(`point of unknown series ${p.seriesId}`)
        return { server_id, name: s.name, type: s.type, tags: s.tags, ...p }
      }),
    )
  } finally {
    if (typeof db === 'string') conn.close()
  }
}

/** The sum of the `sum` of the stored points matching `where`. */
export const sumOfPoints = (db: string | Database.Database, where: (p: StoredPoint) => boolean) => storedPoints(db).filter(where).reduce((total, p) => total + p.sum, 0)

/** Rows in every data table, read straight from the database file. */
export function rowCounts(db: string) {
  const conn = new Database(db, { readonly: true })
  try {
    const count = (table: string) => (conn.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n
    return {
      raw_points: (conn.prepare('SELECT coalesce(sum(points), 0) AS n FROM metric_blocks').get() as { n: number }).n,
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
 * Sends `chunks` × `chunkBytes` with the total declared, `pauseMs` between chunks, as a slow client that sends its
 * whole body before it reads the answer. Resolves with the answer once both are done; rejects if the connection
 * fails before then (a write or the answer cut off) or if no answer has come within 10 s.
 */
export function postSlowly(url: string, chunks: number, chunkBytes: number, pauseMs: number, headers: Record<string, string>) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    let sent = false
    let answer: { status: number; body: string } | undefined
    const settle = () => {
      if (!sent || !answer) return
      clearTimeout(timer)
      resolve(answer)
    }
    const fail = (error: Error) => {
      clearTimeout(timer)
      req.destroy()
      reject(error)
    }
    const timer = setTimeout(() => fail(new Error('no answer within 10 s')), 10_000)
    const req = request(url, { method: 'POST', agent: false, headers: { ...headers, 'content-length': String(chunks * chunkBytes) } }, (res) => {
      let body = ''
      res.on('data', (c) => (body += c))
      res.on('error', fail)
      res.on('end', () => {
        answer = { status: res.statusCode ?? 0, body }
        settle()
      })
      res.on('close', () => {
        if (!answer) fail(new Error('the connection closed before the answer ended'))
      })
    })
    req.on('error', (error) => {
      if (!(sent && answer)) fail(error)
    })
    const chunk = Buffer.alloc(chunkBytes, 0x20)
    void (async () => {
      for (let i = 0; i < chunks; i++) {
        if (i > 0) await new Promise((r) => setTimeout(r, pauseMs))
        await new Promise<void>((done, failed) => req.write(chunk, (error) => (error ? failed(error) : done())))
      }
      req.end()
      sent = true
      settle()
    })().catch(fail)
  })
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
