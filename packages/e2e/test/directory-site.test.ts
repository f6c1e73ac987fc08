// The example directory site (built with Vite) on its own origin, reading metrics cross-origin from the real
// service and tracking a view and an install, in headless Chromium.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, resolve } from 'node:path'
import { type MetricsFetchResponse, ROUTES } from '@mcpdir/metrics/protocol'
import { CLI, type RunningService, startService } from '@mcpdir/metrics-server/testing'
import { chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const SITE = resolve(import.meta.dirname, '../../../examples/directory-site/dist')
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' }

let service: RunningService
let site: Server
let siteUrl: string

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) return
  service = await startService()
  spawnSync(process.execPath, [CLI, 'servers', 'add', 'site-demo', '--name', 'Site Demo', '--db', service.dbPath])
  site = createServer((req, res) => {
    const path = join(SITE, new URL(req.url ?? '/', 'http://x').pathname)
    const file = existsSync(path) && !path.endsWith('/') ? path : join(SITE, 'index.html')
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' })
    res.end(readFileSync(file))
  })
  await new Promise<void>((ok) => site.listen(0, '127.0.0.1', ok))
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`
})
afterAll(async () => {
  await new Promise((ok) => site?.close(ok))
  await service?.stop()
})

describe.runIf(existsSync(CHROMIUM))('example directory site', () => {
  it('shows the tab from another origin and tracks the view and the install', async () => {
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] })
    // headless Chromium says so in its user agent, and the service rightly ignores bots: look like a person
    const page = await browser.newPage({
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/150.0.0.0 Safari/537.36',
    })
    const problems: string[] = []
    page.on('console', (msg) => msg.type() === 'error' && problems.push(msg.text()))
    page.on('pageerror', (error) => problems.push(error.message))
    await page.goto(`${siteUrl}/?metrics=${encodeURIComponent(service.url)}&server=site-demo`)
    await page.getByRole('heading', { name: 'Site Demo' }).waitFor()
    await page.getByRole('status').filter({ hasText: 'No metrics yet' }).waitFor()
    await page.getByRole('button', { name: /Install/ }).click()
    await page.close({ runBeforeUnload: true }) // pagehide: the batch goes out with sendBeacon
    await expect
      .poll(async () => {
        const report = (await (await fetch(`${service.url}${ROUTES.metricsFetch}?server_id=site-demo&period=1h`)).json()) as MetricsFetchResponse
        return [report.usage.totals.views, report.usage.totals.installs]
      }, { timeout: 10_000 })
      .toEqual([1, 1])
    expect(problems).toEqual([])
    await browser.close()
  })
})
