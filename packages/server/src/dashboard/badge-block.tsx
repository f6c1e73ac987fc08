// The badge block of a server's page: a preview of its README badge for a metric and period, and the Markdown to
// copy. Badges show public servers only; for any other the block says so instead of showing a broken image.
import {
  BADGE_METRICS,
  BADGE_NAMES,
  type BadgeMetric,
  badgeLabel,
  badgeMarkdown,
  badgePath,
  DEFAULT_PERIOD,
  MAX_SERVERS_LIMIT,
  type Period,
  PERIODS,
  ROUTES,
  type ServersListResponse,
} from '@mcpdir/metrics/protocol'
import { useEffect, useRef, useState } from 'react'

/** Where the service is (this page's origin) and which server. */
export interface BadgeBlockProps {
  serverId: string
  baseUrl: string
}

type Availability = 'checking' | 'public' | 'none'

/** A server's badge: metric and period pickers, a preview, and its Markdown with a Copy button. */
export function BadgeBlock({ serverId, baseUrl }: BadgeBlockProps) {
  const [metric, setMetric] = useState<BadgeMetric>('calls')
  const [period, setPeriod] = useState<Period>(DEFAULT_PERIOD)
  const [available, setAvailable] = useState<Availability>('checking')
  const [copied, setCopied] = useState(false)
  const text = useRef<HTMLTextAreaElement>(null)

  useEffect(() => {
    // a badge exists for exactly the public servers of the list (asked without credentials): a list request
    // answers 200 whichever the server is, so the page logs no failed request for a private or new one
    const controller = new AbortController()
    setAvailable('checking')
    const query = new URLSearchParams({ q: serverId, limit: String(MAX_SERVERS_LIMIT) })
    fetch(`${baseUrl}${ROUTES.servers}?${query}`, { signal: controller.signal, cache: 'no-cache', credentials: 'omit' })
      .then(async (response) => {
        const list = response.ok ? ((await response.json()) as ServersListResponse) : undefined
        setAvailable(list?.servers.some((s) => s.id === serverId && !s.is_private) ? 'public' : 'none')
      })
      .catch(() => {
        if (!controller.signal.aborted) setAvailable('none')
      })
    return () => controller.abort()
  }, [serverId, baseUrl])

  const markdown = badgeMarkdown(baseUrl, serverId, metric, { period, link: `${baseUrl}/#${encodeURIComponent(serverId)}` })
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(markdown)
    } catch {
      // no clipboard (an insecure origin, a denied permission): leave the text selected for Ctrl+C
      text.current?.select()
      return
    }
    setCopied(true)
  }

  return (
    <section className="badge-block" aria-labelledby="badge-heading">
      <h2 id="badge-heading">README badge</h2>
      {available === 'none' ? (
        <p>Badges show public servers only (a server added a moment ago appears within 15 seconds).</p>
      ) : (
        <>
          <p>
            <label>
              Metric{' '}
              <select value={metric} onChange={(e) => (setMetric(e.target.value as BadgeMetric), setCopied(false))}>
                {BADGE_METRICS.map((m) => (
                  <option key={m} value={m}>
                    {BADGE_NAMES[m]}
                  </option>
                ))}
              </select>
            </label>{' '}
            <label>
              Period{' '}
              <select value={period} onChange={(e) => (setPeriod(e.target.value as Period), setCopied(false))}>
                {PERIODS.map((p) => (
                  <option key={p}>{p}</option>
                ))}
              </select>
            </label>{' '}
            {available === 'public' && <img src={`${baseUrl}${badgePath(serverId, metric, { period })}`} alt={badgeLabel(metric, period)} height={20} />}
          </p>
          <textarea ref={text} readOnly aria-label="Badge Markdown" rows={2} value={markdown} onFocus={(e) => e.currentTarget.select()} />
          <p>
            <button type="button" onClick={() => void copy()}>
              Copy Markdown
            </button>{' '}
            <span role="status">{copied ? 'Copied' : ''}</span>
          </p>
        </>
      )}
    </section>
  )
}
