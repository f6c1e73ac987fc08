import { defineConfig } from 'vitest/config'
import type { InlineConfig } from 'vitest/node'

/**
 * Settings every package's tests share: results also go to `.test-results/vitest.json`, which
 * `npm test` sums into one closing line (and turbo restores on a cache hit).
 */
export function packageTestConfig(name: string, test: InlineConfig = {}, define?: Record<string, string>) {
  return defineConfig({
    ...(define && { define }),
    test: {
      name,
      // generous guards, not timings: CI runs every package's tests at once on two cores
      testTimeout: 20_000,
      hookTimeout: 60_000,
      reporters: ['default', 'json'],
      outputFile: { json: '.test-results/vitest.json' },
      ...test,
    },
  })
}
