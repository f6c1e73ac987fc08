import { storeConformance } from '../conformance'
import { openSqliteStore } from './sqlite-store'

storeConformance('SQLite', async () => {
  const store = openSqliteStore({ path: ':memory:' })
  return {
    store,
    sql: async (query) => store.db.prepare(query).all() as Record<string, unknown>[],
    close: () => store.close(),
  }
})
