/**
 * `@mcpdir/metrics-server/testing`: start the real service as a child process on a throwaway database, for
 * integration and end-to-end tests (this repository's, and yours).
 *
 * @packageDocumentation
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The CLI entry (the built one, also when this module runs from source under a test runner). */
export const CLI = fileURLToPath(new URL(import.meta.url.includes('/src/') ? '../../dist/cli.js' : './cli.js', import.meta.url))

export interface RunningService {
  /** `http://127.0.0.1:<port>` */
  url: string
  /** The temporary directory holding the database. */
  dir: string
  dbPath: string
  child: ChildProcess
  /** Everything the service wrote to stderr so far. */
  stderr(): string
  /** Sends SIGTERM, waits for the exit, removes the temporary directory; resolves with the exit code. */
  stop(): Promise<number | null>
}

export interface StartServiceOptions {
  env?: Record<string, string>
  /** More `serve` arguments. */
  args?: string[]
  /** Use this directory (kept on stop) instead of a fresh temporary one. */
  dir?: string
}

/** Runs `mcpdir-metrics serve --port 0` on a temporary SQLite file and resolves once it listens. */
export async function startService(options: StartServiceOptions = {}): Promise<RunningService> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'mcpdir-test-'))
  const dbPath = join(dir, 'metrics.db')
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--db', dbPath, ...(options.args ?? [])], {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`service did not start:\n${stderr}`)), 15_000)
    child.stderr?.setEncoding('utf8')
    child.stderr?.on('data', (chunk: string) => {
      stderr += chunk
      const match = /"url":"(http:\/\/[^"]+)"/.exec(stderr)
      if (match) {
        clearTimeout(timer)
        resolve(match[1] as string)
      }
    })
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`service exited with ${code}:\n${stderr}`))
    })
  })
  return {
    url,
    dir,
    dbPath,
    child,
    stderr: () => stderr,
    async stop() {
      child.kill('SIGTERM')
      const code = await exited
      if (!options.dir) rmSync(dir, { recursive: true, force: true })
      return code
    },
  }
}

