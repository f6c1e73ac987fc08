import { afterAll } from 'vitest'
import { openPostgresStore } from '../src/postgres-store'
import { type PgCluster, requirePostgres, startPostgres } from '../src/testing-postgres'
import { storeConformance } from './store-conformance'

let cluster: PgCluster | undefined
let databases = 0

if (requirePostgres()) {
  afterAll(() => cluster?.stop())
  storeConformance('PostgreSQL', async () => {
    cluster ??= startPostgres()
    const store = await openPostgresStore({ connectionString: cluster.createDatabase(`conformance_${++databases}`) })
    return {
      store,
      sql: async (query) => (await store.pool.query(query)).rows,
      close: () => store.close(),
    }
  })
}
