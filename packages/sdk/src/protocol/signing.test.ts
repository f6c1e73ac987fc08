import { Webhook } from 'standardwebhooks'
import { describe, expect, it } from 'vitest'
import {
  createSignatureHeaders,
  generateSigningSecret,
  signLegacy,
  signStandardWebhook,
  verifyLegacySignature,
  verifySignedRequest,
  verifyStandardWebhook,
} from './signing'

const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
}
const atVector = VECTOR.timestamp * 1000

describe('Standard Webhooks signing', () => {
  it('reproduces the spec published vector', async () => {
    expect(await signStandardWebhook(VECTOR.secret, VECTOR.id, VECTOR.timestamp, VECTOR.body)).toBe(VECTOR.signature)
  })

  it('verifies the published vector at its timestamp', async () => {
    const check = await verifyStandardWebhook({
      secrets: [VECTOR.secret],
      id: VECTOR.id,
      timestamp: String(VECTOR.timestamp),
      signature: VECTOR.signature,
      body: VECTOR.body,
      nowMs: atVector,
    })
    expect(check).toEqual({ ok: true, scheme: 'standard', batchId: VECTOR.id })
  })

  it('signs what the standardwebhooks package verifies', async () => {
    const secret = generateSigningSecret()
    const body = JSON.stringify({ server_id: 'srv', metrics: [{ name: 'a', value: 1, type: 'counter' }] })
    const headers = await createSignatureHeaders({ secrets: secret, id: 'batch_1', body })
    expect(() => new Webhook(secret).verify(body, headers)).not.toThrow()
  })

  it('verifies what the standardwebhooks package signs', async () => {
    const secret = generateSigningSecret()
    const body = '{"hello":"wörld"}'
    const now = new Date()
    const signature = new Webhook(secret).sign('msg_42', now, body)
    const check = await verifySignedRequest({
      headers: { 'webhook-id': 'msg_42', 'webhook-timestamp': String(Math.floor(now.getTime() / 1000)), 'webhook-signature': signature },
      body,
      secrets: [secret],
    })
    expect(check.ok).toBe(true)
  })

  const verifyVector = (overrides: Partial<Parameters<typeof verifyStandardWebhook>[0]>) =>
    verifyStandardWebhook({
      secrets: [VECTOR.secret],
      id: VECTOR.id,
      timestamp: String(VECTOR.timestamp),
      signature: VECTOR.signature,
      body: VECTOR.body,
      nowMs: atVector,
      ...overrides,
    })

  it('rejects a wrong key', async () => {
    const check = await verifyVector({ secrets: [generateSigningSecret()] })
    expect(check).toMatchObject({ ok: false, code: 'signature_mismatch' })
  })

  it('rejects an altered body, id or timestamp', async () => {
    expect(await verifyVector({ body: '{"test": 2432232315}' })).toMatchObject({ code: 'signature_mismatch' })
    expect(await verifyVector({ id: 'msg_other' })).toMatchObject({ code: 'signature_mismatch' })
    expect(await verifyVector({ timestamp: String(VECTOR.timestamp + 1) })).toMatchObject({ code: 'signature_mismatch' })
  })

  it('rejects stale and future timestamps outside ±5 minutes, accepts inside', async () => {
    expect(await verifyVector({ nowMs: atVector + 301_000 })).toMatchObject({ code: 'timestamp_stale' })
    expect(await verifyVector({ nowMs: atVector - 301_000 })).toMatchObject({ code: 'timestamp_future' })
    expect(await verifyVector({ nowMs: atVector + 299_000 })).toMatchObject({ ok: true })
    expect(await verifyVector({ nowMs: atVector - 299_000 })).toMatchObject({ ok: true })
  })

  it('accepts any of several signatures and secrets (rotation), ignores other versions', async () => {
    const other = generateSigningSecret()
    const headers = await createSignatureHeaders({
      secrets: [other, VECTOR.secret],
      id: VECTOR.id,
      body: VECTOR.body,
      timestampSeconds: VECTOR.timestamp,
    })
    expect(headers['webhook-signature']?.split(' ')).toHaveLength(2)
    expect(headers['webhook-signature']).toContain(VECTOR.signature)
    expect(await verifyVector({ signature: `v2,abc ${VECTOR.signature}` })).toMatchObject({ ok: true })
    expect(await verifyVector({ secrets: [other, VECTOR.secret] })).toMatchObject({ ok: true })
  })

  it('names malformed headers precisely', async () => {
    expect(await verifyVector({ timestamp: 'yesterday' })).toMatchObject({ code: 'signature_malformed' })
    expect(await verifyVector({ signature: 'v1,not base64!' })).toMatchObject({ code: 'signature_malformed' })
    expect(await verifyVector({ id: undefined })).toMatchObject({ code: 'signature_malformed' })
    expect(await verifyVector({ id: 'has space' })).toMatchObject({ code: 'signature_malformed' })
  })
})

describe('legacy X-Signature', () => {
  it("matches GitHub's published vector (hex HMAC-SHA256 of the body)", async () => {
    expect(await signLegacy("It's a Secret to Everybody", 'Hello, World!')).toBe(
      '757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
    )
  })

  it('verifies, keys on the full secret string, and ids the batch by the body hash', async () => {
    const secret = generateSigningSecret()
    const body = '{"server_id":"s","metrics":[]}'
    const signature = await signLegacy(secret, body)
    const check = await verifyLegacySignature({ secrets: [secret], signature, body })
    expect(check).toMatchObject({ ok: true, scheme: 'legacy' })
    expect(check.ok && check.batchId).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(await verifyLegacySignature({ secrets: [secret], signature: `sha256=${signature}`, body })).toMatchObject({ ok: true })
    expect(await verifyLegacySignature({ secrets: [secret], signature, body: `${body} ` })).toMatchObject({
      code: 'signature_mismatch',
    })
    expect(await verifyLegacySignature({ secrets: [secret], signature: 'abc', body })).toMatchObject({
      code: 'signature_malformed',
    })
  })

  it('is chosen from X-Signature or X-Webhook-Signature, and a missing signature is named', async () => {
    const secret = generateSigningSecret()
    const body = 'x'
    const sig = await signLegacy(secret, body)
    for (const name of ['x-signature', 'x-webhook-signature']) {
      const check = await verifySignedRequest({ headers: new Headers({ [name]: sig }), body, secrets: [secret] })
      expect(check).toMatchObject({ ok: true, scheme: 'legacy' })
    }
    expect(await verifySignedRequest({ headers: {}, body, secrets: [secret] })).toMatchObject({ code: 'signature_missing' })
  })
})
