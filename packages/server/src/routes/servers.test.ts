// GET /functions/v1/servers: sorting by every field, ties, keyset pages, search, who sees what, ETags and
// refusals, in-process on a fake clock.
import { DEFAULT_SORT_ORDER, SERVER_SORTS, type ServerHeadline, type ServerSort, SORT_ORDERS, type SortOrder } from '@mcpdir/metrics/protocol'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN, calls, duration, HOUR, type ListFixture, listFixture, MIN, T0 } from './servers.fixture'

let f: ListFixture
const admin = { authorization: `Bearer ${ADMIN}` }
const PUBLIC = ['alpha', 'beta', 'delta', 'epsilon', 'gamma', 'theta']

beforeAll(async () => {
  f = listFixture()
  for (const [id, name] of [['alpha', 'Alpha'], ['beta', 'beta'], ['gamma', 'Gamma'], ['delta', 'Delta'], ['epsilon', 'Epsilon'], ['theta', 'Theta'], ['eta', 'Eta']]) {
    await f.addServer(id as string, { name: name as string })
  }
  await f.addServer('zeta', { name: 'Zeta', isPrivate: true })
  const at = async (t: number, fn: () => Promise<void>) => {
    f.clock.now = t
    await fn()
    f.clock.now = T0
  }
  await at(T0 - 50 * MIN, () => f.send('alpha', [calls(90, T0 - HOUR), calls(10, T0 - HOUR, 'error'), duration(50, T0 - HOUR)], [{ type: 'heartbeat', timestamp: T0 - 50 * MIN }]))
  await at(T0 - 40 * MIN, () => f.send('beta', [calls(100, T0 - HOUR), duration(100, T0 - HOUR)]))
  await at(T0 - 30 * MIN, () => f.send('gamma', [calls(5, T0 - HOUR, 'error'), duration(500, T0 - HOUR)]))
  await at(T0 - 30 * HOUR, () => f.send('theta', [calls(40, T0 - 30 * HOUR)]))
  await f.send('zeta', [calls(50, T0 - HOUR)])
  await f.send('eta', [calls(1000, T0 - HOUR)])
  await f.store.setServerDisabled('eta', true)
  await f.use('alpha', 'view')
  await f.use('alpha', 'view')
  await f.use('alpha', 'view', 'Mozilla/5.0 (Macintosh) Safari/605')
  await f.use('epsilon', 'view')
  await f.use('epsilon', 'view')
  await f.use('epsilon', 'install')
})
afterAll(() => f.close())

const ids = (servers: ServerHeadline[]) => servers.map((s) => s.id)

/** The order the API promises, written out independently: value (none last), then id. */
function expectedOrder(servers: ServerHeadline[], sort: ServerSort, order: SortOrder): string[] {
  const value = (s: ServerHeadline) => (sort === 'name' ? s.name.toLowerCase() : s[sort])
  return [...servers]
    .sort((a, b) => {
      const [x, y] = [value(a), value(b)]
      if (x === y) return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
      if (x === null) return 1
      if (y === null) return -1
      return (x < y ? -1 : 1) * (order === 'asc' ? 1 : -1)
    })
    .map((s) => s.id)
}

describe('servers list', () => {
  it('answers headline numbers with the previous period, keeping the old fields', async () => {
    const { body } = await f.list('period=1d')
    const alpha = body?.servers.find((s) => s.id === 'alpha')
    expect(alpha).toMatchObject({ name: 'Alpha', is_private: false, last_seen: T0 - 50 * MIN, calls: 100, errors: 10, error_rate: 0.1, views: 3, installs: 0, unique_visitors: 2 })
    expect(alpha?.p95_ms).toBeCloseTo(50, 0)
    expect(alpha?.p50_ms).toBeCloseTo(50, 0)
    expect(alpha?.availability).toBeGreaterThan(0)
    expect(alpha?.previous).toMatchObject({ calls: 0, errors: 0, error_rate: null, p95_ms: null, views: 0 })
    const theta = body?.servers.find((s) => s.id === 'theta')
    expect(theta).toMatchObject({ calls: 0, error_rate: null, previous: { calls: 40, error_rate: 0 } })
    expect(body).toMatchObject({ success: true, period: '1d', sort: 'name', order: 'asc', next_cursor: null, total: 6, computed_at: T0 })
    expect(body?.to).toBeGreaterThan(T0)
    expect(body && body.to - body.from).toBe(24 * HOUR)
    for (const field of ['id', 'name', 'is_private', 'last_seen', 'calls', 'error_rate', 'p95_ms', 'installs', 'views', 'availability']) {
      expect(Object.keys(alpha ?? {})).toContain(field)
    }
  })

  it('sorts by every field in both orders, servers without a value last, ties by id', async () => {
    const all = (await f.list('period=1d&limit=200')).body?.servers ?? []
    for (const sort of SERVER_SORTS) {
      for (const order of SORT_ORDERS) {
        const { body } = await f.list(`period=1d&sort=${sort}&order=${order}`)
        expect(ids(body?.servers ?? []), `${sort} ${order}`).toEqual(expectedOrder(all, sort, order))
      }
      const { body } = await f.list(`period=1d&sort=${sort}`)
      expect(body?.order, sort).toBe(DEFAULT_SORT_ORDER[sort])
    }
    const order = async (query: string) => ids((await f.list(`period=1d&${query}`)).body?.servers ?? [])
    expect(await order('')).toEqual(['alpha', 'beta', 'delta', 'epsilon', 'gamma', 'theta']) // by name, case-insensitively
    expect(await order('sort=calls')).toEqual(['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'theta'])
    expect(await order('sort=calls&order=asc')).toEqual(['delta', 'epsilon', 'theta', 'gamma', 'alpha', 'beta'])
    expect(await order('sort=error_rate')).toEqual(['beta', 'alpha', 'gamma', 'delta', 'epsilon', 'theta'])
    expect(await order('sort=error_rate&order=desc')).toEqual(['gamma', 'alpha', 'beta', 'delta', 'epsilon', 'theta'])
    expect(await order('sort=p95_ms')).toEqual(['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'theta'])
    expect(await order('sort=views')).toEqual(['alpha', 'epsilon', 'beta', 'delta', 'gamma', 'theta'])
    expect(await order('sort=last_seen')).toEqual(['gamma', 'beta', 'alpha', 'theta', 'delta', 'epsilon'])
    expect(await order('sort=availability')).toEqual(['alpha', 'beta', 'delta', 'epsilon', 'gamma', 'theta'])
  })

  it('pages by cursor through every server exactly once, for every sort', async () => {
    for (const sort of SERVER_SORTS) {
      for (const order of SORT_ORDERS) {
        const whole = (await f.list(`period=1d&sort=${sort}&order=${order}`, admin)).body
        const pages = await f.pages(`period=1d&sort=${sort}&order=${order}&limit=2`, admin)
        expect(pages.length, `${sort} ${order}`).toBe(4)
        expect(pages.flatMap((p) => ids(p.servers)), `${sort} ${order}`).toEqual(ids(whole?.servers ?? []))
        expect(pages.every((p) => p.total === 7)).toBe(true)
        expect(pages.at(-1)?.next_cursor).toBeNull()
      }
    }
  })

  it('keeps its place when servers come and go between pages', async () => {
    const first = (await f.list('period=1d&limit=3')).body
    expect(ids(first?.servers ?? [])).toEqual(['alpha', 'beta', 'delta'])
    await f.addServer('aaa-new', { name: 'Aardvark' }) // sorts before the cursor
    await f.addServer('delta-2', { name: 'Delta' }) // same name as the last shown: after it by id
    await f.app.deps.headlines.refresh()
    const second = (await f.list(`period=1d&limit=3&cursor=${first?.next_cursor}`)).body
    expect(ids(second?.servers ?? [])).toEqual(['delta-2', 'epsilon', 'gamma'])
    expect(second?.total).toBe(8)
    await f.store.deleteServer('aaa-new')
    await f.store.deleteServer('delta-2')
    await f.app.deps.headlines.refresh()
  })

  it('searches ids and names case-insensitively', async () => {
    expect(ids((await f.list('period=1d&q=ETA')).body?.servers ?? [])).toEqual(['beta', 'theta'])
    expect(ids((await f.list('period=1d&q=%20gAmMa%20')).body?.servers ?? [])).toEqual(['gamma'])
    expect(ids((await f.list('period=1d&q=eta', admin)).body?.servers ?? [])).toEqual(['beta', 'theta', 'zeta'])
    expect((await f.list('period=1d&q=nothing-like-it')).body).toMatchObject({ servers: [], total: 0, next_cursor: null })
    const pages = await f.pages('period=1d&q=a&sort=calls&limit=1')
    expect(pages.flatMap((p) => ids(p.servers))).toEqual(['alpha', 'beta', 'gamma', 'delta', 'theta'])
  })

  it('shows private servers only with the admin key, and disabled ones never', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong-key-0123456789' }, { 'x-api-key': 'mcpr_nope' }] as Record<string, string>[]) {
      const { body, response } = await f.list('period=1d', headers)
      expect(ids(body?.servers ?? [])).toEqual(PUBLIC)
      expect(response.headers.get('cache-control')).toBe('public, max-age=30')
    }
    const { body, response } = await f.list('period=1d', admin)
    expect(ids(body?.servers ?? [])).toEqual(['alpha', 'beta', 'delta', 'epsilon', 'gamma', 'theta', 'zeta'])
    expect(body?.servers.find((s) => s.id === 'zeta')).toMatchObject({ is_private: true, calls: 50 })
    expect(response.headers.get('cache-control')).toBe('private, max-age=30')
    expect(response.headers.get('vary')).toContain('Authorization')
    expect(JSON.stringify(body)).not.toContain('"eta"')
  })

  it('answers 304 for a matching ETag, and a new ETag once the numbers change', async () => {
    const { response } = await f.list('period=1d&sort=calls')
    const etag = response.headers.get('etag') as string
    expect(etag).toMatch(/^W\/".+"$/)
    expect((await f.list('period=1d&sort=calls', { 'if-none-match': etag })).status).toBe(304)
    expect((await f.list('period=1d&sort=calls', { 'if-none-match': `"other", ${etag}` })).status).toBe(304)
    expect((await f.list('period=1d&sort=views', { 'if-none-match': etag })).status).toBe(200)
    await f.app.deps.headlines.refresh() // nothing changed: the same answer, the same ETag
    expect((await f.list('period=1d&sort=calls', { 'if-none-match': etag })).status).toBe(304)
    await f.send('delta', [calls(1, T0 - MIN)])
    await f.app.deps.headlines.refresh()
    const changed = await f.list('period=1d&sort=calls', { 'if-none-match': etag })
    expect(changed.status).toBe(200)
    expect(changed.response.headers.get('etag')).not.toBe(etag)
  })

  it('refuses bad parameters with invalid_body naming the parameter', async () => {
    const page = (await f.list('period=1d&sort=calls&limit=2')).body
    const cursor = encodeURIComponent(page?.next_cursor ?? '')
    for (const [query, path] of [
      ['period=2d', 'period'],
      ['sort=id', 'sort'],
      ['sort=calls&order=up', 'order'],
      ['limit=0', 'limit'],
      ['limit=201', 'limit'],
      ['limit=ten', 'limit'],
      ['limit=1.5', 'limit'],
      ['limit=-1', 'limit'],
      [`q=${'x'.repeat(101)}`, 'q'],
      ['cursor=not-a-cursor', 'cursor'],
      [`cursor=${'x'.repeat(1001)}`, 'cursor'],
      [`period=1d&sort=calls&limit=2&order=asc&cursor=${cursor}`, 'cursor'],
      [`period=1d&sort=views&limit=2&cursor=${cursor}`, 'cursor'],
      [`period=7d&sort=calls&limit=2&cursor=${cursor}`, 'cursor'],
      [`period=1d&sort=calls&limit=2&q=a&cursor=${cursor}`, 'cursor'],
    ] as const) {
      const { response } = await f.list(query)
      expect(response.status, query).toBe(400)
      expect(await response.json(), query).toMatchObject({ success: false, error: { code: 'invalid_body', path } })
    }
    // the same cursor with the same query, and another limit, is fine
    expect((await f.list(`period=1d&sort=calls&limit=3&cursor=${cursor}`)).status).toBe(200)
  })
})
