import { sortTags } from '@mcpdir/metrics/protocol'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { SeriesCache, SeriesIds, seriesKey } from './series-cache'

// few distinct parts, so series share names, types, tag keys and prefixes of each other's tags
const tags = fc.dictionary(fc.constantFrom('client', 'outcome', 'tool', 'a', 'z'), fc.constantFrom('', 'ok', 'error', 'x', 'tool-1'), { maxKeys: 4 })
const series = fc.record({ name: fc.constantFrom('m', 'mcp.tool.calls', 'n'), type: fc.constantFrom('counter', 'gauge', 'timer'), tags })

describe('SeriesIds', () => {
  it('finds a series by name, type and sorted tags exactly as a map by its canonical JSON does', () => {
    fc.assert(
      fc.property(fc.array(series, { maxLength: 40 }), fc.array(series, { maxLength: 40 }), (stored, asked) => {
        const trie = new SeriesIds()
        const reference = new Map<string, number>()
        stored.forEach((s, id) => {
          const sorted = sortTags(s.tags) as Record<string, string>
          trie.set(s.name, s.type, sorted, id)
          reference.set(seriesKey(s.name, s.type, JSON.stringify(sorted)), id)
        })
        expect(trie.size).toBe(reference.size)
        for (const s of [...stored, ...asked]) {
          const sorted = sortTags(s.tags) as Record<string, string>
          expect(trie.get(s.name, s.type, sorted)).toBe(reference.get(seriesKey(s.name, s.type, JSON.stringify(sorted))))
        }
      }),
      { numRuns: 300 },
    )
  })

  it('tells apart tags that are a prefix of others, and series of other names or types', () => {
    const trie = new SeriesIds()
    trie.set('m', 'counter', { client: 'c', tool: 't' }, 1)
    expect(trie.get('m', 'counter', { client: 'c' })).toBeUndefined()
    expect(trie.get('m', 'counter', {})).toBeUndefined()
    expect(trie.get('m', 'gauge', { client: 'c', tool: 't' })).toBeUndefined()
    expect(trie.get('n', 'counter', { client: 'c', tool: 't' })).toBeUndefined()
    trie.set('m', 'counter', {}, 2)
    trie.set('m', 'counter', { client: 'c' }, 3)
    expect([trie.get('m', 'counter', {}), trie.get('m', 'counter', { client: 'c' }), trie.get('m', 'counter', { client: 'c', tool: 't' })]).toEqual([2, 3, 1])
    expect(trie.size).toBe(3)
  })
})

describe('SeriesCache', () => {
  it('remembers stored series by their canonical JSON, per server as created at a time', () => {
    const cache = new SeriesCache()
    cache.rememberIds('s', 1, [
      { id: 7, name: 'm', type: 'counter', tags: '{"client":"c","tool":"t"}' },
      { id: 8, name: 'm', type: 'counter', tags: '{}' },
    ])
    expect(cache.idsOf('s', 1).get('m', 'counter', { client: 'c', tool: 't' })).toBe(7)
    expect(cache.idsOf('s', 1).get('m', 'counter', {})).toBe(8)
    // the same server created again: none of the old ids
    expect(cache.idsOf('s', 2).get('m', 'counter', {})).toBeUndefined()
    expect(cache.idsOf('s', 2).size).toBe(0)
  })

  it('weighs a server by its trie cells, so series whose first tags all differ count for several, and forgets all when full', () => {
    const rows = (n: number, tags: (i: number) => string) => Array.from({ length: n }, (_, i) => ({ id: i, name: 'm', type: 'counter' as const, tags: tags(i) }))
    const shared = new SeriesIds()
    const wide = new SeriesIds()
    for (const row of rows(100, (i) => `{"client":"c","tool":"t${i}"}`)) shared.set(row.name, row.type, JSON.parse(row.tags), row.id)
    for (const row of rows(100, (i) => `{"client":"c${i}","tool":"t"}`)) wide.set(row.name, row.type, JSON.parse(row.tags), row.id)
    expect(shared.cells).toBeLessThan(110)
    expect(wide.cells).toBeGreaterThan(400)

    // series remembered one at a time, about four cells each: past 500 cells everything is forgotten on the way (a
    // bound of 500 series would have kept all 150)
    const cache = new SeriesCache(500)
    for (const row of rows(150, (i) => `{"client":"c${i}","tool":"t"}`)) cache.rememberIds('wide', 1, [row])
    expect(cache.idsOf('wide', 1).size).toBeLessThan(150)
    expect(cache.idsOf('wide', 1).get('m', 'counter', { client: 'c149', tool: 't' })).toBe(149)
    // one remember larger than the room left makes room first: the bound holds after it too
    const small = new SeriesCache(250)
    small.rememberIds('a', 1, rows(10, (i) => `{"client":"c${i}","tool":"t"}`))
    small.rememberIds('b', 1, rows(40, (i) => `{"client":"c${i}","tool":"t"}`))
    expect(small.idsOf('a', 1).size).toBe(0)
    expect(small.idsOf('b', 1).size).toBe(40)
    expect((small as unknown as { entries: number }).entries).toBeLessThanOrEqual(250)
  })
})
