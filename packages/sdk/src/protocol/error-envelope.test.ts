import { describe, expect, it } from 'vitest'
import {
  ERROR_CODES,
  errorResponseBody,
  isErrorCode,
  isErrorResponse,
  parseErrorResponse,
  SIGNATURE_ERROR_CODES,
} from './error-envelope'
import { verifySignedRequest } from './signing'

describe('the error envelope', () => {
  it('lists every code once, the signing codes among them', () => {
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length)
    for (const code of SIGNATURE_ERROR_CODES) expect(isErrorCode(code)).toBe(true)
    expect(isErrorCode('nope')).toBe(false)
    expect(isErrorCode(undefined)).toBe(false)
  })

  it('recognises what the service answers', () => {
    const body = errorResponseBody('invalid_body', 'metrics[0].value: expected number', 'metrics[0].value')
    expect(body).toEqual({ success: false, error: { code: 'invalid_body', message: 'metrics[0].value: expected number', path: 'metrics[0].value' } })
    expect(errorResponseBody('not_found', 'no route')).toEqual({ success: false, error: { code: 'not_found', message: 'no route' } })
    const parsed: unknown = JSON.parse(JSON.stringify(body))
    expect(isErrorResponse(parsed)).toBe(true)
    expect(parseErrorResponse(parsed)).toEqual(body.error)
  })

  it('refuses anything else', () => {
    const bad: unknown[] = [
      undefined,
      null,
      'error',
      { success: true },
      { success: false },
      { success: false, error: null },
      { success: false, error: { code: 'invalid_body' } },
      { success: false, error: { code: 'made_up', message: 'x' } },
      { success: false, error: { code: 'invalid_body', message: 3 } },
      { success: false, error: { code: 'invalid_body', message: 'x', path: 3 } },
      { success: 'false', error: { code: 'invalid_body', message: 'x' } },
    ]
    for (const body of bad) {
      expect(isErrorResponse(body), JSON.stringify(body)).toBe(false)
      expect(parseErrorResponse(body)).toBeUndefined()
    }
  })

  it('covers the codes a signature check fails with', async () => {
    const check = await verifySignedRequest({ headers: {}, body: '{}', secrets: [] })
    expect(check.ok === false && SIGNATURE_ERROR_CODES.includes(check.code)).toBe(true)
  })
})
