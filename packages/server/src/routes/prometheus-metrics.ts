import { Hono } from 'hono'
import type { AppEnv } from '../app/app-env'

/** `GET /metrics`: the service's own metrics in Prometheus text format. */
export function prometheusMetrics() {
  return new Hono<AppEnv>().get('/', async (c) => {
    const { registry } = c.var.deps.metrics
    return c.body(await registry.metrics(), 200, { 'content-type': registry.contentType })
  })
}
