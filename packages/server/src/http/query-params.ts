import { DEFAULT_PERIOD, isPeriod, MAX_NAME_LENGTH, NAME_PATTERN, type Period, PERIODS, serverIdProblem } from '@mcpdir/metrics/protocol'
import type { Context } from 'hono'
import { ApiError } from './api-error'
import type { AppEnv } from '../app/app-env'

export function serverIdParam(c: Context<AppEnv>): string {
  const id = c.req.query('server_id') ?? c.req.query('serverId')
  if (!id) throw new ApiError(400, 'invalid_body', 'server_id is required', 'server_id')
  const problem = serverIdProblem(id)
  if (problem) throw new ApiError(400, 'invalid_body', problem, 'server_id')
  return id
}

export function periodParam(c: Context<AppEnv>): Period {
  const period = c.req.query('period') ?? DEFAULT_PERIOD
  if (!isPeriod(period)) throw new ApiError(400, 'invalid_body', `period must be one of ${PERIODS.join(', ')}`, 'period')
  return period
}

/** `metrics=a,b,c`: at most 50 valid names, or undefined for all. */
export function metricsParam(c: Context<AppEnv>): string[] | undefined {
  const raw = c.req.query('metrics')
  if (raw === undefined || raw.trim() === '') return undefined
  const names = raw.split(',').map((n) => n.trim()).filter(Boolean)
  if (names.length > 50) throw new ApiError(400, 'invalid_body', 'at most 50 metric names', 'metrics')
  for (const name of names) {
    if (name.length > MAX_NAME_LENGTH || !NAME_PATTERN.test(name)) throw new ApiError(400, 'invalid_body', `${JSON.stringify(name)} is not a metric name`, 'metrics')
  }
  return names
}

/** An optional parameter that must be one of `values`; `fallback` when absent or empty. */
export function enumParam<T extends string>(c: Context<AppEnv>, name: string, values: readonly T[], fallback: T): T {
  const value = c.req.query(name)
  if (value === undefined || value === '') return fallback
  if (!(values as readonly string[]).includes(value)) throw new ApiError(400, 'invalid_body', `${name} must be one of ${values.join(', ')}`, name)
  return value as T
}

/** An optional whole number in [min, max]; `fallback` when absent or empty. */
export function integerParam(c: Context<AppEnv>, name: string, range: { min: number; max: number }, fallback: number): number {
  const raw = c.req.query(name)
  if (raw === undefined || raw === '') return fallback
  const value = /^\d{1,9}$/.test(raw) ? Number(raw) : Number.NaN
  if (!(value >= range.min && value <= range.max)) throw new ApiError(400, 'invalid_body', `${name} must be a whole number from ${range.min} to ${range.max}`, name)
  return value
}

/** An optional text parameter of at most `maxLength` characters; undefined when absent. */
export function textParam(c: Context<AppEnv>, name: string, maxLength: number): string | undefined {
  const value = c.req.query(name)
  if (value !== undefined && value.length > maxLength) throw new ApiError(400, 'invalid_body', `${name} must be at most ${maxLength} characters`, name)
  return value
}
