import { afterAll } from 'vitest'
import { openPostgresStore } from './postgres-store'
import { type PgCluster, requirePostgres, startPostgres } from '../../testing/postgres-cluster'
import { storeConformance } from '../conformance'

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
