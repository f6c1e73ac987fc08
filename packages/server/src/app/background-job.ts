import type { Logger } from 'pino'

/**
 * Runs `job` every `ms` on an unref'd timer (it never keeps the process alive), skipping a tick while the
 * previous run is still going, and logging a failure as `<name> failed` instead of throwing. Answers the timer,
 * for `clearInterval`.
 */
export function everyInterval(ms: number, job: () => Promise<unknown>, name: string, logger: Pick<Logger, 'error'>): ReturnType<typeof setInterval> {
  let busy = false
  const timer = setInterval(() => {
    if (busy) return
    busy = true
    job()
      .catch((error: unknown) => logger.error({ err: error }, `${name} failed`))
      .finally(() => {
        busy = false
      })
  }, ms)
  timer.unref()
  return timer
}
