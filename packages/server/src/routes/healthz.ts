import { Hono } from 'hono'
import type { AppEnv } from '../app/app-env'

/** `GET /healthz`: 200 when the process and its database answer, 503 otherwise. */
export function healthz() {
  return new Hono<AppEnv>().get('/', async (c) => {
    const { store, startedAt, clock } = c.var.deps
    const uptimeSeconds = Math.round((clock() - startedAt) / 1000)
    try {
      await store.ping()
      return c.json({ status: 'ok', database: store.kind, uptime_seconds: uptimeSeconds })
    } catch {
      return c.json({ status: 'unavailable', database: store.kind, uptime_seconds: uptimeSeconds }, 503)
    }
  })
}
