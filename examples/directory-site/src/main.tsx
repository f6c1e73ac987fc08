// A directory site's server page: details, an install button, and the metrics tab. The metrics service is
// VITE_METRICS_URL at build time, or ?metrics=<url> (default http://127.0.0.1:8788, where `npm run demo`
// serves); the server is ?server=<id> (default example-docs).
import { configureUsageTracking, MetricsTab, trackInstall, trackView } from '@mcpdir/metrics-react'
import { StrictMode, useEffect, useState } from 'react'
import { createRoot } from 'react-dom/client'

const params = new URLSearchParams(location.search)
const metricsUrl = params.get('metrics') ?? import.meta.env.VITE_METRICS_URL ?? 'http://127.0.0.1:8788'
const serverId = params.get('server') ?? 'example-docs'
configureUsageTracking({ baseUrl: metricsUrl })

const config = JSON.stringify({ mcpServers: { [serverId]: { command: 'npx', args: ['-y', 'example-mcp-server'] } } }, null, 2)

function ServerPage() {
  const [copied, setCopied] = useState(false)
  useEffect(() => trackView(serverId), [])
  const install = async () => {
    trackInstall(serverId, { via: 'copy-config' })
    await navigator.clipboard?.writeText(config).catch(() => {})
    setCopied(true)
  }
  return (
    <main style={{ maxWidth: 1100, margin: '0 auto', padding: 16, fontFamily: 'system-ui, sans-serif' }}>
      <nav>
        <a href="#">MCP Directory</a> / servers / {serverId}
      </nav>
      <h1>{serverId}</h1>
      <p>Searches and validates documentation. Four tools, one of them slow, one flaky.</p>
      <button type="button" onClick={install}>
        {copied ? 'Config copied' : 'Install: copy config'}
      </button>
      <pre>{config}</pre>
      <h2>Metrics</h2>
      <MetricsTab serverId={serverId} baseUrl={metricsUrl} defaultPeriod="1h" live />
    </main>
  )
}

createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <ServerPage />
  </StrictMode>,
)
