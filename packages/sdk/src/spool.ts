// Batches that could not be sent before the process ended are written to a small file in the user's cache
// directory and sent by the next process with the same server id. Batch ids are kept, so a batch that did
// reach the service before the process died is recognised there as a retry. The file is bounded, written
// atomically (temp file + rename), claimed by rename so two processes never both send it, and a file that
// cannot be read is skipped and removed, never fatal.
import type * as Fs from 'node:fs'
import type * as Os from 'node:os'
import type * as Path from 'node:path'
import { type Batch, byteLength } from './batch'
import type { Reporter } from './errors'
import { BATCH_ID_PATTERN } from './protocol/index'

export interface Spool {
  readonly path: string
  /** Takes the spooled batches (removing the file). */
  claim(): Batch[]
  /** Replaces the spool with `batches`, newest kept within the size bound; removes it when empty. */
  save(batches: readonly Batch[]): void
}

interface NodeModules {
  fs: typeof Fs
  os: typeof Os
  path: typeof Path
}

/** Node's fs, os and path without a static import, so the SDK still loads where they do not exist. */
function nodeModules(): NodeModules | undefined {
  const get = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule
  if (typeof get !== 'function') return undefined
  return { fs: get('node:fs') as typeof Fs, os: get('node:os') as typeof Os, path: get('node:path') as typeof Path }
}

/** The per-user cache directory for spool files. */
export function defaultSpoolDir(env: Record<string, string | undefined>): string | undefined {
  const node = nodeModules()
  if (!node) return undefined
  const { os, path } = node
  if (env.MCPDIR_SPOOL_DIR) return env.MCPDIR_SPOOL_DIR
  const home = os.homedir()
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Caches', 'mcpdir-metrics')
  if (process.platform === 'win32') return path.join(env.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local'), 'mcpdir-metrics')
  return path.join(env.XDG_CACHE_HOME ?? path.join(home, '.cache'), 'mcpdir-metrics')
}

function isBatch(value: unknown): value is Batch {
  if (typeof value !== 'object' || value === null) return false
  const b = value as Record<string, unknown>
  const strings = (list: unknown) => Array.isArray(list) && list.every((s) => typeof s === 'string' && s.startsWith('{'))
  return typeof b.id === 'string' && b.id.length <= 128 && BATCH_ID_PATTERN.test(b.id) && strings(b.points) && strings(b.events)
}

export function createSpool(options: { dir: string; serverId: string; maxBytes: number; reporter: Reporter; onDropped: (batches: Batch[]) => void }): Spool | undefined {
  const node = nodeModules()
  if (!node) return undefined
  const { fs, path } = node
  const file = path.join(options.dir, `${options.serverId}.spool.json`)
  /** Ids this process spooled: on a later save, those no longer pending were delivered meanwhile. */
  const mine = new Set<string>()

  const spool: Spool = {
    path: file,
    claim() {
      const claimed = `${file}.${process.pid}.claim`
      try {
        fs.renameSync(file, claimed)
      } catch {
        return []
      }
      try {
        const parsed = JSON.parse(fs.readFileSync(claimed, 'utf8')) as { v?: unknown; batches?: unknown }
        if (parsed.v !== 1 || !Array.isArray(parsed.batches)) throw new Error('not a version 1 spool file')
        const batches = parsed.batches.filter(isBatch).map((b) => ({
          id: b.id,
          points: b.points,
          events: b.events,
          bytes: [...b.points, ...b.events].reduce((n, s) => n + byteLength(s) + 1, 0),
        }))
        if (batches.length < parsed.batches.length) {
          options.reporter.error('spool_failed', `skipped ${parsed.batches.length - batches.length} malformed batches in ${file}`)
        }
        return batches
      } catch (error) {
        options.reporter.error('spool_failed', `skipped unreadable spool file ${file}: ${(error as Error).message}`, error)
        return []
      } finally {
        try {
          fs.rmSync(claimed, { force: true })
        } catch {
          // already gone
        }
      }
    },
    save(current) {
      try {
        // Another process of the same server may have spooled meanwhile: keep its batches too.
        const ids = new Set(current.map((b) => b.id))
        const others = spool.claim().filter((b) => !ids.has(b.id) && !mine.has(b.id))
        const batches = [...others, ...current]
        if (batches.length === 0) return
        const kept: Batch[] = []
        let bytes = 0
        for (let i = batches.length - 1; i >= 0; i--) {
          const batch = batches[i] as Batch
          if (bytes + batch.bytes > options.maxBytes) break
          kept.unshift(batch)
          bytes += batch.bytes
        }
        if (kept.length < batches.length) options.onDropped(batches.slice(0, batches.length - kept.length))
        fs.mkdirSync(options.dir, { recursive: true, mode: 0o700 })
        const tmp = `${file}.${process.pid}.tmp`
        const content = JSON.stringify({ v: 1, batches: kept.map(({ id, points, events }) => ({ id, points, events })) })
        fs.writeFileSync(tmp, content, { mode: 0o600 })
        fs.renameSync(tmp, file)
        for (const batch of kept) mine.add(batch.id)
      } catch (error) {
        options.reporter.error('spool_failed', `could not write spool file ${file}: ${(error as Error).message}`, error)
      }
    },
  }
  return spool
}
