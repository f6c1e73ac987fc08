import { spawnSync } from 'node:child_process'
import { statSync } from 'node:fs'
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

  it('answers bad arguments with a message and exit code 2', () => {
    const result = spawnSync(process.execPath, [CLI, 'serve', '--port', 'eighty'], { encoding: 'utf8' })
    expect(result.status).toBe(2)
    expect(result.stderr).toContain('--port must be an integer')
    const unknown = spawnSync(process.execPath, [CLI, 'serve', '--colour'], { encoding: 'utf8' })
    expect(unknown.status).toBe(2)
    expect(unknown.stderr).toContain("Unknown option '--colour'")
    expect(spawnSync(process.execPath, [CLI, 'frobnicate'], { encoding: 'utf8' }).status).toBe(2)
  })

  it('prints usage for --help', () => {
    const result = spawnSync(process.execPath, [CLI, 'serve', '--help'], { encoding: 'utf8' })
    expect(result.status).toBe(0)
    expect(result.stdout).toContain('Usage: mcpdir-metrics serve')
  })
})
