import type { z } from 'zod'

/** One reason input was refused: where (`metrics[3].tags.endpoint`) and why. */
export interface ValidationIssue {
  path: string
  code: string
  message: string
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; issues: ValidationIssue[] }

/** `['metrics', 3, 'tags', 'env']` → `metrics[3].tags.env`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = ''
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`
    else out += out === '' ? String(part) : `.${String(part)}`
  }
  return out
}

export function issuesFromZod(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((issue) => ({ path: formatPath(issue.path), code: issue.code, message: issue.message }))
}

/** One line per issue, `path: message`, for error bodies and logs. */
export function describeIssues(issues: readonly ValidationIssue[], limit = 5): string {
  const lines = issues.slice(0, limit).map((i) => (i.path ? `${i.path}: ${i.message}` : i.message))
  if (issues.length > limit) lines.push(`…and ${issues.length - limit} more`)
  return lines.join('; ')
}

export function parseWith<T>(schema: z.ZodType<T>, input: unknown): ParseResult<T> {
  const result = schema.safeParse(input)
  return result.success ? { ok: true, value: result.data } : { ok: false, issues: issuesFromZod(result.error) }
}
