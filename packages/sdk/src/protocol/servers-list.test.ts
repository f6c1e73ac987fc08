import { describe, expect, it } from 'vitest'
import { DEFAULT_SORT_ORDER, HEADLINE_FIELDS, isServerSort, SERVER_SORTS, serversListParams } from './servers-list'

describe('servers list contract', () => {
  it('sorts by name, last_seen and every headline field, each with a default order', () => {
    expect(SERVER_SORTS).toEqual(['name', 'last_seen', ...HEADLINE_FIELDS])
    expect(Object.keys(DEFAULT_SORT_ORDER).sort()).toEqual([...SERVER_SORTS].sort())
    expect(isServerSort('p95_ms')).toBe(true)
    expect(isServerSort('id')).toBe(false)
    expect(isServerSort(undefined)).toBe(false)
  })

  it('turns a query into URL parameters, leaving out unset ones', () => {
    expect(serversListParams({}).toString()).toBe('')
    expect(serversListParams({ period: '30d', sort: 'calls', order: 'asc', limit: 20, cursor: 'abc', q: 'git hub' }).toString()).toBe(
      'period=30d&sort=calls&order=asc&limit=20&cursor=abc&q=git+hub',
    )
    expect(serversListParams({ q: '' }).toString()).toBe('')
  })
})
