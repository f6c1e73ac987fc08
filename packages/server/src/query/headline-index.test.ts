// The headline index behind the servers list: new data shows after a refresh (not before), a stale index is
// refreshed by a read, usage through this process and through other replicas (the sweep), idle servers cost no
// reads, failures are logged and the last numbers kept. A fake clock throughout: no sleeps.
import pino from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import { DEFAULT_CONFIG } from '../app/config'
import { calls, DAY, HOUR, type ListFixture, listFixture, MIN, T0 } from '../routes/servers.fixture'
import type { Store } from '../store/store'
import { HeadlineIndex } from './headline-index'

let f: ListFixture | undefined
afterEach(async () => {
  await f?.close()
  f = undefined
})

const numbers = async (fx: ListFixture, query = 'period=1d') =>
  Object.fromEntries(((await fx.list(query)).body?.servers ?? []).map((s) => [s.id, { calls: s.calls, views: s.views, installs: s.installs, previous: s.previous.calls }]))

/** A store that records which servers each method was called for (calls whose first argument names one). */
function recording(ids: readonly string[]) {
  const reads: string[] = []
  const wrap = (store: Store) =>
    new Proxy(store, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver)
        if (typeof value !== 'function') return value
        return (...args: unknown[]) => {
          if (typeof args[0] === 'string' && ids.includes(args[0])) reads.push(`${args[0]} ${String(property)}`)
          return (value as (...a: unknown[]) => unknown).apply(target, args)
        }
      },
    })
  return { reads, wrap }
}

describe('headline index', () => {
  it('shows a new batch after the next refresh, and not before', async () => {
    f = listFixture()
    await f.addServer('one')
    await f.send('one', [calls(3, T0 - HOUR)])
    expect(await numbers(f)).toMatchObject({ one: { calls: 3 } })
    const etag = (await f.list('period=1d')).response.headers.get('etag') as string
    await f.send('one', [calls(4, T0 - MIN)])
    expect(await numbers(f)).toMatchObject({ one: { calls: 3 } }) // the index as of the last refresh
    expect((await f.list('period=1d', { 'if-none-match': etag })).status).toBe(304)
    await f.app.deps.headlines.refresh()
    expect(await numbers(f)).toMatchObject({ one: { calls: 7 } })
    expect((await f.list('period=1d')).body?.computed_at).toBe(T0)
  })

  it('is refreshed in the background by a read once it is older than the refresh interval', async () => {
    f = listFixture()
    await f.addServer('one')
    expect(await numbers(f)).toMatchObject({ one: { calls: 0 } })
    await f.send('one', [calls(5, T0 - MIN)])
    f.clock.now = T0 + DEFAULT_CONFIG.headlineRefreshMs - 1
    expect(await numbers(f)).toMatchObject({ one: { calls: 0 } })
    await f.app.deps.headlines.settled()
    expect(await numbers(f)).toMatchObject({ one: { calls: 0 } }) // not due: nothing started
    f.clock.now = T0 + DEFAULT_CONFIG.headlineRefreshMs
    expect(await numbers(f)).toMatchObject({ one: { calls: 0 } }) // answered at once, as it was
    await f.app.deps.headlines.settled()
    const { body } = await f.list('period=1d')
    expect(body?.servers[0]?.calls).toBe(5)
    expect(body?.computed_at).toBe(T0 + DEFAULT_CONFIG.headlineRefreshMs)
  })

  it('recomputes a server when usage is recorded for it through this process', async () => {
    f = listFixture()
    await f.addServer('one')
    await f.addServer('two')
    expect(await numbers(f)).toMatchObject({ one: { views: 0 }, two: { installs: 0 } })
    await f.use('one', 'view')
    await f.use('two', 'install')
    await f.app.deps.headlines.refresh()
    expect(await numbers(f)).toMatchObject({ one: { views: 1 }, two: { installs: 1 } })
  })

  it('costs nothing for idle servers, and recomputes the others when the window moves on', async () => {
    const { reads, wrap } = recording(['busy', 'sleepy', 'never'])
    f = listFixture({ wrap })
    for (const id of ['busy', 'sleepy', 'never']) await f.addServer(id)
    f.clock.now = T0 - 3 * DAY
    await f.send('sleepy', [calls(9, T0 - 3 * DAY)])
    f.clock.now = T0
    await f.send('busy', [calls(2, T0 - HOUR)])
    expect(await numbers(f)).toMatchObject({ busy: { calls: 2 }, sleepy: { calls: 0, previous: 0 }, never: { calls: 0 } })

    reads.length = 0
    await f.app.deps.headlines.refresh() // nothing changed, same window
    expect(reads).toEqual([])

    f.clock.now = T0 + 15 * MIN // the 1d window moves on by a bucket
    await f.app.deps.headlines.refresh()
    expect(reads.length).toBeGreaterThan(0)
    expect(reads.every((r) => r.startsWith('busy '))).toBe(true)
    expect((await f.list('period=1d')).body?.to).toBe(T0 + 30 * MIN)

    await f.use('sleepy', 'view') // usage wakes it up
    reads.length = 0
    await f.app.deps.headlines.refresh()
    expect(reads.some((r) => r.startsWith('sleepy '))).toBe(true)
    expect(reads.some((r) => r.startsWith('never '))).toBe(false)
    expect(await numbers(f)).toMatchObject({ sleepy: { views: 1 }, never: { views: 0 } })
  })

  it('follows servers being added, disabled and removed, and keeps each period apart', async () => {
    f = listFixture()
    await f.addServer('one')
    await f.addServer('two')
    await f.send('one', [calls(1, T0 - 2 * DAY)])
    expect(Object.keys(await numbers(f, 'period=7d'))).toEqual(['one', 'two'])
    expect(await numbers(f, 'period=7d')).toMatchObject({ one: { calls: 1 } })
    expect(await numbers(f, 'period=1d')).toMatchObject({ one: { calls: 0, previous: 0 } })
    await f.addServer('three')
    await f.store.setServerDisabled('two', true)
    await f.store.deleteServer('one')
    await f.app.deps.headlines.refresh()
    expect(Object.keys(await numbers(f, 'period=7d'))).toEqual(['three'])
    expect(Object.keys(await numbers(f, 'period=1d'))).toEqual(['three'])
    await f.store.setServerDisabled('two', false)
    await f.app.deps.headlines.refresh()
    expect(Object.keys(await numbers(f, 'period=1d'))).toEqual(['three', 'two'])
  })

  it('logs a failed refresh, never throws it at a reader, and keeps the last numbers', async () => {
    const lines: string[] = []
    let failing = false
    const wrap = (store: Store): Store =>
      new Proxy(store, {
        get(target, property, receiver) {
          if (property === 'listServers' && failing) return () => Promise.reject(new Error('database gone'))
          const value = Reflect.get(target, property, receiver)
          return typeof value === 'function' ? value.bind(target) : value
        },
      })
    f = listFixture({ wrap, logger: pino({ level: 'error' }, { write: (line: string) => void lines.push(line) }) })
    await f.addServer('one')
    await f.send('one', [calls(2, T0 - MIN)])
    expect(await numbers(f)).toMatchObject({ one: { calls: 2 } })
    failing = true
    f.clock.now = T0 + DEFAULT_CONFIG.headlineRefreshMs
    expect((await f.list('period=1d')).status).toBe(200)
    await f.app.deps.headlines.settled()
    expect(lines.join('')).toContain('headline refresh failed')
    expect(lines.join('')).toContain('database gone')
    expect(await numbers(f)).toMatchObject({ one: { calls: 2 } })
    expect((await f.list('period=1h')).status).toBe(500) // a period never built cannot be answered
    failing = false
    await f.app.deps.headlines.refresh()
    expect((await f.list('period=1h')).status).toBe(200)
  })

  it('catches up with a moving window within its budget, and never puts off data that arrived', async () => {
    f = listFixture()
    await f.addServer('old-news')
    await f.addServer('fresh')
    await f.send('old-news', [calls(1, T0 - 59 * MIN)])
    const clock = { now: T0 }
    const options: ConstructorParameters<typeof HeadlineIndex>[0] = {
      store: f.store,
      clock: () => clock.now,
      logger: pino({ level: 'silent' }),
      rollUpPending: () => f?.app.deps.rollups.runPending() ?? Promise.resolve(),
      refreshMs: 1000,
      windowBudgetMs: 0,
    }
    const index = new HeadlineIndex(options)
    const callsIn = async () => Object.fromEntries((await index.snapshot('1h')).entries.map((e) => [e.headline.id, [e.headline.calls, e.headline.previous.calls]]))
    expect(await callsIn()).toEqual({ 'old-news': [1, 0], fresh: [0, 0] })
    clock.now = T0 + 2 * MIN // the point at T0 − 59 min is now in the previous hour
    f.clock.now = clock.now
    await f.send('fresh', [calls(4, T0 + MIN)])
    await index.refresh()
    expect(await callsIn()).toEqual({ 'old-news': [1, 0], fresh: [4, 0] }) // out of budget: a refresh behind
    expect((await index.snapshot('1h')).to).toBe(T0 + 3 * MIN)
    options.windowBudgetMs = 60_000
    await index.refresh()
    expect(await callsIn()).toEqual({ 'old-news': [0, 1], fresh: [4, 0] })
  })

  it('rereads a few servers per refresh in turn, for usage recorded through other replicas', async () => {
    f = listFixture()
    for (const id of ['a', 'b', 'c']) await f.addServer(id)
    const index = new HeadlineIndex({ store: f.store, clock: () => T0, logger: pino({ level: 'silent' }), rollUpPending: async () => {}, refreshMs: 1000, sweepPerRefresh: 2 })
    const views = async () => Object.fromEntries((await index.snapshot('1d')).entries.map((e) => [e.headline.id, e.headline.views]))
    expect(await views()).toEqual({ a: 0, b: 0, c: 0 })
    // as another replica would: straight into the database, with nothing said to this process
    await f.store.recordUsage(['a', 'b', 'c'].map((serverId) => ({ serverId, action: 'view' as const, visitorHash: `v-${serverId}`, timestamp: T0 - HOUR })))
    await index.refresh() // the first build swept a and b; this one c and a
    expect(await views()).toEqual({ a: 1, b: 0, c: 1 })
    await index.refresh() // b and c
    expect(await views()).toEqual({ a: 1, b: 1, c: 1 })
  })
})
