#!/usr/bin/env node
// The two-command quick start: `npm start` and `npm test` on a fresh clone with only Node and npm.
// Installs with a pinned pnpm when the lockfile or a manifest changed since the last install, then lets
// turbo build / typecheck / test only what changed. Every step is skipped when already done.
import { spawn, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const rootPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const pnpmSpec = rootPkg.packageManager // "pnpm@10.x.y", the one pinned version
const stampFile = join(root, 'node_modules', '.mcpdir-install-stamp')
const bin = (name) => join(root, 'node_modules', '.bin', name)

const env = {
  ...process.env,
  TURBO_TELEMETRY_DISABLED: '1',
  TURBO_NO_UPDATE_NOTIFIER: '1',
  DO_NOT_TRACK: '1',
  PATH: `${join(root, 'node_modules', '.bin')}:${process.env.PATH}`,
}

function run(cmd, args, opts = {}) {
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env, ...opts })
  if (result.error) throw result.error
  if (result.status !== 0) process.exit(result.status ?? 1)
}

function manifestsHash() {
  const hash = createHash('sha256')
  const files = ['package.json', 'pnpm-lock.yaml', 'pnpm-workspace.yaml']
  for (const group of ['packages', 'examples']) {
    const dir = join(root, group)
    if (!existsSync(dir)) continue
    for (const name of readdirSync(dir).sort()) files.push(join(group, name, 'package.json'))
  }
  for (const file of files) {
    const path = join(root, file)
    hash.update(file).update('\0').update(existsSync(path) ? readFileSync(path) : '').update('\0')
  }
  hash.update(process.version)
  return hash.digest('hex')
}

function install() {
  const want = manifestsHash()
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === want && existsSync(bin('turbo'))) return
  console.error(`[mcpdir] installing dependencies with ${pnpmSpec}`)
  const frozen = existsSync(join(root, 'pnpm-lock.yaml')) ? ['--frozen-lockfile'] : []
  const local = bin('pnpm')
  if (existsSync(local)) run(local, ['install', ...frozen])
  else run('npx', ['--yes', pnpmSpec, 'install', ...frozen])
  writeFileSync(stampFile, want)
}

function turbo(tasks, extra = []) {
  run(bin('turbo'), ['run', ...tasks, '--output-logs=new-only', ...extra])
}

// One closing line over every package's vitest JSON report (restored by turbo on a cache hit).
function reportTotals() {
  let passed = 0
  let failed = 0
  let skipped = 0
  for (const group of ['packages', 'examples']) {
    const dir = join(root, group)
    if (!existsSync(dir)) continue
    for (const name of readdirSync(dir)) {
      const file = join(dir, name, '.test-results', 'vitest.json')
      if (!existsSync(file)) continue
      const report = JSON.parse(readFileSync(file, 'utf8'))
      passed += report.numPassedTests
      failed += report.numFailedTests
      skipped += report.numPendingTests + report.numTodoTests
    }
  }
  console.log(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped`)
  if (failed > 0 || passed === 0) process.exit(1)
}

/** Runs a long-lived script; signals sent to this process (not only the terminal's group) reach it. */
function runForeground(script, args) {
  const child = spawn(process.execPath, [script, ...args], { cwd: root, stdio: 'inherit', env })
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal))
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
}

const [command = 'test', ...rest] = process.argv.slice(2)

switch (command) {
  case 'install':
    install()
    break
  case 'build':
    install()
    turbo(['build'], rest)
    break
  case 'test':
    install()
    turbo(['build', 'typecheck', 'check:package', 'test'], ['--concurrency=1', ...rest])
    reportTotals()
    break
  case 'bench':
    install()
    turbo(['bench'], ['--concurrency=1', ...rest])
    run(process.execPath, [join(root, 'scripts/bench-report.mjs')])
    break
  case 'start':
    install()
    turbo(['build'], ['--filter=@mcpdir/metrics-server...'])
    runForeground(join(root, 'packages/server/dist/cli.js'), rest.length > 0 ? rest : ['serve', '--db', './data/metrics.db'])
    break
  case 'soak':
    install()
    turbo(['build'], ['--filter=@mcpdir/metrics-server...'])
    run(process.execPath, [join(root, 'packages/server/soak/soak.mjs'), ...rest])
    break
  case 'demo':
    install()
    turbo(['build'], ['--filter=@mcpdir/example-mcp-server...'])
    runForeground(join(root, 'examples/mcp-server/dist/demo.js'), rest)
    break
  default:
    console.error(`unknown command: ${command} (expected start, test, demo, bench, soak, build or install)`)
    process.exit(2)
}
