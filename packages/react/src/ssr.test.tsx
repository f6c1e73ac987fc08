// @vitest-environment node
import { renderToString } from 'react-dom/server'
import { describe, expect, it } from 'vitest'

describe('server rendering', () => {
  it('imports and renders without a window (Next.js app router pages)', async () => {
    expect(typeof (globalThis as { window?: unknown }).window).toBe('undefined')
    const { MetricsTab, ServersTable, trackView } = await import('./index')
    const html = renderToString(<MetricsTab serverId="srv" baseUrl="http://metrics.test" />)
    expect(html).toContain('Loading metrics')
    expect(html).toContain('role="radiogroup"')
    const list = renderToString(<ServersTable baseUrl="http://metrics.test" href={(s) => `/s/${s.id}`} />)
    expect(list).toContain('Loading servers…')
    expect(list).toContain('aria-sort="ascending"')
    expect(() => trackView('srv')).not.toThrow()
  })
})
