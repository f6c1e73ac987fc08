// One page of the servers list from a snapshot of the headline index: filtered by who asks and by `q`, sorted,
// and paged with an opaque keyset cursor. Nothing here reads the database: a request costs a filter and a
// binary search over an order sorted once per snapshot.
import type { Period, ServerHeadline, ServerSort, SortOrder } from '@mcpdir/metrics/protocol'

/** One server of a snapshot: its headline and the lowercase text `q` is matched against. */
export interface ListEntry {
  readonly headline: ServerHeadline
  /** `id` and `name`, lowercase, separated by a newline (which neither contains). */
  readonly search: string
}

/** The list's numbers for one period as of one refresh. Immutable: a refresh that changes anything makes a new one. */
export interface HeadlineSnapshot {
  readonly period: Period
  /** The period's window, epoch ms. */
  readonly from: number
  readonly to: number
  /** When a refresh last changed a number of this snapshot. */
  readonly computedAt: number
  /** Every server that is not disabled, private ones included. */
  readonly entries: readonly ListEntry[]
}

/** What a page is asked for with; `q` lowercase and trimmed (`''` for all). */
export interface ListRequest {
  sort: ServerSort
  order: SortOrder
  limit: number
  cursor: string | undefined
  q: string
  includePrivate: boolean
}

/** A page, or why the cursor was refused. */
export type ListPage =
  | { ok: true; servers: ServerHeadline[]; nextCursor: string | null; total: number }
  | { ok: false; message: string }

type Key = string | number | null

interface Sorted {
  key: Key
  id: string
  entry: ListEntry
}

/** A server's value for a sort: lowercase name, last-seen time or a headline number (null when it has none). */
export function sortKey(headline: ServerHeadline, sort: ServerSort): Key {
  if (sort === 'name') return headline.name.toLowerCase()
  return headline[sort]
}

/** Orders by key (servers without a value last, in either order), then by id ascending: a total order. */
function comparator(order: SortOrder) {
  const sign = order === 'asc' ? 1 : -1
  return (a: { key: Key; id: string }, b: { key: Key; id: string }): number => {
    if (a.key !== b.key) {
      if (a.key === null) return 1
      if (b.key === null) return -1
      return (a.key < b.key ? -1 : 1) * sign
    }
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
  }
}

const orders = new WeakMap<HeadlineSnapshot, Map<string, Sorted[]>>()

/** The snapshot's servers in one order, for one audience: sorted once per snapshot and kept with it. */
function sortedEntries(snapshot: HeadlineSnapshot, sort: ServerSort, order: SortOrder, includePrivate: boolean): Sorted[] {
  let bySort = orders.get(snapshot)
  if (!bySort) orders.set(snapshot, (bySort = new Map()))
  const cacheKey = `${sort} ${order} ${includePrivate}`
  let sorted = bySort.get(cacheKey)
  if (!sorted) {
    sorted = []
    for (const entry of snapshot.entries) {
      if (entry.headline.is_private && !includePrivate) continue
      sorted.push({ key: sortKey(entry.headline, sort), id: entry.headline.id, entry })
    }
    sorted.sort(comparator(order))
    bySort.set(cacheKey, sorted)
  }
  return sorted
}

/** The cursor's content: what the page was asked with, and the last server it showed. */
type CursorFields = [version: 1, period: Period, sort: ServerSort, order: SortOrder, q: string, key: Key, id: string]

function encodeCursor(fields: CursorFields): string {
  return Buffer.from(JSON.stringify(fields)).toString('base64url')
}

function decodeCursor(cursor: string): CursorFields | undefined {
  try {
    const fields: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    if (!Array.isArray(fields) || fields.length !== 7 || fields[0] !== 1) return undefined
    const [, period, sort, order, q, key, id] = fields as unknown[]
    const isKey = key === null || typeof key === 'string' || (typeof key === 'number' && Number.isFinite(key))
    if (typeof period !== 'string' || typeof sort !== 'string' || typeof order !== 'string' || typeof q !== 'string' || !isKey || typeof id !== 'string') {
      return undefined
    }
    return fields as CursorFields
  } catch {
    return undefined
  }
}

/** Index of the first of `sorted` that comes after `after` in the order. */
function firstAfter(sorted: readonly Sorted[], after: { key: Key; id: string }, compare: ReturnType<typeof comparator>): number {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (compare(sorted[mid] as Sorted, after) <= 0) lo = mid + 1
    else hi = mid
  }
  return lo
}

/**
 * One page of the list. The cursor names the last server shown and its sort value, so the next page starts
 * right after it even when servers were added, removed or renumbered in between (keyset pagination: every
 * server that stays in place is shown exactly once). A cursor made for another period, sort, order or `q`
 * is refused.
 */
export function listPage(snapshot: HeadlineSnapshot, request: ListRequest): ListPage {
  const { sort, order, limit, q } = request
  const sorted = sortedEntries(snapshot, sort, order, request.includePrivate)
  const matching = q === '' ? sorted : sorted.filter((s) => s.entry.search.includes(q))
  let start = 0
  if (request.cursor !== undefined) {
    const fields = decodeCursor(request.cursor)
    if (!fields) return { ok: false, message: 'cursor is not one this service made; start again without it' }
    const [, period, cursorSort, cursorOrder, cursorQ, key, id] = fields
    const keyFits = sort === 'name' ? typeof key === 'string' : typeof key !== 'string'
    if (period !== snapshot.period || cursorSort !== sort || cursorOrder !== order || cursorQ !== q || !keyFits) {
      return { ok: false, message: 'cursor was made for another period, sort, order or q; ask with the same ones, or start again without it' }
    }
    start = firstAfter(matching, { key, id }, comparator(order))
  }
  const page = matching.slice(start, start + limit)
  const last = page.at(-1)
  const more = start + page.length < matching.length
  return {
    ok: true,
    servers: page.map((s) => s.entry.headline),
    nextCursor: more && last ? encodeCursor([1, snapshot.period, sort, order, q, last.key, last.id]) : null,
    total: matching.length,
  }
}
