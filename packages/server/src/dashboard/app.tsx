// The service's own dashboard (served at `/`): the servers it holds, each opening its MetricsTab. Private
// servers appear once the admin key is entered (kept in this tab's sessionStorage only).
import { createMetricsClient, formatDuration, formatNumber, formatPercent, MetricsTab } from '@mcpdir/metrics-react'
import type { ServerHeadline } from '@mcpdir/metrics/protocol'
import { type FormEvent, StrictMode, useEffect, useMemo, useState } from 'react'
import { createRoot } from 'react-dom/client'

const KEY_STORAGE = 'mcpdir-admin-key'

function useHash(): [string, (id: string) => void] {
  const [hash, setHash] = useState(() => decodeURIComponent(location.hash.slice(1)))
  useEffect(() => {
    const update = () => setHash(decodeURIComponent(location.hash.slice(1)))
    window.addEventListener('hashchange', update)
    return () => window.removeEventListener('hashchange', update)
  }, [])
  return [hash, (id) => (location.hash = id ? encodeURIComponent(id) : '')]
}

function App() {
  const [adminKey, setAdminKey] = useState(() => sessionStorage.getItem(KEY_STORAGE) ?? '')
  const [servers, setServers] = useState<ServerHeadline[]>()
  const [error, setError] = useState<string>()
  const [selected, select] = useHash()
  const client = useMemo(() => createMetricsClient({ baseUrl: location.origin, ...(adminKey && { readToken: adminKey }) }), [adminKey])

  useEffect(() => {
    setError(undefined)
    client.fetchServers('7d').then(
      (list) => setServers(list.servers),
      (e: Error) => setError(e.message),
    )
  }, [client])

  const onKey = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const key = String(new FormData(event.currentTarget).get('key') ?? '').trim()
    if (key) sessionStorage.setItem(KEY_STORAGE, key)
    else sessionStorage.removeItem(KEY_STORAGE)
    setAdminKey(key)
  }

  if (selected) {
    const server = servers?.find((s) => s.id === selected)
    return (
      <main>
        <p>
          <a href="#" onClick={() => select('')}>
            ← All servers
          </a>
        </p>
        <MetricsTab serverId={selected} baseUrl={location.origin} live {...((server?.is_private || adminKey) && adminKey ? { readToken: adminKey } : {})} />
      </main>
    )
  }
  return (
    <main>
      <h1>mcpdir-metrics</h1>
      <form onSubmit={onKey} className="key">
        <label>
          Admin key (shows private servers){' '}
          <input name="key" type="password" autoComplete="off" defaultValue={adminKey} />
        </label>{' '}
        <button type="submit">{adminKey ? 'Update' : 'Use'}</button>
      </form>
      {error ? <p role="alert">Could not load servers: {error}</p> : null}
      {!servers ? (
        <p aria-busy="true">Loading servers…</p>
      ) : servers.length === 0 ? (
        <p>
          No servers yet. Register one with <code>mcpdir-metrics servers add &lt;id&gt;</code> and point its SDK here.
        </p>
      ) : (
        <table>
          <caption>Servers, last 7 days</caption>
          <thead>
            <tr>
              <th scope="col">Server</th>
              <th scope="col">Calls</th>
              <th scope="col">Error rate</th>
              <th scope="col">p95</th>
              <th scope="col">Installs</th>
              <th scope="col">Availability</th>
            </tr>
          </thead>
          <tbody>
            {servers.map((s) => (
              <tr key={s.id}>
                <th scope="row">
                  <a href={`#${encodeURIComponent(s.id)}`}>{s.name}</a>
                  {s.is_private ? ' (private)' : ''}
                </th>
                <td>{formatNumber(s.calls)}</td>
                <td>{formatPercent(s.error_rate)}</td>
                <td>{formatDuration(s.p95_ms)}</td>
                <td>{formatNumber(s.installs)}</td>
                <td>{formatPercent(s.availability)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  )
}

const root = document.getElementById('root')
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  )
}
