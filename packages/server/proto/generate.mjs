// Writes src/otlp/otlp-proto.json: the OTLP metrics definitions in this folder (opentelemetry-proto v1.11.0,
// unmodified) as protobufjs' JSON descriptor, which the service loads without parsing .proto text at run time.
// Run after updating the .proto files: `node proto/generate.mjs`; src/otlp/decode.test.ts checks the two agree.
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import protobuf from 'protobufjs'

/** The descriptor of the vendored definitions, as written to otlp-proto.json. */
export function otlpDescriptor() {
  const root = new protobuf.Root()
  root.resolvePath = (_origin, target) => fileURLToPath(new URL(target, import.meta.url))
  root.loadSync('opentelemetry/proto/collector/metrics/v1/metrics_service.proto', { keepCase: false })
  return root.toJSON()
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(new URL('../src/otlp/otlp-proto.json', import.meta.url), `${JSON.stringify(otlpDescriptor())}\n`)
}
