// The conformance suite every Store implementation passes. The store directly: servers, credentials,
// batches, dirty minutes, rows read back, settings, purge. Through the service on a fake clock: rollups
// checked against a brute-force reference computed from the raw points, bucket boundaries, late data,
// idempotent re-aggregation, retention, read rules, caching, the live stream and the servers list.
import { afterEach, describe } from 'vitest'
import { Harness, type StoreUnderTest } from './harness'
import { httpTests } from './http'
import { rollupTests } from './rollups'
import { storeApiTests } from './store-api'
import { storeRowsTests } from './store-rows'

export type { StoreUnderTest } from './harness'

/** Runs every Store behaviour against the stores `openStore` makes (one per test, or per topic). */
export function storeConformance(name: string, openStore: () => Promise<StoreUnderTest>) {
  describe(`${name} store conformance`, () => {
    const h = new Harness(openStore)
    afterEach(() => h.teardown())

    storeApiTests(h)
    storeRowsTests(h)
    rollupTests(h)
    httpTests(h)
  })
}
