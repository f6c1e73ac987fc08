// Starts the built CLI as a real child process on a temporary database, for integration tests.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

export const CLI = resolve(import.meta.dirname, '../dist/cli.js')

export interface RunningService {
  url: string
  dir: string
  dbPath: string
  child: ChildProcess
  stderr: () => string
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>
}

export async function startService(options: { env?: Record<string, string>; args?: string[]; dir?: string } = {}) {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'mcpdir-test-'))
  const dbPath = join(dir, 'metrics.db')
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--db', dbPath, ...(options.args ?? [])], {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  const url = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`service did not start:\n${stderr}`)), 15_000)
    child.stderr.setEncoding('utf8')
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk
      const match = /"url":"(http:\/\/[^"]+)"/.exec(stderr)
      if (match) {
        clearTimeout(timer)
        ok(match[1] as string)
      }
    })
    child.on('exit', (code) => {
      clearTimeout(timer)
      fail(new Error(`service exited with ${code}:\n${stderr}`))
    })
  })
  const exited = new Promise<number | null>((ok) => child.on('exit', (code) => ok(code)))
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
  } satisfies RunningService
}
