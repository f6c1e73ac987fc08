import { Hono } from 'hono'
import type { AppEnv } from '../app/app-env'
import { ingest } from '../ingest/ingest-batch'

/** `POST /functions/v1/metrics-collect[/:serverId]`: a signed batch of metric points (and events). */
export function metricsCollect() {
  return new Hono<AppEnv>()
    .post('/', (c) => ingest(c, { eventsOnly: false }))
    .post('/:serverId', (c) => ingest(c, { eventsOnly: false }))
}
