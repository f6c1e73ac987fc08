// A throwaway PostgreSQL cluster for tests and benchmarks: initdb in a temporary directory, listening only on a unix socket
// there. Without PostgreSQL binaries the tests say loudly that they were skipped, and never skip under CI.
import { execFileSync, spawnSync } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

function binDir(): string | undefined {
  if (process.env.PG_BIN) return process.env.PG_BIN
  const base = '/usr/lib/postgresql'
  if (!existsSync(base)) return undefined
  const versions = readdirSync(base).filter((v) => existsSync(join(base, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a))
  return versions[0] ? join(base, versions[0], 'bin') : undefined
}

export const PG_BIN = binDir()

/** Throws under CI without PostgreSQL; elsewhere warns loudly. Answers whether the tests can run. */
export function requirePostgres(): boolean {
  if (PG_BIN) return true
  if (process.env.CI) throw new Error('PostgreSQL binaries are missing: .ci/run installs Debian\'s postgresql for these tests')
  console.warn('\n*** SKIPPING PostgreSQL tests: no initdb found (apt-get install postgresql, or set PG_BIN) ***\n')
  return false
}

export interface PgCluster {
  /** A connection string for the `postgres` database over the unix socket. */
  url: string
  /** A connection string for a fresh database. */
  createDatabase(name: string): string
  stop(): void
}

let nextPort = 15_432 + (process.pid % 1_000)

export interface StartPostgresOptions {
  /** Server settings beyond the test ones, each passed as `-c name=value` (e.g. `{ shared_buffers: '4GB' }`). */
  settings?: Record<string, string>
}

export function startPostgres(options: StartPostgresOptions = {}): PgCluster {
  if (!PG_BIN) throw new Error('no PostgreSQL binaries')
  const dir = mkdtempSync(join(tmpdir(), 'mcpdir-pg-'))
  const data = join(dir, 'data')
  // initdb refuses to run as root: run the cluster as the postgres user then
  const asRoot = process.getuid?.() === 0
  const run = (cmd: string, args: string[]) => {
    const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', join(PG_BIN as string, cmd), ...args]] : [join(PG_BIN as string, cmd), args]
    return execFileSync(file, argv as string[], { stdio: 'pipe', encoding: 'utf8' })
  }
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }))
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }))
    chownSync(dir, uid, gid)
  }
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-locale', '--no-sync'])
  const port = nextPort++
  // fsync and synchronous_commit off: test speed only; the data is thrown away
  const settings = Object.entries(options.settings ?? {}).map(([name, value]) => ` -c ${name}=${value}`).join('')
  const serverOptions = `-p ${port} -k ${dir} -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200${settings}`
  run('pg_ctl', ['-D', data, '-o', serverOptions, '-w', '-l', join(dir, 'log'), 'start'])
  const url = (db: string) => `postgresql://postgres@localhost/${db}?host=${encodeURIComponent(dir)}&port=${port}`
  return {
    url: url('postgres'),
    createDatabase(name) {
      run('createdb', ['-h', dir, '-p', String(port), '-U', 'postgres', name])
      return url(name)
    },
    stop() {
      spawnSync(asRoot ? 'runuser' : join(PG_BIN as string, 'pg_ctl'), asRoot ? ['-u', 'postgres', '--', join(PG_BIN as string, 'pg_ctl'), '-D', data, '-m', 'immediate', 'stop'] : ['-D', data, '-m', 'immediate', 'stop'], { stdio: 'ignore' })
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
