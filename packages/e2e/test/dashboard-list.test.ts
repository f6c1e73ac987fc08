// The dashboard's servers list (the ServersTable) in headless Chromium against the real service: sorting by a
// column header (aria-sort follows), searching, "Load more" by cursor, private servers with the admin key,
// and a name opening the server's MetricsTab, with a clean console. A screenshot is kept as an artifact.
import { existsSync, mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import { createSignatureHeaders, ROUTES } from '@mcpdir/metrics/protocol'
import { type RunningService, startService } from '@mcpdir/metrics-server/testing'
import { type Browser, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const ARTIFACTS = resolve(import.meta.dirname, '../test-artifacts')
const ADMIN = 'e2e-list-admin-key-0123456789'
const haveChromium = existsSync(CHROMIUM)
const PUBLIC = 54 // more than a page of 50

let service: RunningService
let browser: Browser
let gem: { api_key: string; signing_secret: string }

async function addServer(id: string, name: string, isPrivate = false) {
  const response = await fetch(`${service.url}${ROUTES.adminServers}`, {
    method: 'POST',
    body: JSON.stringify({ id, name, private: isPrivate }),
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
  })
  expect(response.status).toBe(201)
  return (await response.json()) as { api_key: string; signing_secret: string }
}

async function sendCalls(id: string, creds: { api_key: string; signing_secret: string }, calls: number, batch = 'first') {
  const body = JSON.stringify({ server_id: id, metrics: [{ name: 'mcp.tool.calls', type: 'counter', count: calls, sum: calls, tags: { tool: 'search', outcome: 'ok' } }] })
  const headers = await createSignatureHeaders({ secrets: creds.signing_secret, id: `list-${id}-${batch}`, body })
  const response = await fetch(`${service.url}${ROUTES.metricsCollect}`, { method: 'POST', body, headers: { ...headers, 'x-api-key': creds.api_key, 'content-type': 'application/json' } })
  expect(response.status).toBe(200)
}

beforeAll(async () => {
  if (!haveChromium) return
  service = await startService({ env: { MCPDIR_ADMIN_KEY: ADMIN } })
  for (let i = 0; i < PUBLIC; i++) {
    const id = `list-${String(i).padStart(2, '0')}`
    const creds = await addServer(id, `Directory ${String(i).padStart(2, '0')}`)
    if (i < 3) await sendCalls(id, creds, (i + 1) * 100) // list-02 is the busiest
  }
  gem = await addServer('hidden-gem', 'Hidden Gem', true)
  await sendCalls('hidden-gem', gem, 40)
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage', '--no-first-run', '--disable-sync'],
  })
})

afterAll(async () => {
  await browser?.close()
  await service?.stop()
})

function watch(page: Page) {
  const problems: string[] = []
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console: ${msg.text()}`)
  })
  page.on('pageerror', (error) => problems.push(`page: ${error.message}`))
  return problems
}

const leadingNumber = (text: string) => Number(/^[\d,.]+/.exec(text)?.[0].replace(/,/g, ''))
const cardText = (page: Page, label: string) =>
  page.locator('.mcpdir-card', { has: page.locator('dt', { hasText: new RegExp(`^${label}$`) }) }).locator('dd').innerText()

const rowNames = (page: Page) => page.locator('.mcpdir-servers tbody th').allInnerTexts()
const sortOf = (page: Page, column: string) => page.getByRole('columnheader', { name: new RegExp(`^${column}`) }).getAttribute('aria-sort')

describe.runIf(haveChromium)('dashboard servers list in Chromium', () => {
  it('sorts by column, searches, loads more by cursor and opens a server', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } })
    const problems = watch(page)
    await page.goto(service.url)
    await page.getByRole('status').filter({ hasText: `${PUBLIC} servers` }).waitFor()
    // the dashboard sorts by calls, busiest first
    expect(await sortOf(page, 'Calls')).toBe('descending')
    expect((await rowNames(page)).slice(0, 3)).toEqual(['Directory 02', 'Directory 01', 'Directory 00'])
    expect(await rowNames(page)).toHaveLength(50)
    mkdirSync(ARTIFACTS, { recursive: true })
    await page.screenshot({ path: resolve(ARTIFACTS, 'servers-list.png') })

    await page.getByRole('button', { name: /^Server/ }).click()
    await expect.poll(() => sortOf(page, 'Server')).toBe('ascending')
    expect(await sortOf(page, 'Calls')).toBeNull()
    await expect.poll(async () => (await rowNames(page))[0]).toBe('Directory 00')
    await page.getByRole('button', { name: /^Server/ }).click()
    await expect.poll(async () => (await rowNames(page))[0]).toBe('Directory 53')
    expect(await sortOf(page, 'Server')).toBe('descending')

    await page.getByRole('button', { name: 'Load more' }).click()
    await expect.poll(async () => (await rowNames(page)).length).toBe(PUBLIC)
    const names = await rowNames(page)
    expect(new Set(names).size).toBe(PUBLIC)
    expect(names.at(-1)).toBe('Directory 00')
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Directory 03')
    expect(await page.getByRole('button', { name: 'Load more' }).count()).toBe(0)

    await page.getByRole('searchbox', { name: 'Search servers' }).fill('directory 1')
    await page.getByRole('status').filter({ hasText: '10 servers matching “directory 1”' }).waitFor()
    expect(await rowNames(page)).toEqual(Array.from({ length: 10 }, (_, i) => `Directory ${19 - i}`))
    expect(names.join()).not.toContain('Hidden Gem')

    await page.getByRole('link', { name: 'Directory 12' }).click()
    await page.getByRole('heading', { name: 'Directory 12' }).waitFor()
    expect(problems).toEqual([])
    await page.close()
  })

  it('shows private servers once the admin key is entered', async () => {
    const page = await browser.newPage()
    const problems = watch(page)
    await page.goto(service.url)
    await page.getByRole('status').filter({ hasText: `${PUBLIC} servers` }).waitFor()
    await page.getByLabel(/Admin key/).fill(ADMIN)
    await page.getByRole('button', { name: 'Use' }).click()
    await page.getByRole('status').filter({ hasText: `${PUBLIC + 1} servers` }).waitFor()
    await page.getByRole('searchbox', { name: 'Search servers' }).fill('gem')
    await expect.poll(() => rowNames(page)).toEqual(['Hidden Gem (private)'])
    expect(problems).toEqual([])
    await page.close()
  })

  it("follows a private server live with the admin key, which never goes in a URL", async () => {
    const page = await browser.newPage()
    const problems = watch(page)
    const urls: string[] = []
    page.on('request', (request) => urls.push(request.url()))
    await page.goto(service.url)
    await page.getByRole('status').filter({ hasText: `${PUBLIC} servers` }).waitFor()
    await page.getByLabel(/Admin key/).fill(ADMIN)
    await page.getByRole('button', { name: 'Use' }).click()
    await page.getByRole('status').filter({ hasText: `${PUBLIC + 1} servers` }).waitFor()
    await page.getByRole('searchbox', { name: 'Search servers' }).fill('gem')
    await page.getByRole('link', { name: /Hidden Gem/ }).click()
    await page.getByRole('heading', { name: 'Hidden Gem' }).waitFor()
    await page.getByRole('radio', { name: '1h' }).click()
    // the stream of a private server opens (with a short-lived stream token)
    await page.getByRole('status').filter({ hasText: /^live$/ }).waitFor({ timeout: 10_000 })
    await expect.poll(async () => leadingNumber(await cardText(page, 'Tool calls'))).toBe(40)

    await sendCalls('hidden-gem', gem, 7, 'live')
    await expect.poll(async () => leadingNumber(await cardText(page, 'Tool calls')), { timeout: 10_000 }).toBe(47)
    expect(urls.filter((url) => url.includes(ADMIN))).toEqual([])
    const streams = urls.filter((url) => new URL(url).pathname === ROUTES.metricsStream)
    expect(streams.length).toBeGreaterThan(0)
    for (const url of streams) expect([...new URL(url).searchParams.keys()].sort()).toEqual(['server_id', 'stream_token'])
    expect(problems).toEqual([])
    await page.close()
  })
})
