// What every pipelined-reads test file sets up: a throwaway cluster and database, an admin connection, and the
// pipelined reads each test opens (all ended after it), with the errors they report.
import pg from 'pg'
import { afterAll, afterEach, beforeAll } from 'vitest'
import { type PgCluster, startPostgres } from '../../testing/postgres-cluster'
import { type PipelinedReads, type PipelinedReadsOptions, pipelinedReads } from './pipelined-reads'

export interface PipelinedReadsSetup {
  cluster: PgCluster
  url: string
  admin: pg.Client
  /** What the reads opened by `open` reported through `onError`, this test. */
  errors: Error[]
  /** Pipelined reads over the test database (or `config`), ended after the test. */
  open(connections: number, config?: pg.ClientConfig, options?: PipelinedReadsOptions): PipelinedReads
  /** The backends of the test database other than the admin connection. */
  backends(): Promise<number[]>
  /**
   * The backends once they are `expected` (or after 2 s): a closed connection's backend leaves pg_stat_activity a
   * moment after the client has let go, and one of an earlier test may still be leaving.
   */
  backendsSettled(expected: readonly number[]): Promise<number[]>
}

/** Registers the hooks (call it inside `describe`); the fields are set once `beforeAll` has run. */
export function pipelinedReadsSetup(db: string): PipelinedReadsSetup {
  const opened = new Set<PipelinedReads>()
  const setup = {
    errors: [] as Error[],
    open(connections: number, config?: pg.ClientConfig, options?: PipelinedReadsOptions) {
      const reads = pipelinedReads(config ?? { connectionString: setup.url }, connections, (error) => setup.errors.push(error), options)
      opened.add(reads)
      return reads
    },
    async backends() {
      const sql = 'SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()'
      return (await setup.admin.query<{ pid: number }>(sql, [db])).rows.map((r) => r.pid)
    },
    async backendsSettled(expected: readonly number[]) {
      const same = (pids: number[]) => pids.length === expected.length && pids.every((pid) => expected.includes(pid))
      let pids = await setup.backends()
      for (let i = 0; i < 200 && !same(pids); i++) {
        await new Promise((resolve) => setTimeout(resolve, 10))
        pids = await setup.backends()
      }
      return pids
    },
  } as PipelinedReadsSetup
  beforeAll(async () => {
    setup.cluster = startPostgres()
    setup.url = setup.cluster.createDatabase(db)
    setup.admin = new pg.Client({ connectionString: setup.url })
    await setup.admin.connect()
  })
  afterEach(async () => {
    await Promise.all([...opened].map((reads) => reads.end()))
    opened.clear()
    setup.errors.length = 0
  })
  afterAll(async () => {
    await setup.admin?.end().catch(() => {})
    setup.cluster?.stop()
  })
  return setup
}
