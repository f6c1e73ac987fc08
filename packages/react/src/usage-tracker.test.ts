import { afterEach, describe, expect, it, vi } from 'vitest'
import { createUsageTracker, visitorOptedOut } from './usage-tracker'

afterEach(() => {
  vi.unstubAllGlobals()
  vi.useRealTimers()
})

function stubBrowser(nav: Partial<Navigator> & { globalPrivacyControl?: boolean } = {}) {
  const beacons: { url: string; body: string }[] = []
  const fetches: { url: string; body: string }[] = []
  const sendBeacon = vi.fn((url: string, blob: Blob) => {
    void blob.text().then((body) => beacons.push({ url, body }))
    return true
  })
  vi.stubGlobal('navigator', { ...nav, sendBeacon })
  vi.stubGlobal('fetch', vi.fn(async (url: string, init: RequestInit) => {
    fetches.push({ url, body: String(init.body) })
    return new Response('{}')
  }))
  return { beacons, fetches, sendBeacon }
}

describe('usage tracking', () => {
  it('batches records and sends them after the interval', async () => {
    vi.useFakeTimers()
    const { fetches } = stubBrowser()
    const tracker = createUsageTracker({ baseUrl: 'https://metrics.test/', flushIntervalMs: 1_000 })
    tracker.trackView('a')
    tracker.trackInstall('a', { client: 'claude' })
    tracker.trackInvoke('a', 'search')
    expect(fetches).toHaveLength(0)
    await vi.advanceTimersByTimeAsync(1_000)
    expect(fetches).toEqual([
      {
        url: 'https://metrics.test/functions/v1/usage-track',
        body: JSON.stringify({ records: [{ serverId: 'a', action: 'view' }, { serverId: 'a', action: 'install', details: { client: 'claude' } }, { serverId: 'a', action: 'invoke', toolId: 'search' }] }),
      },
    ])
  })

  it('sends what is queued with sendBeacon when the page is hidden', async () => {
    const { beacons, sendBeacon } = stubBrowser()
    const tracker = createUsageTracker({ baseUrl: 'https://metrics.test' })
    tracker.trackView('b')
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true })
    document.dispatchEvent(new Event('visibilitychange'))
    Object.defineProperty(document, 'visibilityState', { value: 'visible', configurable: true })
    expect(sendBeacon).toHaveBeenCalledTimes(1)
    await vi.waitFor(() => expect(beacons).toHaveLength(1))
    expect(JSON.parse(beacons[0]?.body as string)).toEqual({ records: [{ serverId: 'b', action: 'view' }] })
  })

  it('stays silent under Do Not Track or Global Privacy Control', async () => {
    for (const nav of [{ doNotTrack: '1' }, { globalPrivacyControl: true }]) {
      const { fetches, sendBeacon } = stubBrowser(nav)
      expect(visitorOptedOut()).toBe(true)
      const tracker = createUsageTracker()
      tracker.trackView('c')
      tracker.flush()
      expect(fetches).toHaveLength(0)
      expect(sendBeacon).not.toHaveBeenCalled()
    }
  })
})
