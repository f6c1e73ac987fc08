import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { inflateBody } from './inflate'

const refusal = (promise: Promise<unknown>) => promise.then(() => undefined, (error: { status?: number; code?: string }) => ({ status: error.status, code: error.code }))

describe('inflateBody', () => {
  it('inflates gzip, passes identity and no encoding through', async () => {
    const body = new TextEncoder().encode('{"resourceMetrics":[]}')
    expect(await inflateBody(gzipSync(body), 'gzip', 1024)).toEqual(Buffer.from(body))
    expect(await inflateBody(gzipSync(body), ' GZIP ', 1024)).toEqual(Buffer.from(body))
    expect(await inflateBody(body, undefined, 1024)).toBe(body)
    expect(await inflateBody(body, 'identity', 1024)).toBe(body)
  })

  it('refuses a gzip bomb with a 413 once the output passes the limit, without inflating the rest', async () => {
    const bomb = gzipSync(Buffer.alloc(16 * 1024 * 1024)) // 16 MiB of zeros in about 16 KiB
    expect(bomb.byteLength).toBeLessThan(20_000)
    expect(await refusal(inflateBody(bomb, 'gzip', 1_048_576))).toEqual({ status: 413, code: 'payload_too_large' })
    // exactly at the limit is fine
    expect((await inflateBody(gzipSync(Buffer.alloc(1024)), 'gzip', 1024)).byteLength).toBe(1024)
    expect(await refusal(inflateBody(gzipSync(Buffer.alloc(1025)), 'gzip', 1024))).toEqual({ status: 413, code: 'payload_too_large' })
  })

  it('refuses a body that is not gzip (400) and other encodings (415)', async () => {
    expect(await refusal(inflateBody(new TextEncoder().encode('not gzip'), 'gzip', 1024))).toEqual({ status: 400, code: 'invalid_body' })
    expect(await refusal(inflateBody(gzipSync(Buffer.from('x')).subarray(0, 12), 'gzip', 1024))).toEqual({ status: 400, code: 'invalid_body' })
    expect(await refusal(inflateBody(new Uint8Array(4), 'br', 1024))).toEqual({ status: 415, code: 'unsupported_media_type' })
    expect(await refusal(inflateBody(new Uint8Array(4), 'deflate', 1024))).toEqual({ status: 415, code: 'unsupported_media_type' })
  })
})
