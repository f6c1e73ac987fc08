import { describe, expect, it } from 'vitest'
import { formatAlertWindow, parseAlertRule, parseAlertWebhookPayload, parseAlertWindow } from './alert-webhook'

const hook = 'https://hooks.example.com/alerts'
const refusal = (input: unknown) => {
  const result = parseAlertRule(input)
  return result.ok ? undefined : result.issues[0]
}

describe('alert rules', () => {
  it('read windows in m, h and d, and write them back shortest', () => {
    expect(parseAlertWindow('10m')).toBe(600_000)
    expect(parseAlertWindow('2h')).toBe(7_200_000)
    expect(parseAlertWindow('1d')).toBe(86_400_000)
    for (const bad of ['10', '10s', '1.5h', '-1m', 'm', '']) expect(parseAlertWindow(bad)).toBeUndefined()
    expect(formatAlertWindow(600_000)).toBe('10m')
    expect(formatAlertWindow(3_600_000)).toBe('1h')
    expect(formatAlertWindow(86_400_000)).toBe('1d')
    expect(formatAlertWindow(90 * 60_000)).toBe('90m')
  })

  it('accept each metric with its threshold and window, and a digest with neither', () => {
    expect(parseAlertRule({ metric: 'error_rate', above: 0.05, for: '10m', webhook: hook })).toEqual({
      ok: true,
      value: { metric: 'error_rate', condition: 'above', threshold: 0.05, windowMs: 600_000, webhook: hook },
    })
    expect(parseAlertRule({ metric: 'calls', below: 1, for: '1h', webhook: hook }).ok).toBe(true)
    expect(parseAlertRule({ metric: 'p95', above: 800, for: '5m', webhook: hook }).ok).toBe(true)
    expect(parseAlertRule({ metric: 'availability', below: 0.99, for: '1d', webhook: hook }).ok).toBe(true)
    expect(parseAlertRule({ metric: 'silence', for: '30m', webhook: hook }).ok).toBe(true)
    expect(parseAlertRule({ metric: 'digest', webhook: 'http://example.com/x' })).toMatchObject({ ok: true, value: { metric: 'digest', windowMs: 7 * 86_400_000 } })
  })

  it('refuse bad rules, each with the field at fault and why', () => {
    expect(refusal({ metric: 'latency', above: 1, for: '1m', webhook: hook })?.path).toBe('metric')
    expect(refusal({ metric: 'error_rate', for: '10m', webhook: hook })).toMatchObject({ path: 'above', message: expect.stringContaining('needs a threshold') })
    expect(refusal({ metric: 'error_rate', above: 0.1, below: 0.2, for: '10m', webhook: hook })).toMatchObject({ path: 'below', message: expect.stringContaining('not both') })
    expect(refusal({ metric: 'error_rate', above: 5, for: '10m', webhook: hook })).toMatchObject({ path: 'above', message: expect.stringContaining('out of range') })
    expect(refusal({ metric: 'error_rate', above: 1, for: '10m', webhook: hook })).toMatchObject({ path: 'above', message: expect.stringContaining('never') })
    expect(refusal({ metric: 'calls', below: 0, for: '10m', webhook: hook })).toMatchObject({ path: 'below', message: expect.stringContaining('never') })
    expect(refusal({ metric: 'p95', above: 100, webhook: hook })).toMatchObject({ path: 'for', message: expect.stringContaining('needs a window') })
    expect(refusal({ metric: 'p95', above: 100, for: '30s', webhook: hook })).toMatchObject({ path: 'for', message: expect.stringContaining('not a window') })
    expect(refusal({ metric: 'p95', above: 100, for: '2d', webhook: hook })).toMatchObject({ path: 'for', message: expect.stringContaining('1m to 1d') })
    expect(refusal({ metric: 'silence', above: 1, for: '10m', webhook: hook })).toMatchObject({ path: 'above', message: expect.stringContaining('no threshold') })
    expect(refusal({ metric: 'digest', for: '7d', webhook: hook })?.path).toBe('for')
    expect(refusal({ metric: 'calls', below: 1, for: '1h', webhook: 'ftp://example.com/x' })).toMatchObject({ path: 'webhook', message: expect.stringContaining('http or https') })
    expect(refusal({ metric: 'calls', below: 1, for: '1h', webhook: 'not a url' })?.path).toBe('webhook')
    expect(refusal({ metric: 'calls', below: 1, for: '1h', webhook: hook, extra: 1 })?.code).toBe('unrecognized_keys')
  })
})

describe('alert webhook bodies', () => {
  const base = {
    type: 'alert.firing',
    server: { id: 's', name: 'S' },
    rule: { id: 1, metric: 'error_rate', condition: 'above', threshold: 0.05, window: '10m' },
    value: 0.2,
    threshold: 0.05,
    window: '10m',
    at: '2026-03-10T12:10:00.000Z',
    url: 'http://127.0.0.1:8787/#s',
    text: 'firing',
  }
  it('parse an alert, and refuse a digest without its section or an alert with one', () => {
    expect(parseAlertWebhookPayload(base).ok).toBe(true)
    expect(parseAlertWebhookPayload({ ...base, type: 'digest.weekly' }).ok).toBe(false)
    expect(parseAlertWebhookPayload({ ...base, surprise: 1 }).ok).toBe(false)
  })
})
