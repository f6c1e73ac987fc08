import { Hono } from 'hono'
import type { AppEnv } from '../app/app-env'
import { ingest } from '../ingest/ingest-batch'

/** `POST /functions/v1/server-events[/:serverId]`: a signed batch of events only. */
export function serverEvents() {
  return new Hono<AppEnv>()
    .post('/', (c) => ingest(c, { eventsOnly: true }))
    .post('/:serverId', (c) => ingest(c, { eventsOnly: true }))
}
