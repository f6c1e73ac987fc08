import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningService, startService } from '../src/testing'
import { addServer, cli, post, signedHeaders, storedPoints } from './helpers'

let service: RunningService
let dir: string
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mcpdir-cli-'))
  service = await startService()
})
afterAll(async () => {
  await service.stop()
  rmSync(dir, { recursive: true, force: true })
})

describe('mcpdir-metrics CLI beside a running service', () => {
  it('prints a generated admin key once, on first start only', async () => {
    expect(service.stderr()).toMatch(/Admin key \(shown once.*\): mcpa_[0-9A-Za-z]{36}/)
  })

  it('adds, lists, disables and removes servers; refuses duplicates and bad ids', () => {
    const created = addServer(service.dbPath, 'cli-one', '--name', 'CLI One', '--private')
    expect(created.api_key).toMatch(/^mcpm_/)
    expect(created.signing_secret).toMatch(/^whsec_/)
    expect(created.read_token).toMatch(/^mcpr_/)
    const human = cli(['servers', 'add', 'cli-two'], service.dbPath)
    expect(human.stdout).toContain('MCPDIR_API_KEY=mcpm_')
    expect(cli(['servers', 'add', 'cli-two'], service.dbPath)).toMatchObject({ code: 1, stderr: expect.stringContaining('already exists') })
    expect(cli(['servers', 'add', '../x'], service.dbPath).code).toBe(2)
    const list = JSON.parse(cli(['servers', 'list', '--json'], service.dbPath).stdout) as { id: string; isPrivate: boolean }[]
    expect(list.map((s) => [s.id, s.isPrivate])).toEqual([
      ['cli-one', true],
      ['cli-two', false],
    ])
    expect(cli(['servers', 'list'], service.dbPath).stdout).toContain('cli-one\tCLI One\tprivate')
    expect(cli(['servers', 'remove', 'cli-two'], service.dbPath).code).toBe(0)
    expect(cli(['servers', 'remove', 'cli-two'], service.dbPath).code).toBe(1)
    expect(cli(['keys', 'rotate', 'nobody'], service.dbPath).code).toBe(1)
    expect(cli(['servers', 'frobnicate', 'x'], service.dbPath).code).toBe(2)
  })

  it('backs up the database online, with what the service acknowledged', async () => {
    const creds = addServer(service.dbPath, 'backed-up')
    const payload = JSON.stringify({ server_id: 'backed-up', metrics: [{ name: 'x', value: 42, type: 'gauge' }] })
    expect((await post(`${service.url}/functions/v1/metrics-collect`, payload, await signedHeaders(creds, payload))).status).toBe(200)
    const file = join(dir, 'backup.db')
    const result = cli(['backup', file], service.dbPath)
    expect(result.code).toBe(0)
    expect(storedPoints(file).filter((p) => p.server_id === 'backed-up').map((p) => p.sum)).toEqual([42])
    expect(statSync(file).size).toBeGreaterThan(0)
    expect((await fetch(`${service.url}/healthz`)).status).toBe(200)
  })
})
