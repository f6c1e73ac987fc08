import { packageTestConfig } from '../../vitest.shared'

export default packageTestConfig('sdk', { include: ['src/**/*.test.ts', 'test/**/*.test.ts'] })
