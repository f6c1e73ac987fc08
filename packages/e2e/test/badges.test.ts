// README badges in headless Chromium against the real service: every metric, both styles, long labels and
// values, each SVG drawn and measured (getBBox / getBoundingClientRect of each text against its half's box,
// getComputedTextLength for the width the fallback font would need unsqueezed), their numbers against
// metrics-fetch's; and the dashboard's badge block (Markdown, preview, Copy; private servers have none).
import { existsSync } from 'node:fs'
import {
  BADGE_METRICS,
  type BadgeMetric,
  badgeMarkdown,
  badgePath,
  type BadgeStyle,
  createSignatureHeaders,
  formatBadgeValue,
  MAX_BADGE_LABEL_LENGTH,
  type MetricsFetchResponse,
  ROUTES,
} from '@mcpdir/metrics/protocol'
import { type RunningService, startService } from '@mcpdir/metrics-server/testing'
import { type Browser, chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const ADMIN = 'e2e-badges-admin-key-0123456789'
const haveChromium = existsSync(CHROMIUM)
const MIN = 60_000

let service: RunningService
let browser: Browser

async function addServer(id: string, isPrivate = false) {
  const response = await fetch(`${service.url}${ROUTES.adminServers}`, {
    method: 'POST',
    body: JSON.stringify({ id, name: id, private: isPrivate }),
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
  })
  expect(response.status).toBe(201)
  return (await response.json()) as { api_key: string; signing_secret: string }
}

async function send(id: string, creds: { api_key: string; signing_secret: string }, body: object) {
  const text = JSON.stringify({ server_id: id, ...body })
  const headers = await createSignatureHeaders({ secrets: creds.signing_secret, id: `badges-${id}`, body: text })
  const response = await fetch(`${service.url}${ROUTES.metricsCollect}`, { method: 'POST', body: text, headers: { ...headers, 'x-api-key': creds.api_key, 'content-type': 'application/json' } })
  expect(response.status).toBe(200)
}

beforeAll(async () => {
  if (!haveChromium) return
  service = await startService({ env: { MCPDIR_ADMIN_KEY: ADMIN } })
  const now = Date.now()
  const tags = { tool: 'search', outcome: 'ok' }
  // the longest messages: 987M calls, an error rate under 0.01 %, a p95 of an hour, "no data" (no heartbeat: an
  // availability moves with every minute that ends, so it could not be compared with a later metrics-fetch)
  await send('badge-big', await addServer('badge-big'), {
    metrics: [
      { name: 'mcp.tool.calls', type: 'counter', count: 987_654_321, sum: 987_654_321, tags, timestamp: now - 5 * MIN },
      { name: 'mcp.tool.calls', type: 'counter', count: 1, sum: 1, tags: { ...tags, outcome: 'error' }, timestamp: now - 5 * MIN },
      { name: 'mcp.tool.duration', type: 'timer', value: 3_600_000, tags, timestamp: now - 5 * MIN },
    ],
  })
  await addServer('badge-quiet')
  await send('badge-secret', await addServer('badge-secret', true), { metrics: [{ name: 'mcp.tool.calls', type: 'counter', value: 3, tags }] })
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage', '--no-first-run', '--disable-sync'],
  })
})

afterAll(async () => {
  await browser?.close()
  await service?.stop()
})

interface Measured {
  text: string
  /** The text as drawn (held to its textLength), in page pixels. */
  left: number
  right: number
  /** Its half of the badge: the rect under its centre. */
  boxLeft: number
  boxRight: number
  /** What the text would take in the fallback font unsqueezed (getComputedTextLength), in page pixels. */
  natural: number
}

/** Fetches badges, each checked to be an SVG. */
async function fetchSvgs(paths: string[]): Promise<string[]> {
  const images: string[] = []
  for (const path of paths) {
    const response = await fetch(`${service.url}${path}`)
    expect(response.status, path).toBe(200)
    expect(response.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8')
    images.push(await response.text())
  }
  return images
}

/** Fetches badges, draws them in one page and measures each visible text against its half. */
async function measure(paths: string[]) {
  const measured = await measureSvgs(await fetchSvgs(paths))
  return measured.map((m, i) => ({ ...m, path: paths[i] as string }))
}

async function measureSvgs(images: string[]): Promise<{ width: number; title: string; texts: Measured[] }[]> {
  const page = await browser.newPage()
  await page.setContent(`<!doctype html><html><body style="margin:0">${images.map((svg) => `<div>${svg}</div>`).join('')}</body></html>`)
  const measured = await page.evaluate(() =>
    [...document.querySelectorAll('body > div > svg')].map((node) => {
      const svg = node as SVGSVGElement
      const origin = svg.getBoundingClientRect().left
      // the halves: solid rects (not the gloss gradient across the whole, nor the rounded clip) of some width
      const boxes = [...svg.querySelectorAll('rect')]
        .filter((r) => !r.getAttribute('fill')?.startsWith('url(') && r.closest('clipPath') === null && r.width.baseVal.value > 0)
        .map((r) => r.getBoundingClientRect())
      const texts = [...svg.querySelectorAll('text')]
        .filter((t) => t.closest('[aria-hidden="true"]') === null)
        .map((t) => {
          const drawn = t.getBoundingClientRect()
          const scale = drawn.width / t.getBBox().width // the text's user units (scale(.1)) to page pixels
          const centre = (drawn.left + drawn.right) / 2
          const box = boxes.find((b) => b.left <= centre && centre <= b.right) ?? new DOMRect(0, 0, 0, 0)
          return {
            text: t.textContent ?? '',
            left: drawn.left - origin,
            right: drawn.right - origin,
            boxLeft: box.left - origin,
            boxRight: box.right - origin,
            natural: t.getComputedTextLength() * scale,
          }
        })
      return { width: svg.width.baseVal.value, title: svg.querySelector('title')?.textContent ?? '', texts }
    }),
  )
  await page.close()
  expect(measured).toHaveLength(images.length)
  return measured
}

const LONG_LABELS = [undefined, 'W'.repeat(MAX_BADGE_LABEL_LENGTH), 'm'.repeat(MAX_BADGE_LABEL_LENGTH), 'i'.repeat(MAX_BADGE_LABEL_LENGTH), '稼働率 ✓ Ünïcödé — ½ @#%&*()[]{}<>?!', '']

describe.runIf(haveChromium)('badges in Chromium', () => {
  it('never clip: each text inside its half of the badge, drawn and unsqueezed, for long labels and values', async () => {
    const paths: { path: string; label: string | undefined }[] = []
    for (const style of ['flat', 'flat-square'] as BadgeStyle[]) {
      for (const metric of BADGE_METRICS) {
        for (const label of LONG_LABELS) paths.push({ path: badgePath('badge-big', metric, { period: '30d', style, ...(label !== undefined && { label }) }), label })
      }
    }
    const seen = new Set<string>()
    const badges = await measure(paths.map((p) => p.path))
    badges.forEach(({ path, width, texts }, i) => {
      expect(texts.length, path).toBe(paths[i]?.label === '' ? 1 : 2)
      for (const t of texts) {
        seen.add(t.text)
        const where = `${path}: ${JSON.stringify(t)}`
        expect(t.boxRight - t.boxLeft, where).toBeGreaterThan(0)
        // drawn: at least 4 px of padding on either side, inside the image
        expect(t.left, where).toBeGreaterThanOrEqual(t.boxLeft + 4)
        expect(t.right, where).toBeLessThanOrEqual(t.boxRight - 4)
        expect(t.boxRight, where).toBeLessThanOrEqual(width + 0.5)
        // unsqueezed: the font Chromium fell back to needs no more than the box either
        expect(t.natural, where).toBeLessThanOrEqual(t.boxRight - t.boxLeft)
      }
    })
    for (const t of badges.flatMap((b) => b.texts)) expect(t.natural).toBeGreaterThan(0)
    // the long values were among them
    for (const message of ['987M', '<0.01 %', '3600 s', 'W'.repeat(MAX_BADGE_LABEL_LENGTH)]) expect(seen).toContain(message)
  })

  it('catch a clipped badge: the same measurement fails one whose message box is made too narrow', async () => {
    const [svg = ''] = await fetchSvgs([badgePath('badge-big', 'p95', { period: '30d', style: 'flat-square' })])
    const [, x = '', width = ''] = /<rect x="(\d+)" width="(\d+)"/.exec(svg) ?? []
    const narrow = svg.replace(`<rect x="${x}" width="${width}"`, `<rect x="${x}" width="${Number(width) - 12}"`)
    const [good, clipped] = await measureSvgs([svg, narrow])
    const message = (m: typeof good) => m?.texts.find((t) => t.text === '3600 s')
    expect(message(good)?.right).toBeLessThanOrEqual((message(good)?.boxRight ?? 0) - 4)
    expect(message(clipped)?.right).toBeGreaterThan((message(clipped)?.boxRight ?? 0) - 4)
    expect(message(clipped)?.natural).toBeGreaterThan((message(clipped)?.boxRight ?? 0) - (message(clipped)?.boxLeft ?? 0))
  })

  it('show the numbers of metrics-fetch for the same server and period', async () => {
    for (const id of ['badge-big', 'badge-quiet']) {
      const report = (await (await fetch(`${service.url}${ROUTES.metricsFetch}?server_id=${id}&period=30d`)).json()) as MetricsFetchResponse
      const values: Record<BadgeMetric, number | null> = {
        calls: report.calls.summary.calls,
        p95: report.calls.summary.p95,
        'error-rate': report.calls.summary.error_rate,
        availability: report.availability,
        installs: report.usage.totals.installs,
        views: report.usage.totals.views,
      }
      const badges = await measure(BADGE_METRICS.map((metric) => badgePath(id, metric, { period: '30d', label: 'x' })))
      BADGE_METRICS.forEach((metric, i) => expect(badges[i]?.title, `${id} ${metric}`).toBe(`x: ${formatBadgeValue(metric, values[metric])}`))
    }
  })

  it("shows a server's badge Markdown on its dashboard page, and none for a private server", async () => {
    // the dashboard's 7d numbers are refreshed in the background every 15 s: wait for the server to be in them
    await expect
      .poll(async () => (await fetch(`${service.url}${badgePath('badge-big', 'calls', { format: 'json' })}`)).status, { timeout: 40_000, interval: 1_000 })
      .toBe(200)
    const context = await browser.newContext()
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: service.url })
    const page = await context.newPage()
    await page.goto(`${service.url}/#badge-big`)
    const block = page.getByRole('region', { name: 'README badge' })
    const markdown = block.getByRole('textbox', { name: 'Badge Markdown' })
    const link = `${service.url}/#badge-big`
    await expect.poll(() => markdown.inputValue()).toBe(badgeMarkdown(service.url, 'badge-big', 'calls', { link }))
    await block.getByLabel('Metric').selectOption('availability')
    await block.getByLabel('Period').selectOption('30d')
    const expected = badgeMarkdown(service.url, 'badge-big', 'availability', { period: '30d', link })
    expect(await markdown.inputValue()).toBe(expected)
    const preview = block.getByRole('img', { name: 'availability (30d)' })
    await expect.poll(() => preview.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0)
    await block.getByRole('button', { name: 'Copy Markdown' }).click()
    await block.getByRole('status').filter({ hasText: 'Copied' }).waitFor()
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(expected)

    await page.goto(`${service.url}/#badge-secret`)
    await block.getByText('Badges show public servers only').waitFor()
    expect(await block.getByRole('textbox').count()).toBe(0)
    await context.close()
  })
})
