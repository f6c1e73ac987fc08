// Usage tracking for directory pages: views, installs, tests and invokes, batched, and sent with
// navigator.sendBeacon when the page is hidden or closed so nothing is lost on navigation. Silent when the
// visitor asks not to be tracked (Do Not Track or Global Privacy Control). Nothing runs at import time.
import { MAX_USAGE_RECORDS_PER_REQUEST, routeUrl, type UsageAction, type UsageRecord } from '@mcpdir/metrics/protocol'

export interface UsageTrackerOptions {
  /** The service's origin; default: the page's own (`/functions/v1/usage-track`). */
  baseUrl?: string
  /** How long records wait to be batched. Default 2 000 ms. */
  flushIntervalMs?: number
}

type Details = UsageRecord['details']

interface BrowserLike {
  navigator?: Navigator & { globalPrivacyControl?: boolean; doNotTrack?: string | null }
  document?: Document
  addEventListener?: Window['addEventListener']
  doNotTrack?: string | null
}

/** True when the visitor opted out through Do Not Track or Global Privacy Control. */
export function visitorOptedOut(env: BrowserLike = globalThis as BrowserLike): boolean {
  const nav = env.navigator
  return nav?.globalPrivacyControl === true || nav?.doNotTrack === '1' || nav?.doNotTrack === 'yes' || env.doNotTrack === '1'
}

export function createUsageTracker(options: UsageTrackerOptions = {}) {
  const url = routeUrl(options.baseUrl ?? '', 'usageTrack')
  const env = globalThis as BrowserLike
  let queue: UsageRecord[] = []
  let timer: ReturnType<typeof setTimeout> | undefined
  let listening = false

  const send = (records: UsageRecord[], beacon: boolean) => {
    const body = JSON.stringify({ records })
    // text/plain keeps it a simple request: no CORS preflight, and sendBeacon accepts it
    if (beacon && env.navigator?.sendBeacon?.(url, new Blob([body], { type: 'text/plain' }))) return
    void globalThis.fetch?.(url, { method: 'POST', body, headers: { 'content-type': 'text/plain' }, keepalive: true }).catch(() => {})
  }

  const flush = (beacon = false) => {
    if (timer) clearTimeout(timer)
    timer = undefined
    while (queue.length > 0) send(queue.splice(0, MAX_USAGE_RECORDS_PER_REQUEST), beacon)
  }

  const listen = () => {
    if (listening || !env.addEventListener) return
    listening = true
    env.addEventListener('pagehide', () => flush(true))
    env.document?.addEventListener('visibilitychange', () => {
      if (env.document?.visibilityState === 'hidden') flush(true)
    })
  }

  const track = (serverId: string, action: UsageAction, extra: { toolId?: string; details?: Details } = {}) => {
    if (visitorOptedOut(env)) return
    listen()
    queue.push({ serverId, action, ...(extra.toolId !== undefined && { toolId: extra.toolId }), ...(extra.details !== undefined && { details: extra.details }) })
    if (queue.length >= MAX_USAGE_RECORDS_PER_REQUEST) flush()
    else timer ??= setTimeout(() => flush(), options.flushIntervalMs ?? 2_000)
  }

  return {
    trackView: (serverId: string) => track(serverId, 'view'),
    trackInstall: (serverId: string, details?: Details) => track(serverId, 'install', details ? { details } : {}),
    trackTest: (serverId: string, details?: Details) => track(serverId, 'test', details ? { details } : {}),
    trackInvoke: (serverId: string, toolId?: string, details?: Details) => track(serverId, 'invoke', { ...(toolId && { toolId }), ...(details && { details }) }),
    /** Sends what is queued now. */
    flush: () => flush(),
  }
}

export type UsageTracker = ReturnType<typeof createUsageTracker>

let shared: UsageTracker | undefined
/** Points the module-level helpers (`trackView`, …) at a service; by default they post to the page's origin. */
export function configureUsageTracking(options: UsageTrackerOptions): void {
  shared?.flush()
  shared = createUsageTracker(options)
}
const tracker = () => {
  shared ??= createUsageTracker()
  return shared
}

/** Records a view of a server's page. */
export const trackView = (serverId: string) => tracker().trackView(serverId)
/** Records an install (e.g. the install button or config copy). */
export const trackInstall = (serverId: string, details?: Details) => tracker().trackInstall(serverId, details)
/** Records a test (e.g. "try it" in the page). */
export const trackTest = (serverId: string, details?: Details) => tracker().trackTest(serverId, details)
/** Records a tool invocation from the page. */
export const trackInvoke = (serverId: string, toolId?: string, details?: Details) => tracker().trackInvoke(serverId, toolId, details)
