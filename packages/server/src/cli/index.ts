import { parseArgs } from 'node:util'
import { alertsCommand } from './alerts'
import { backupCommand } from './backup'
import type { Command } from './command'
import { keysCommand } from './keys'
import { migrateCommand } from './migrate'
import { serveCommand } from './serve'
import { serversCommand } from './servers'
import { systemTestCommand } from './system-test'


const commands: Record<string, Command> = {
  serve: serveCommand,
  servers: serversCommand,
  keys: keysCommand,
  backup: backupCommand,
  migrate: migrateCommand,
  'system-test': systemTestCommand,
  alerts: alertsCommand,
}

function mainHelp(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(14)}${c.summary}`)
  return `Usage: mcpdir-metrics <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun mcpdir-metrics <command> --help for a command's options.\n`
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stderr.write(mainHelp())
    return name === undefined ? 2 : 0
  }
  const command = commands[name]
  if (!command) {
    process.stderr.write(`mcpdir-metrics: unknown command "${name}"\n\n${mainHelp()}`)
    return 2
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.usage}\n`)
    return 0
  }
  try {
    return await command.run(rest)
  } catch (error) {
    if (isArgError(error)) {
      process.stderr.write(`mcpdir-metrics ${name}: ${error.message}\n\n${command.usage}\n`)
      return 2
    }
    process.stderr.write(`mcpdir-metrics ${name}: ${error instanceof Error ? error.message : String(error)}\n`)
    return 1
  }
}

function isArgError(error: unknown): error is Error {
  return error instanceof Error && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')
}


main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exitCode = code
  },
  (error: unknown) => {
    process.stderr.write(`mcpdir-metrics: ${String(error)}\n`)
    process.exitCode = 1
  },
)
