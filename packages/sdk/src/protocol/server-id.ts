// The one server-id rule: collect bodies, query parameters, the admin endpoint, the CLI and the SDK's options
// all check ids with it, and refuse with its one message. Zod-free, so browser bundles can import it.
import { MAX_SERVER_ID_LENGTH, SERVER_ID_PATTERN } from './limits'

/** What every refusal of a server id says. */
export const SERVER_ID_RULE = `server id must be 1-${MAX_SERVER_ID_LENGTH} characters: a letter or digit, then letters, digits, _ . -`

/** True when `id` is a valid server id: 1–{@link MAX_SERVER_ID_LENGTH} characters matching {@link SERVER_ID_PATTERN}. */
export function isServerId(id: unknown): id is string {
  return typeof id === 'string' && id.length > 0 && id.length <= MAX_SERVER_ID_LENGTH && SERVER_ID_PATTERN.test(id)
}

/** Why `id` is not a valid server id ({@link SERVER_ID_RULE}), or `undefined` when it is one. */
export function serverIdProblem(id: unknown): string | undefined {
  return isServerId(id) ? undefined : SERVER_ID_RULE
}
