import { readFileSync } from 'node:fs'
import { packageTestConfig } from '../../vitest.shared.ts'

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string }

export default packageTestConfig(
  'sdk',
  { include: ['src/**/*.test.ts', 'test/**/*.test.ts'], testTimeout: 20_000 },
  { __SDK_VERSION__: JSON.stringify(version) },
)
