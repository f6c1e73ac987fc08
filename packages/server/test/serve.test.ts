import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { CLI, type RunningService, startService } from '../src/testing'

let service: RunningService | undefined
afterEach(async () => {
  await service?.stop()
  service = undefined
})

describe('mcpdir-metrics serve', () => {
  it('answers GET /healthz with 200 on its SQLite database, created with mode 0600', async () => {
    service = await startService()
    const response = await fetch(`${service.url}/healthz`)
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ status: 'ok', database: 'sqlite' })
    expect(statSync(service.dbPath).mode & 0o777).toBe(0o600)
  })

  it('stops cleanly on SIGTERM', async () => {
    const running = await startService()
    expect(await running.stop()).toBe(0)
  })

  it('stops cleanly on a SIGTERM that arrives while it is still starting', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcpdir-test-'))
    const env = { ...process.env }
    delete env.MCPDIR_ADMIN_KEY
    const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--db', join(dir, 'metrics.db')], { env, stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
    child.stderr.setEncoding('utf8')
    child.stderr.on('data', (chunk: string) => {
      // The generated admin key is printed before the service listens: the signal lands mid-start.
      if (!stderr.includes('Admin key') && (stderr + chunk).includes('Admin key')) child.kill('SIGTERM')
      stderr += chunk
    })
    try {
      expect(await exited).toBe(0)
      expect(stderr).toContain('"signal":"SIGTERM"')
      expect(stderr).toContain('"msg":"stopped"')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('answers bad arguments with a message and exit code 2', () => {
    const result = spawnSync(process.execPath, [CLI, 'serve', '--port', 'eighty'], { encoding: 'utf8' })
    expect(result.status).toBe(2)
    expect(result.stderr).toContain('--port must be an integer')
    const unknown = spawnSync(process.execPath, [CLI, 'serve', '--colour'], { encoding: 'utf8' })
    expect(unknown.status).toBe(2)
    expect(unknown.stderr).toContain("Unknown option '--colour'")
    expect(spawnSync(process.execPath, [CLI, 'frobnicate'], { encoding: 'utf8' }).status).toBe(2)
    for (const bad of ['0', '-5', 'lots']) {
      const cache = spawnSync(process.execPath, [CLI, 'serve', `--series-cache-mb=${bad}`], { encoding: 'utf8' })
      expect(cache.status).toBe(2)
      expect(cache.stderr).toContain(`--series-cache-mb must be a number of MB above 0, got "${bad}"`)
    }
  })

  it('prints usage for --help', () => {
    const result = spawnSync(process.execPath, [CLI, 'serve', '--help'], { encoding: 'utf8' })
    expect(result.status).toBe(0)
    expect(result.stdout).toContain('Usage: mcpdir-metrics serve')
  })
})
