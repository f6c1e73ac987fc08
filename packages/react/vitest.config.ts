import { packageTestConfig } from '../../vitest.shared.ts'

export default packageTestConfig('react', {
  include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'test/**/*.test.ts'],
  environment: 'happy-dom',
})
