// When a rule fires and resolves, as pure functions of its state and what was read (readings.ts).
//
// error_rate and p95 are judged minute by minute: a minute with calls is beyond the threshold or not; a minute
// without calls says nothing. A rule fires when its minutes have been beyond the threshold, without one minute
// within it, for the whole window (from the first minute beyond it, `pendingSince`); it resolves at the first
// minute within the threshold. calls, availability and silence are judged on the whole window at once (calls
// in the window, share of its minutes with a heartbeat, nothing received in it): firing when that is beyond the
// threshold, resolved when it no longer is. Either way a rule sends `firing` once and `resolved` once.
import type { AlertCondition, AlertMetric } from '@mcpdir/metrics/protocol'
import type { AlertRule, AlertState } from '../store/alert-store'

const MIN = 60_000

/** The metrics judged minute by minute; the others on their whole window. */
export const PER_MINUTE: ReadonlySet<AlertMetric> = new Set(['error_rate', 'p95'])

/** One minute's value of a per-minute metric; undefined for a minute without calls. */
export interface MinuteValue {
  minute: number
  value: number | undefined
}

/** A change a rule's state makes, to be delivered. */
export interface Transition {
  type: 'alert.firing' | 'alert.resolved'
  /** The end of the minute that decided it. */
  at: number
  value: number | null
}

export type NextState = Omit<AlertState, 'version'>

/** True when `value` is on the firing side of the threshold. */
export function beyond(condition: AlertCondition, threshold: number, value: number): boolean {
  return condition === 'above' ? value > threshold : value < threshold
}

/**
 * Steps a per-minute rule through consecutive minutes (oldest first), up to the first transition (the next
 * evaluation goes on from there), else to the last minute. `evaluatedTo` becomes the end of the last minute
 * stepped.
 */
export function stepMinutes(rule: Pick<AlertRule, 'condition' | 'threshold' | 'windowMs'>, state: AlertState, minutes: readonly MinuteValue[]): { next: NextState; transition?: Transition } {
  const next: NextState = { status: state.status, since: state.since, pendingSince: state.pendingSince, evaluatedTo: state.evaluatedTo, value: state.value, digestWeek: state.digestWeek }
  const condition = rule.condition as AlertCondition
  const threshold = rule.threshold as number
  for (const { minute, value } of minutes) {
    const end = minute + MIN
    next.evaluatedTo = end
    if (value === undefined) {
      if (next.pendingSince !== null && next.status === 'ok' && end - next.pendingSince >= rule.windowMs) {
        return fire(next, end)
      }
      continue
    }
    next.value = value
    if (!beyond(condition, threshold, value)) {
      next.pendingSince = null
      if (next.status === 'firing') {
        next.status = 'ok'
        next.since = end
        return { next, transition: { type: 'alert.resolved', at: end, value } }
      }
      continue
    }
    next.pendingSince ??= minute
    if (next.status === 'ok' && end - next.pendingSince >= rule.windowMs) return fire(next, end)
  }
  return { next }
}

function fire(next: NextState, at: number): { next: NextState; transition: Transition } {
  next.status = 'firing'
  next.since = at
  return { next, transition: { type: 'alert.firing', at, value: next.value } }
}

/**
 * Judges a whole-window rule at `end`: `beyondNow` is whether the window's value is beyond the threshold
 * (undefined when it cannot be told, e.g. no heartbeat ever: the state stays as it is).
 */
export function judgeWindow(state: AlertState, end: number, value: number | null, beyondNow: boolean | undefined): { next: NextState; transition?: Transition } {
  const next: NextState = { status: state.status, since: state.since, pendingSince: null, evaluatedTo: end, value, digestWeek: state.digestWeek }
  if (beyondNow === true && state.status === 'ok') {
    next.status = 'firing'
    next.since = end
    return { next, transition: { type: 'alert.firing', at: end, value } }
  }
  if (beyondNow === false && state.status === 'firing') {
    next.status = 'ok'
    next.since = end
    return { next, transition: { type: 'alert.resolved', at: end, value } }
  }
  return { next }
}
