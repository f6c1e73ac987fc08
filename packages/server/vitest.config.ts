import { packageTestConfig } from '../../vitest.shared.ts'

export default packageTestConfig('server', { include: ['src/**/*.test.ts', 'test/**/*.test.ts'], testTimeout: 30_000, hookTimeout: 60_000 })
