// A client-side MCP transport over a child process's stdin/stdout that keeps every stdout line, so a test can
// assert the server's stdout carries JSON-RPC and nothing else.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'

type Message = Record<string, unknown>

export class ChildPipeTransport {
  onmessage?: (message: never) => void
  onclose?: () => void
  onerror?: (error: Error) => void
  /** Every line the child wrote to stdout. */
  readonly lines: string[] = []
  stderr = ''
  readonly exited: Promise<number | null>
  private readonly child: ChildProcessWithoutNullStreams
  private buffer = ''

  constructor(script: string, args: string[], env: Record<string, string>) {
    this.child = spawn(process.execPath, [script, ...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] })
    this.exited = new Promise((ok) => this.child.on('exit', (code) => ok(code)))
    this.child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk))
    this.child.stdout.on('data', (chunk: Buffer) => {
      this.buffer += chunk.toString('utf8')
      let newline = this.buffer.indexOf('\n')
      while (newline !== -1) {
        const line = this.buffer.slice(0, newline)
        this.buffer = this.buffer.slice(newline + 1)
        this.lines.push(line)
        try {
          this.onmessage?.(JSON.parse(line) as never)
        } catch (error) {
          this.onerror?.(error as Error)
        }
        newline = this.buffer.indexOf('\n')
      }
    })
    this.child.on('close', () => this.onclose?.())
  }

  async start(): Promise<void> {}

  async send(message: Message): Promise<void> {
    this.child.stdin.write(`${JSON.stringify(message)}\n`)
  }

  /** Ends the child's stdin, as an MCP client does when it is done; the server then exits on its own. */
  async close(): Promise<void> {
    this.child.stdin.end()
  }

  /** Whether every stdout line was a JSON-RPC 2.0 message (and there was no partial line left). */
  stdoutIsJsonRpcOnly(): boolean {
    return this.buffer === '' && this.lines.every((line) => {
      try {
        return (JSON.parse(line) as Message).jsonrpc === '2.0'
      } catch {
        return false
      }
    })
  }
}
