// Units: durations are milliseconds in this service's store, whatever unit an OTLP metric was recorded in.

/** Milliseconds per unit of each UCUM duration unit OpenTelemetry instruments use. */
const MS_PER_UNIT: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1_000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
}

/** True when `unit` is a duration unit (its values are converted to milliseconds). */
export function isDurationUnit(unit: string): boolean {
  return MS_PER_UNIT[unit.trim()] !== undefined
}

/**
 * A value of `unit` as the store keeps it: durations in milliseconds (`s` × 1000, `us` × 0.001, …) rounded to the
 * nanosecond (1e-6 ms), so binary noise from the conversion or from differences of cumulative values
 * (0.35 s − 0.15 s → 199.99999999999997 ms) does not show; every other unit (bytes, `1`, `{request}`, none) as sent.
 */
export function toStoreUnit(value: number, unit: string): number {
  const factor = MS_PER_UNIT[unit.trim()]
  if (factor === undefined) return value
  return Math.round(value * factor * 1e6) / 1e6
}
