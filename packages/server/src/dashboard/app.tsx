// The service's own dashboard (served at `/`): the servers it holds in a ServersTable (sortable, searchable, a
// page at a time), each opening its MetricsTab and its README badge block (badge-block.tsx). Private servers
// appear once the admin key is entered (kept in this tab's sessionStorage only).
import { MetricsTab, ServersTable } from '@mcpdir/metrics-react'
import { type FormEvent, StrictMode, useEffect, useState } from 'react'
import { createRoot } from 'react-dom/client'
import { BadgeBlock } from './badge-block'

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
  const [selected, select] = useHash()
  const credentials = adminKey ? { readToken: adminKey } : {}

  const onKey = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const key = String(new FormData(event.currentTarget).get('key') ?? '').trim()
    if (key) sessionStorage.setItem(KEY_STORAGE, key)
    else sessionStorage.removeItem(KEY_STORAGE)
    setAdminKey(key)
  }

  if (selected) {
    return (
      <main>
        <p>
          <a href="#" onClick={() => select('')}>
            ← All servers
          </a>
        </p>
        <MetricsTab serverId={selected} baseUrl={location.origin} live {...credentials} />
        <BadgeBlock key={selected} serverId={selected} baseUrl={location.origin} />
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
      <ServersTable
        key={adminKey /* another credential: start over */}
        baseUrl={location.origin}
        {...credentials}
        caption="Servers"
        defaultSort="calls"
        columns={['calls', 'error_rate', 'p95_ms', 'installs', 'views', 'availability', 'last_seen']}
        href={(server) => `#${encodeURIComponent(server.id)}`}
      />
      <p className="hint">
        Register a server with <code>mcpdir-metrics servers add &lt;id&gt;</code> and point its SDK here; the list catches up every
        15 seconds.
      </p>
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
