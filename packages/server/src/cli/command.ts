/** One `mcpdir-metrics` subcommand: its help and what it runs (answers the exit code). */
export interface Command {
  summary: string
  usage: string
  run(argv: string[]): Promise<number>
}
