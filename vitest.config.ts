import { defineConfig } from 'vitest/config'

// Lets `pnpm vitest` at the root run every package's tests as one multi-project run.
// `npm test` runs each package through turbo instead, so unchanged packages are skipped.
export default defineConfig({
  test: {
    projects: ['packages/*', 'examples/*'],
  },
})
