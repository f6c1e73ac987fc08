import { Readable } from 'node:stream'
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { ApiError, errorResponse } from './api-error'
import { readBodyWithin } from './body-limit'
import type { AppEnv } from '../app/app-env'

/** An app that answers the body it read (its length), as @hono/node-server would run it when `incoming` is given. */
function app(maxBytes: number) {
  const app = new Hono<AppEnv>()
  app.use('*', readBodyWithin(maxBytes))
  app.post('/', (c) => c.text(String(c.var.body.byteLength)))
  app.onError((error, c) => (error instanceof ApiError ? errorResponse(c, error) : c.text('crashed', 500)))
  return app
}

const post = (body?: string) => new Request('http://x/', { method: 'POST', ...(body !== undefined && { body }) })

describe('readBodyWithin', () => {
  it("reads the body from Node's request when there is one, whatever the web request says", async () => {
    const incoming = Readable.from([Buffer.from('ab'), Buffer.from('cde')])
    const response = await app(10).request(post('ignored'), undefined, { incoming })
    expect(await response.text()).toBe('5')
  })

  it('reads the web body without one', async () => {
    expect(await (await app(10).request(post('abcdef'))).text()).toBe('6')
    expect(await (await app(10).request(post())).text()).toBe('0')
  })

  it('answers 413 past the limit, from either', async () => {
    const incoming = Readable.from([Buffer.alloc(8), Buffer.alloc(8)])
    const fromNode = await app(10).request(post(), undefined, { incoming })
    expect(fromNode.status).toBe(413)
    const fromWeb = await app(10).request(post('x'.repeat(11)))
    expect(fromWeb.status).toBe(413)
    expect(await fromWeb.json()).toMatchObject({ error: { code: 'payload_too_large' } })
  })

  it('answers 400, not a database error, when the client goes away mid-body', async () => {
    const incoming = new Readable({ read() {} })
    incoming.push(Buffer.from('{"a":'))
    setImmediate(() => incoming.destroy(Object.assign(new Error('aborted'), { code: 'ECONNRESET' })))
    const response = await app(100).request(post(), undefined, { incoming })
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({ error: { code: 'invalid_body', message: 'the body could not be read: aborted' } })
  })
})
