import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { z } from 'zod'
import { parseMetricsAggregate } from './aggregate'
import { alertCreatedResponseSchema, alertListResponseSchema, parseAlertRule, parseAlertWebhookPayload } from './alert-webhook'
import { parseCollectBatch } from './collect-payload'
import {
  badgeEndpointResponseSchema,
  collectResponseSchema,
  errorResponseSchema,
  healthzResponseSchema,
  metricsAggregateResponseSchema,
  metricsFetchResponseSchema,
  serversListResponseSchema,
  streamMessageSchemas,
  streamTokenResponseSchema,
  usageTrackResponseSchema,
} from './response-schemas'
import { seedMetricsFetchResponseSchema } from './seed-format'
import { HEADLINE_FIELDS, isServerSort, SERVER_SORTS, type ServersListResponse } from './servers-list'
import { isStreamEvent } from './stream'
import { parseUsageTrack } from './usage'
import type { ParseResult } from './validation'

// Every request and response shown in docs/protocol.md is checked against the schema of the endpoint whose
// section shows it: request bodies with the parser the service runs, answers with the strict response schemas.
// An example in a section without a schema for it, or a response schema a section names but never shows, fails.
const doc = readFileSync(resolve(import.meta.dirname, '../../../../docs/protocol.md'), 'utf8')
const NOW = Date.parse('2025-06-02T14:31:00Z')

type Check = (value: unknown) => ParseResult<unknown> | z.ZodSafeParseResult<unknown>
const collect: Check = (body) => parseCollectBatch(body, { nowMs: NOW })

/** Per `## ` section (by a part of its heading): the checks of its request bodies and of its answers. */
const SECTIONS: { heading: string; requests: Check[]; responses: Record<string, Check> }[] = [
  { heading: '(introduction)', requests: [], responses: { error: (v) => errorResponseSchema.safeParse(v) } },
  { heading: 'POST /functions/v1/metrics-collect', requests: [collect], responses: { collect: (v) => collectResponseSchema.safeParse(v) } },
  { heading: 'POST /functions/v1/server-events', requests: [collect], responses: {} },
  { heading: 'POST /functions/v1/usage-track', requests: [parseUsageTrack], responses: { usage: (v) => usageTrackResponseSchema.safeParse(v) } },
  {
    heading: 'GET /functions/v1/metrics-fetch',
    requests: [],
    responses: { report: (v) => metricsFetchResponseSchema.safeParse(v), seed: (v) => seedMetricsFetchResponseSchema.safeParse(v) },
  },
  { heading: 'GET /functions/v1/metrics-stream', requests: [], responses: { token: (v) => streamTokenResponseSchema.safeParse(v) } },
  { heading: 'GET /functions/v1/servers', requests: [], responses: { list: (v) => serversListResponseSchema.safeParse(v) } },
  {
    heading: 'GET /badge/',
    requests: [],
    responses: { badge: (v) => badgeEndpointResponseSchema.safeParse(v), notFound: (v) => errorResponseSchema.safeParse(v) },
  },
  {
    heading: '/functions/v1/admin/servers/{id}/alerts',
    requests: [parseAlertRule],
    responses: { created: (v) => alertCreatedResponseSchema.safeParse(v), list: (v) => alertListResponseSchema.safeParse(v) },
  },
  { heading: 'Alert and digest webhooks', requests: [parseAlertWebhookPayload], responses: {} },
  { heading: 'POST /functions/v1/metrics-aggregate', requests: [parseMetricsAggregate], responses: { aggregate: (v) => metricsAggregateResponseSchema.safeParse(v) } },
  { heading: 'GET /healthz', requests: [], responses: { healthz: (v) => healthzResponseSchema.safeParse(v) } },
]

interface Example {
  section: string
  kind: 'request' | 'response' | 'stream'
  event?: string
  text: string
}

const parseJson = (text: string): unknown => JSON.parse(text.replace(/…/g, ''))
/** `jsonc`: comments after `//` at the start of a line or after whitespace (none of the examples has `//` in a string). */
const stripComments = (text: string) => text.replace(/(^|\s)\/\/.*$/gm, '$1')

function examplesOf(section: string, body: string): Example[] {
  const found: Example[] = []
  for (const [, lang, code] of body.matchAll(/```(\w*)\n([\s\S]*?)```/g) as IterableIterator<[string, string, string]>) {
    if (lang === 'json' || lang === 'jsonc') {
      const text = lang === 'jsonc' ? stripComments(code) : code
      // every answer has `success` (a shields.io endpoint badge `schemaVersion`); a request body has neither
      const value = parseJson(text) as object
      found.push({ section, kind: 'success' in value || 'schemaVersion' in value ? 'response' : 'request', text })
    }
    if (lang === 'bash') {
      for (const [, text] of code.matchAll(/(?:BODY=|-d )'(\{[^']*\})'/g)) found.push({ section, kind: 'request', text: text as string })
      for (const [, text] of code.matchAll(/(?:^|\s)#\s*(\{.*\})\s*$/gm)) found.push({ section, kind: 'response', text: text as string })
    }
    if (lang === '') {
      for (const [, event, text] of code.matchAll(/^event: (\S+)\ndata: (.*)$/gm)) found.push({ section, kind: 'stream', event: event as string, text: text as string })
    }
  }
  // answers given in the prose: Answer: `{ ... }`
  for (const [, text] of body.matchAll(/Answer: `(\{[^`]*\})`/g)) found.push({ section, kind: 'response', text: text as string })
  return found
}

const sections = doc.split(/^## /m).map((part, i) => (i === 0 ? { heading: '(introduction)', body: part } : { heading: part.slice(0, part.indexOf('\n')), body: part }))
const examples = sections.flatMap((s) => examplesOf(s.heading, s.body))
const sectionOf = (heading: string) => SECTIONS.find((s) => heading.includes(s.heading))

const ok = (result: ParseResult<unknown> | z.ZodSafeParseResult<unknown>) => ('ok' in result ? result.ok : result.success)
const problems = (result: ParseResult<unknown> | z.ZodSafeParseResult<unknown>) =>
  JSON.stringify('ok' in result ? (result.ok ? [] : result.issues) : (result.error?.issues ?? []))

describe('docs/protocol.md examples', () => {
  it('are found: requests, answers and stream messages', () => {
    const count = (kind: Example['kind']) => examples.filter((e) => e.kind === kind).length
    expect(count('request')).toBeGreaterThanOrEqual(6)
    expect(count('response')).toBeGreaterThanOrEqual(7)
    expect(count('stream')).toBeGreaterThanOrEqual(5)
  })

  it('show request bodies each accepted by the parser of its endpoint', () => {
    for (const e of examples.filter((x) => x.kind === 'request')) {
      const section = sectionOf(e.section)
      expect(section?.requests.length, `a request body under "${e.section}", which has no request schema: ${e.text}`).toBeGreaterThan(0)
      for (const check of section?.requests ?? []) {
        const result = check(parseJson(e.text))
        expect(ok(result), `${e.section}: ${e.text}\n${problems(result)}`).toBe(true)
      }
    }
  })

  it('show answers each accepted by a response schema of its section, and every such schema shown', () => {
    const shown = new Set<string>()
    for (const e of examples.filter((x) => x.kind === 'response')) {
      const checks = Object.entries(sectionOf(e.section)?.responses ?? {})
      expect(checks.length, `an answer under "${e.section}", which has no response schema: ${e.text}`).toBeGreaterThan(0)
      const results = checks.map(([name, check]) => [name, check(parseJson(e.text))] as const)
      const accepted = results.filter(([, result]) => ok(result))
      expect(accepted.length, `${e.section}: ${e.text}\n${results.map(([n, r]) => `${n}: ${problems(r)}`).join('\n')}`).toBeGreaterThan(0)
      for (const [name] of accepted) shown.add(`${e.section}|${name}`)
    }
    for (const s of SECTIONS) {
      const heading = sections.find((x) => x.heading.includes(s.heading))?.heading
      for (const name of Object.keys(s.responses)) expect(shown.has(`${heading}|${name}`), `no "${name}" answer shown under ${s.heading}`).toBe(true)
    }
  })

  it('show stream messages each accepted by the schema of its event', () => {
    for (const e of examples.filter((x) => x.kind === 'stream')) {
      expect(isStreamEvent(e.event), e.event).toBe(true)
      const result = streamMessageSchemas[e.event as keyof typeof streamMessageSchemas].safeParse(parseJson(e.text))
      expect(result.success, `${e.event}: ${e.text}\n${JSON.stringify(result.error?.issues)}`).toBe(true)
    }
  })

  it('show the servers list answer with every field of its types', () => {
    const list = examples.map((e) => (e.kind === 'response' ? parseJson(e.text) : {})).find((b) => 'next_cursor' in (b as object)) as ServersListResponse | undefined
    expect(list).toBeDefined()
    const keys: (keyof ServersListResponse)[] = ['success', 'period', 'sort', 'order', 'from', 'to', 'servers', 'next_cursor', 'total', 'computed_at']
    expect(Object.keys(list ?? {}).sort()).toEqual(keys.sort())
    expect(isServerSort(list?.sort)).toBe(true)
    expect(list?.servers.length).toBeGreaterThan(0)
    for (const server of list?.servers ?? []) {
      expect(Object.keys(server).sort()).toEqual(['id', 'name', 'is_private', 'last_seen', 'previous', ...HEADLINE_FIELDS].sort())
      expect(Object.keys(server.previous).sort()).toEqual([...HEADLINE_FIELDS].sort())
    }
    for (const sort of SERVER_SORTS) expect(doc).toContain(sort)
  })
})
