import { Hono } from 'hono'
import type { AppEnv } from '../app/app-env'
import { ingestOtlp } from '../ingest/ingest-otlp'

/** `POST /v1/metrics`: an OTLP/HTTP metrics export (protobuf or JSON, optionally gzip), see ingest/ingest-otlp.ts. */
export function otlpMetrics() {
  return new Hono<AppEnv>().post('/', (c) => ingestOtlp(c))
}
