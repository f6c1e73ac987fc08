import { describe, expect, it } from 'vitest'
import { MAX_RETENTION_DAYS, parseMetricsAggregate } from './aggregate'

describe('parseMetricsAggregate', () => {
  it('accepts an empty body, a day and a retention', () => {
    expect(parseMetricsAggregate({})).toEqual({ ok: true, value: {} })
    expect(parseMetricsAggregate({ date: '2025-06-02', retentionDays: 7 })).toEqual({ ok: true, value: { date: '2025-06-02', retentionDays: 7 } })
    expect(parseMetricsAggregate({ retentionDays: MAX_RETENTION_DAYS })).toEqual({ ok: true, value: { retentionDays: MAX_RETENTION_DAYS } })
  })

  it('names what is wrong', () => {
    const cases: [unknown, string][] = [
      [{ date: '2025-6-2' }, 'date'],
      [{ date: '2025-13-01' }, 'date'],
      [{ date: 20250602 }, 'date'],
      [{ retentionDays: 0 }, 'retentionDays'],
      [{ retentionDays: 1.5 }, 'retentionDays'],
      [{ retentionDays: MAX_RETENTION_DAYS + 1 }, 'retentionDays'],
      [{ retentionDays: '7' }, 'retentionDays'],
    ]
    for (const [body, path] of cases) {
      const result = parseMetricsAggregate(body)
      expect(result.ok, JSON.stringify(body)).toBe(false)
      expect(!result.ok && result.issues[0]?.path, JSON.stringify(body)).toBe(path)
    }
    expect(parseMetricsAggregate(null).ok).toBe(false)
    expect(parseMetricsAggregate([]).ok).toBe(false)
  })
})
