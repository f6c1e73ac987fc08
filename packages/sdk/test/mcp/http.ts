// An HTTP server on 127.0.0.1 for MCP tests, and the User-Agent clients send to it.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export async function listen(handle: (req: IncomingMessage, res: ServerResponse) => unknown) {
  const server = createServer((req, res) => {
    Promise.resolve(handle(req, res)).catch(() => {
      if (!res.headersSent) res.writeHead(500)
      res.end()
    })
  })
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok))
  const { port } = server.address() as AddressInfo
  return {
    url: new URL(`http://127.0.0.1:${port}/mcp`),
    close() {
      server.closeAllConnections()
      return new Promise<void>((ok) => server.close(() => ok()))
    },
  }
}

/** `requestInit` naming the client in its User-Agent, as stateless legacy requests are identified. */
export const agent = (name: string, version: string) => ({ requestInit: { headers: { 'user-agent': `${name}/${version} (test)` } } })
