// The conformance suite every Store implementation passes. The store directly: servers, credentials,
// batches, dirty minutes, rows read back, settings, purge; heartbeat minutes counted per hour. Through the service on a fake clock: rollups
// checked against a brute-force reference computed from the raw points (seeded, and property-based with late
// data and rollups at random moments), bucket boundaries, late data, state kept between OTLP ingests,
// idempotent re-aggregation, retention, read rules, caching, the live stream and the servers list; usage
// sections against a reference computed from the raw usage rows. Alert rules, deliveries and leases on the store.
import { afterEach, describe } from 'vitest'
import { alertTests } from './alerts'
import { Harness, type StoreUnderTest } from './harness'
import { heartbeatTests } from './heartbeats'
import { httpTests } from './http'
import { metricsReferenceTests } from './metrics-reference'
import { otlpStateTests } from './otlp-state'
import { rollupTests } from './rollups'
import { storeApiTests } from './store-api'
import { storeRowsTests } from './store-rows'
import { usageTests } from './usage'

export type { StoreUnderTest } from './harness'

/** Runs every Store behaviour against the stores `openStore` makes (one per test, or per topic). */
export function storeConformance(name: string, openStore: () => Promise<StoreUnderTest>) {
  describe(`${name} store conformance`, () => {
    const h = new Harness(openStore)
    afterEach(() => h.teardown())

    storeApiTests(h)
    storeRowsTests(h)
    heartbeatTests(h)
    rollupTests(h)
    metricsReferenceTests(h)
    httpTests(h)
    usageTests(h)
    otlpStateTests(h)
    alertTests(h)
  })
}
