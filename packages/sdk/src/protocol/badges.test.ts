import { describe, expect, it } from 'vitest'
import {
  BADGE_COLOR_HEX,
  BADGE_COLORS,
  BADGE_FIELDS,
  BADGE_METRICS,
  BADGE_THRESHOLDS,
  badgeColor,
  badgeLabel,
  badgeLabelProblem,
  badgeMarkdown,
  badgePath,
  formatBadgeValue,
  formatCount,
  formatDuration,
  formatPercent,
  isBadgeMetric,
  MAX_BADGE_LABEL_LENGTH,
} from './badges'
import { badgeEndpointResponseSchema } from './response-schemas'
import { ROUTES } from './routes'
import { HEADLINE_FIELDS } from './servers-list'

describe('badge contract', () => {
  it('names six metrics, each a headline field, with a colour for every case', () => {
    expect(BADGE_METRICS).toEqual(['calls', 'p95', 'error-rate', 'availability', 'installs', 'views'])
    for (const metric of BADGE_METRICS) expect(HEADLINE_FIELDS).toContain(BADGE_FIELDS[metric])
    expect(Object.keys(BADGE_COLOR_HEX).sort()).toEqual([...BADGE_COLORS].sort())
    expect(isBadgeMetric('p95')).toBe(true)
    expect(isBadgeMetric('p95_ms')).toBe(false)
  })

  it('colours availability green from 99.5 %, yellow from 95 %, red below', () => {
    expect(BADGE_THRESHOLDS.availability).toEqual({ better: 'higher', green: 0.995, yellow: 0.95 })
    expect(badgeColor('availability', 1)).toBe('brightgreen')
    expect(badgeColor('availability', 0.995)).toBe('brightgreen')
    expect(badgeColor('availability', 0.9949)).toBe('yellow')
    expect(badgeColor('availability', 0.95)).toBe('yellow')
    expect(badgeColor('availability', 0.9499)).toBe('red')
    expect(badgeColor('availability', null)).toBe('lightgrey')
  })

  it('colours error rate green to 1 %, yellow to 5 %, red above; p95 green to 1 s, yellow to 5 s', () => {
    expect([0, 0.01, 0.0101, 0.05, 0.0501, 1].map((v) => badgeColor('error-rate', v))).toEqual(['brightgreen', 'brightgreen', 'yellow', 'yellow', 'red', 'red'])
    expect([3, 1000, 1000.5, 5000, 5001].map((v) => badgeColor('p95', v))).toEqual(['brightgreen', 'brightgreen', 'yellow', 'yellow', 'red'])
    expect(badgeColor('error-rate', null)).toBe('lightgrey')
    for (const metric of ['calls', 'installs', 'views'] as const) expect(badgeColor(metric, 0)).toBe('blue')
  })

  it('writes counts compactly, rounded down', () => {
    const cases: [number, string][] = [
      [0, '0'], [999, '999'], [1000, '1k'], [1234, '1.2k'], [1299, '1.2k'], [9999, '9.9k'], [12_345, '12k'],
      [999_999, '999k'], [1_000_000, '1M'], [1_250_000, '1.2M'], [7_000_000_000, '7G'],
    ]
    for (const [n, text] of cases) expect(formatCount(n), String(n)).toBe(text)
  })

  it('writes shares and durations rounded to the worse side, so the number agrees with its colour', () => {
    expect(formatPercent(0.9995, 'down')).toBe('99.95 %')
    expect(formatPercent(0.99499, 'down')).toBe('99.49 %')
    expect(formatPercent(0.99999, 'down')).toBe('99.99 %')
    expect(formatPercent(1, 'down')).toBe('100 %')
    expect(formatPercent(0.0117, 'up')).toBe('1.17 %')
    expect(formatPercent(0.010001, 'up')).toBe('1.01 %')
    expect(formatPercent(0.00001, 'up')).toBe('<0.01 %')
    expect(formatPercent(0, 'up')).toBe('0 %')
    expect(formatPercent(0.1, 'up')).toBe('10 %')
    expect([3.41, 120, 998.2, 999.5, 1000, 1000.5, 1234, 9999, 12_345].map(formatDuration)).toEqual([
      '3.5 ms', '120 ms', '999 ms', '1 s', '1 s', '1.1 s', '1.3 s', '10 s', '13 s',
    ])
    expect(formatBadgeValue('p95', null)).toBe('no data')
    expect(formatBadgeValue('availability', 0.9995)).toBe('99.95 %')
    expect(formatBadgeValue('calls', 1234)).toBe('1.2k')
  })

  it('labels with the name and period unless given one; refuses long labels and control characters', () => {
    expect(badgeLabel('error-rate', '30d')).toBe('error rate (30d)')
    expect(badgeLabel('calls', '7d', '')).toBe('')
    expect(badgeLabelProblem('x'.repeat(MAX_BADGE_LABEL_LENGTH))).toBeUndefined()
    expect(badgeLabelProblem('x'.repeat(MAX_BADGE_LABEL_LENGTH + 1))).toBe(`label must be at most ${MAX_BADGE_LABEL_LENGTH} characters`)
    expect(badgeLabelProblem('a\u0007b')).toBe('label must not contain control characters')
    expect(badgeLabelProblem('uptime ✓ 稼働率')).toBeUndefined()
  })

  it('builds paths and Markdown, defaults left out of the URL', () => {
    expect(ROUTES.badge).toBe('/badge')
    expect(badgePath('my.server', 'calls')).toBe('/badge/my.server/calls.svg')
    expect(badgePath('s', 'p95', { format: 'json', period: '30d', style: 'flat-square', label: 'p95 [ms]' })).toBe('/badge/s/p95.json?period=30d&label=p95+%5Bms%5D&style=flat-square')
    expect(badgePath('s', 'views', { period: '7d', style: 'flat' })).toBe('/badge/s/views.svg')
    expect(badgeMarkdown('https://m.example.com/', 's', 'availability', { period: '30d', link: 'https://m.example.com/#s' })).toBe(
      '[![availability (30d)](https://m.example.com/badge/s/availability.svg?period=30d)](https://m.example.com/#s)',
    )
    expect(badgeMarkdown('', 's', 'calls', { label: '[x]' })).toBe('![\\[x\\]](/badge/s/calls.svg?label=%5Bx%5D)')
  })

  it('has a strict schema for the endpoint body', () => {
    expect(badgeEndpointResponseSchema.safeParse({ schemaVersion: 1, label: 'calls (7d)', message: '1.2k', color: 'blue', cacheSeconds: 900 }).success).toBe(true)
    expect(badgeEndpointResponseSchema.safeParse({ schemaVersion: 1, label: 'x', message: '1', color: 'blue', cacheSeconds: 900, value: 1 }).success).toBe(false)
    expect(badgeEndpointResponseSchema.safeParse({ schemaVersion: 2, label: 'x', message: '1', color: 'blue', cacheSeconds: 900 }).success).toBe(false)
  })
})
