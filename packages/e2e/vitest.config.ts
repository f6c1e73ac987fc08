import { packageTestConfig } from '../../vitest.shared.ts'

export default packageTestConfig('e2e', { include: ['test/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 120_000 })
