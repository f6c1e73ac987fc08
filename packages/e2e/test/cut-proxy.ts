// A TCP proxy in front of the service that a test can cut: every open connection (a live stream among them) is
// dropped and new ones are refused until it is resumed, as when a network or a reverse proxy goes away a while.
import { createServer, type Socket, connect } from 'node:net'
import type { AddressInfo } from 'node:net'

export interface CutProxy {
  /** `http://127.0.0.1:<port>`, to open pages at instead of the service's own URL. */
  url: string
  /** Drops every connection and refuses new ones. */
  cut(): void
  resume(): void
  close(): Promise<void>
}

export async function startCutProxy(target: string): Promise<CutProxy> {
  const { hostname, port } = new URL(target)
  const open = new Set<Socket>()
  let refusing = false
  const server = createServer((client) => {
    if (refusing) {
      client.destroy()
      return
    }
    const upstream = connect(Number(port), hostname)
    for (const [socket, other] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      open.add(socket)
      socket.on('error', () => other.destroy())
      socket.on('close', () => {
        open.delete(socket)
        other.destroy()
      })
      socket.pipe(other)
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    cut() {
      refusing = true
      for (const socket of open) socket.destroy()
    },
    resume() {
      refusing = false
    },
    close() {
      for (const socket of open) socket.destroy()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}
