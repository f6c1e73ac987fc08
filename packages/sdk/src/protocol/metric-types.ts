/** The three metric types the system stores and charts. */
export const METRIC_TYPES = ['counter', 'gauge', 'timer'] as const
export type MetricType = (typeof METRIC_TYPES)[number]

/**
 * Spellings accepted on input: ours plus the seed database's (`count`, `histogram`, `distribution`).
 * Histograms and distributions are value distributions, which is what a timer stores.
 */
export const METRIC_TYPE_ALIASES = {
  counter: 'counter',
  count: 'counter',
  gauge: 'gauge',
  timer: 'timer',
  histogram: 'timer',
  distribution: 'timer',
} as const satisfies Record<string, MetricType>

export type MetricTypeInput = keyof typeof METRIC_TYPE_ALIASES

/** Maps an input spelling to its stored type. */
export function normalizeMetricType(input: MetricTypeInput): MetricType {
  return METRIC_TYPE_ALIASES[input]
}
