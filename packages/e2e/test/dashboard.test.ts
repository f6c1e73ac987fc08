// The dashboard and its MetricsTab in headless Debian Chromium, against the real service with data sent by
// the real SDK: charts are drawn, switching period refetches, the keyboard works, live mode shows new data
// after an SDK flush without a refetch, and the console stays clean. A screenshot is kept as an artifact.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import { createMetrics, type Metrics } from '@mcpdir/metrics'
import { createSignatureHeaders, ROUTES } from '@mcpdir/metrics/protocol'
import { CLI, type RunningService, startService } from '@mcpdir/metrics-server/testing'
import { type Browser, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startCutProxy } from './cut-proxy'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const ARTIFACTS = resolve(import.meta.dirname, '../test-artifacts')
const haveChromium = existsSync(CHROMIUM)
if (!haveChromium) {
  if (process.env.CI) throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium for these tests`)
  console.warn(`\n*** SKIPPING browser tests: no Chromium at ${CHROMIUM} (apt-get install chromium) ***\n`)
}

let service: RunningService
let browser: Browser
let metrics: Metrics
let creds: { api_key: string; signing_secret: string }
const SERVER = 'e2e-demo'

async function seedHistory() {
  // an hour of tool calls, one batch a minute, so the charts have a shape
  const now = Date.now()
  const points = []
  for (let m = 59; m >= 1; m--) {
    const timestamp = now - m * 60_000
    points.push(
      { name: 'mcp.tool.calls', type: 'counter', count: 10 + (m % 7), sum: 10 + (m % 7), timestamp, tags: { tool: 'search', outcome: 'ok', client: 'claude-ai' } },
      { name: 'mcp.tool.calls', type: 'counter', value: m % 5 === 0 ? 2 : 0, timestamp, tags: { tool: 'search', outcome: 'error', client: 'claude-ai' } },
      { name: 'mcp.tool.calls', type: 'counter', value: m % 10 === 0 ? 1 : 0, timestamp, tags: { tool: 'search', outcome: 'client_error', client: 'claude-ai' } },
      { name: 'mcp.tool.duration', type: 'timer', value: 50 + ((m * 37) % 200), timestamp, tags: { tool: 'search', outcome: 'ok', client: 'claude-ai' } },
      { name: 'queue_depth', type: 'gauge', value: m % 13, timestamp },
    )
  }
  const body = JSON.stringify({ server_id: SERVER, metrics: points, events: [{ type: 'deployment', timestamp: now - 30 * 60_000, details: { version: '1.2.0' } }] })
  const headers = await createSignatureHeaders({ secrets: creds.signing_secret, id: `seed-${now}`, body })
  const response = await fetch(`${service.url}${ROUTES.metricsCollect}`, { method: 'POST', body, headers: { ...headers, 'x-api-key': creds.api_key, 'content-type': 'application/json' } })
  expect(response.status).toBe(200)
  for (const action of ['view', 'view', 'install']) {
    await fetch(`${service.url}${ROUTES.usageTrack}`, {
      method: 'POST',
      body: JSON.stringify({ serverId: SERVER, action }),
      headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0' },
    })
  }
}

beforeAll(async () => {
  if (!haveChromium) return
  service = await startService({ env: { MCPDIR_ADMIN_KEY: 'e2e-admin-key-0123456789' } })
  const added = spawnSync(process.execPath, [CLI, 'servers', 'add', SERVER, '--name', 'E2E Demo', '--json', '--db', service.dbPath], { encoding: 'utf8' })
  creds = JSON.parse(added.stdout)
  await seedHistory()
  metrics = createMetrics({
    serverId: SERVER,
    apiKey: creds.api_key,
    signingSecret: creds.signing_secret,
    endpoint: service.url,
    flushIntervalMs: 60_000,
    handleProcessEvents: false,
    spool: false,
    env: {},
  })
  await metrics.flush()
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage', '--no-first-run', '--disable-sync'],
  })
})

afterAll(async () => {
  await browser?.close()
  await metrics?.shutdown()
  await service?.stop()
})

function watch(page: Page) {
  const problems: string[] = []
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console: ${msg.text()}`)
  })
  page.on('pageerror', (error) => problems.push(`page: ${error.message}`))
  const fetches: string[] = []
  page.on('request', (request) => {
    if (request.url().includes('/metrics-fetch')) fetches.push(request.url())
  })
  return { problems, fetches }
}

/** Share of a canvas's pixels that are painted. */
function paintedShare(page: Page, chart: string) {
  return page.evaluate((title) => {
    const canvas = document.querySelector(`[data-chart="${title}"] canvas`) as HTMLCanvasElement | null
    if (!canvas) return 0
    const { data } = (canvas.getContext('2d') as CanvasRenderingContext2D).getImageData(0, 0, canvas.width, canvas.height)
    let painted = 0
    for (let i = 3; i < data.length; i += 4) if ((data[i] as number) > 0) painted++
    return painted / (data.length / 4)
  }, chart)
}

/**
 * Waits out the last seconds of a UTC minute, so a test on the 1h period (minute buckets) runs within one:
 * its window does not move meanwhile (a moved window drops the oldest minute from every number).
 */
async function awayFromMinuteEnd(needMs = 25_000) {
  const left = 60_000 - (Date.now() % 60_000)
  if (left < needMs) await new Promise((resolve) => setTimeout(resolve, left + 500))
}

const leadingNumber = (text: string) => Number(/^[\d,.]+/.exec(text)?.[0].replace(/,/g, ''))

const cardText = (page: Page, label: string) =>
  page.locator('.mcpdir-card', { has: page.locator('dt', { hasText: new RegExp(`^${label}$`) }) }).locator('dd').innerText()

/** Share of a chart canvas's pixels in colour (the series; axes, grid and labels are grey). */
function colouredShare(page: Page, chart: string) {
  return page.evaluate((title) => {
    const canvas = document.querySelector(`[data-chart="${title}"] canvas`) as HTMLCanvasElement | null
    if (!canvas) return -1
    const { data } = (canvas.getContext('2d') as CanvasRenderingContext2D).getImageData(0, 0, canvas.width, canvas.height)
    let coloured = 0
    for (let i = 0; i < data.length; i += 4) {
      const [r, g, b, a] = [data[i] as number, data[i + 1] as number, data[i + 2] as number, data[i + 3] as number]
      if (a > 128 && Math.max(r, g, b) - Math.min(r, g, b) > 60) coloured++
    }
    return coloured / (data.length / 4)
  }, chart)
}

/**
 * The Tool calls card, the search tool's and claude-ai's table rows, and the sum of the calls chart's data table,
 * read from the page in one go: a refetch landing between separate reads would mix two reports.
 */
async function pageTotals(page: Page) {
  const texts = await page.evaluate(() => {
    const row = (table: string, key: string) =>
      [...document.querySelectorAll(`section[aria-label="${table}"] tbody tr`)].find((tr) => tr.querySelector('th')?.textContent?.trim() === key)?.querySelector('td')?.textContent ?? ''
    const card = [...document.querySelectorAll('.mcpdir-card')].find((c) => c.querySelector('dt')?.textContent?.trim() === 'Tool calls')
    return {
      card: card?.querySelector('dd')?.textContent ?? '',
      tool: row('Tools', 'search'),
      client: row('Clients', 'claude-ai'),
      chart: [...document.querySelectorAll('figure[aria-label="Requests and errors"] details tbody tr')].map((tr) => tr.querySelector('td')?.textContent ?? ''),
    }
  })
  return {
    card: leadingNumber(texts.card),
    tool: leadingNumber(texts.tool),
    client: leadingNumber(texts.client),
    chart: texts.chart.reduce((total, text) => total + leadingNumber(text), 0),
    buckets: texts.chart.map(leadingNumber),
  }
}

describe.runIf(haveChromium)('dashboard in Chromium', () => {
  it('lists the server and opens its MetricsTab with drawn charts', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } })
    const { problems } = watch(page)
    await page.goto(service.url)
    await page.getByRole('link', { name: 'E2E Demo' }).click()
    await page.getByRole('heading', { name: 'E2E Demo' }).waitFor()
    await page.getByRole('radio', { name: '1h' }).click()
    await page.locator('[data-chart="Latency"] canvas').first().waitFor()
    await page.waitForFunction(() => document.querySelectorAll('.mcpdir-chart canvas').length >= 3)
    for (const chart of ['Latency', 'Requests and errors', 'queue_depth']) {
      expect(await paintedShare(page, chart), chart).toBeGreaterThan(0.01)
    }
    expect(await cardText(page, 'Tool calls')).toMatch(/^\d/)
    expect(await cardText(page, 'Client errors')).toMatch(/^5 · /) // the callers' mistakes, apart from the error rate
    expect(await page.getByRole('columnheader', { name: 'Client errors' }).count()).toBe(2) // tools and clients
    expect(await page.getByRole('rowheader', { name: 'search' }).count()).toBe(1)
    mkdirSync(ARTIFACTS, { recursive: true })
    await page.screenshot({ path: resolve(ARTIFACTS, 'metrics-tab.png'), fullPage: true })
    expect(problems).toEqual([])
    await page.close()
  })

  it('refetches on a period change, by mouse and by keyboard', async () => {
    const page = await browser.newPage()
    const { problems, fetches } = watch(page)
    await page.goto(`${service.url}/#${SERVER}`)
    await page.getByRole('heading', { name: 'E2E Demo' }).waitFor()
    const periodOf = (url: string | undefined) => (url ? new URL(url).searchParams.get('period') : null)
    expect(periodOf(fetches.at(-1))).toBe('7d')

    await page.getByRole('radio', { name: '6h' }).click()
    await expect.poll(() => periodOf(fetches.at(-1))).toBe('6h')

    // Tab reaches the selected period; arrow keys move and select
    await page.locator('body').click({ position: { x: 1, y: 1 } })
    let role: string | null = null
    for (let i = 0; i < 15 && role !== 'radio'; i++) {
      await page.keyboard.press('Tab')
      role = await page.evaluate(() => document.activeElement?.getAttribute('role') ?? null)
    }
    expect(role).toBe('radio')
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('6h')
    await page.keyboard.press('ArrowRight')
    await expect.poll(() => periodOf(fetches.at(-1))).toBe('12h')
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-checked'))).toBe('true')
    expect(problems).toEqual([])
    await page.close()
  })

  it('shows new data live after an SDK flush, without refetching', async () => {
    // the 1h window moves at each minute's end (its oldest minute drops out, and the tab refetches): start early
    // in a minute, so the whole test fits in it even on a busy machine. (It once failed one run in four: the
    // service answered the first read of a minute with its kept answer for the minute before, whose window the
    // live calls then moved; metrics-fetch.test.ts holds that.)
    await awayFromMinuteEnd(45_000)
    const page = await browser.newPage()
    const { problems, fetches } = watch(page)
    await page.goto(`${service.url}/#${SERVER}`)
    await page.getByRole('radio', { name: '1h' }).click()
    await expect.poll(() => fetches.filter((u) => u.includes('period=1h')).length).toBe(1)
    await page.getByRole('status').filter({ hasText: /^live$/ }).waitFor()
    const before = leadingNumber(await cardText(page, 'Tool calls'))
    const requests = fetches.length

    metrics.counter('mcp.tool.calls', { tool: 'search', outcome: 'ok', client: 'claude-ai' }).inc(500)
    await metrics.flush()

    await expect
      .poll(async () => leadingNumber(await cardText(page, 'Tool calls')), { timeout: 10_000 })
      .toBe(before + 500)
    expect(fetches.length).toBe(requests)
    // every number on the page comes from the same data: the tool and client tables and the chart's own data
    // table took the live calls too (all calls here are the search tool's, from claude-ai)
    const totals = await pageTotals(page)
    expect({ card: totals.card, tool: totals.tool, client: totals.client, chart: totals.chart }).toEqual({ card: before + 500, tool: before + 500, client: before + 500, chart: before + 500 })
    expect(Math.max(...totals.buckets)).toBeGreaterThanOrEqual(500)
    expect(problems).toEqual([])
    await page.close()
  })

  it('refetches what the stream missed once it reconnects, not from the browser cache', async () => {
    const proxy = await startCutProxy(service.url)
    await awayFromMinuteEnd()
    const page = await browser.newPage()
    const { problems, fetches } = watch(page)
    await page.goto(`${proxy.url}/#${SERVER}`)
    await page.getByRole('radio', { name: '1h' }).click()
    await expect.poll(() => fetches.filter((u) => u.includes('period=1h')).length).toBe(1)
    await page.getByRole('status').filter({ hasText: /^live$/ }).waitFor()
    const before = leadingNumber(await cardText(page, 'Tool calls'))

    // the connection drops; meanwhile calls arrive that the stream cannot carry
    proxy.cut()
    await page.getByRole('status').filter({ hasText: /^connecting$/ }).waitFor()
    metrics.counter('mcp.tool.calls', { tool: 'search', outcome: 'ok', client: 'claude-ai' }).inc(300)
    await metrics.flush()
    proxy.resume()

    // back: the tab refetches (the 1h answer, cacheable for 30 s, is revalidated rather than reread)
    await page.getByRole('status').filter({ hasText: /^live$/ }).waitFor({ timeout: 15_000 })
    await expect.poll(async () => leadingNumber(await cardText(page, 'Tool calls')), { timeout: 10_000 }).toBe(before + 300)
    expect(fetches.filter((u) => u.includes('period=1h')).length).toBe(2)
    // the cut connections are the only complaints
    expect(problems.filter((p) => !/net::ERR_(CONNECTION_|EMPTY_RESPONSE|INCOMPLETE_CHUNKED_ENCODING)/.test(p))).toEqual([])
    await page.close()
    await proxy.close()
  })

  it('draws a series with one bucket in view as a point, and labels a zero tick 0', async () => {
    // a new server: one batch, so one bucket of the 7d view (168) has data
    const added = spawnSync(process.execPath, [CLI, 'servers', 'add', 'e2e-new', '--name', 'E2E New', '--json', '--db', service.dbPath], { encoding: 'utf8' })
    const fresh = JSON.parse(added.stdout) as { api_key: string; signing_secret: string }
    const tags = { tool: 'search', outcome: 'ok', client: 'claude-ai' }
    const body = JSON.stringify({
      server_id: 'e2e-new',
      metrics: [
        { name: 'mcp.tool.calls', type: 'counter', value: 3, tags },
        { name: 'mcp.tool.duration', type: 'timer', value: 120, tags },
        { name: 'queue_depth', type: 'gauge', value: 4 },
      ],
    })
    const headers = await createSignatureHeaders({ secrets: fresh.signing_secret, id: 'e2e-new-1', body })
    const response = await fetch(`${service.url}${ROUTES.metricsCollect}`, { method: 'POST', body, headers: { ...headers, 'x-api-key': fresh.api_key, 'content-type': 'application/json' } })
    expect(response.status).toBe(200)

    const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } })
    const { problems } = watch(page)
    // the axis labels uPlot writes on each chart's canvas
    await page.addInitScript(() => {
      const labels: Record<string, string[]> = {}
      Object.assign(window, { chartLabels: labels })
      const fillText = CanvasRenderingContext2D.prototype.fillText
      CanvasRenderingContext2D.prototype.fillText = function (this: CanvasRenderingContext2D, text: string, x: number, y: number, maxWidth?: number) {
        const chart = this.canvas.closest('[data-chart]')?.getAttribute('data-chart') ?? ''
        ;(labels[chart] ??= []).push(String(text))
        return maxWidth === undefined ? fillText.call(this, text, x, y) : fillText.call(this, text, x, y, maxWidth)
      }
    })
    await page.goto(`${service.url}/#e2e-new`)
    await page.getByRole('heading', { name: 'E2E New' }).waitFor()
    expect(await page.getByRole('radio', { name: '7d' }).getAttribute('aria-checked')).toBe('true')
    await page.waitForFunction(() => document.querySelectorAll('.mcpdir-chart canvas').length >= 4)
    expect(await cardText(page, 'p50 latency')).toMatch(/^12\d(\.\d)? ms/)
    // the cards have numbers, and so do the charts: the lone bucket is a point, not nothing
    for (const chart of ['Latency', 'queue_depth']) expect(await colouredShare(page, chart), chart).toBeGreaterThan(0.0002)
    const labels = await page.evaluate(() => (window as unknown as { chartLabels: Record<string, string[]> }).chartLabels)
    expect(labels.Latency).toContain('0')
    expect(labels.Latency?.filter((text) => /^0\s/.test(text))).toEqual([])
    expect(problems).toEqual([])
    await page.close()
  })
})
