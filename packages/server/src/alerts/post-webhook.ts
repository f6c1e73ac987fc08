// One POST to a webhook: the host resolved and every address checked (address-policy.ts) right before
// connecting, and the connection made to the address checked (the socket's lookup answers it), so a name that
// resolves elsewhere a second time (DNS rebinding) cannot slip past. Redirects are not followed; at most 1 KiB of
// the answer is read; the whole exchange has a deadline.
import { request as httpRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { isIP, type LookupFunction } from 'node:net'
import { hostOf, resolveAllowed, type WebhookPolicy } from './webhook-url'

/** What came of a POST: the status when the receiver answered, or why there was no answer. */
export interface PostOutcome {
  status: number | null
  /** Why it failed: a status with the start of the answer, a network error, a refused address. */
  error: string | null
  /** Worth trying again (network errors, timeouts, 408, 429, 5xx); never for other 4xx or a refused address. */
  retry: boolean
  /** The receiver's `Retry-After`, in ms, when it sent one in seconds. */
  retryAfterMs?: number
}

const MAX_ANSWER_BYTES = 1_024

const retryable = (status: number) => status === 408 || status === 429 || status >= 500

function outcomeOf(res: IncomingMessage, answer: string): PostOutcome {
  const status = res.statusCode ?? 0
  if (status >= 200 && status < 300) return { status, error: null, retry: false }
  const seconds = Number(res.headers['retry-after'])
  const detail = status >= 300 && status < 400 ? `redirect to ${res.headers.location ?? '?'} not followed` : answer.trim().slice(0, 200)
  return {
    status,
    error: `HTTP ${status}${detail ? `: ${detail}` : ''}`,
    retry: retryable(status),
    ...(Number.isFinite(seconds) && seconds >= 0 && { retryAfterMs: seconds * 1000 }),
  }
}

/** POSTs `body` to `url` with `headers`, within `timeoutMs`; never throws. */
export async function postWebhook(url: string, body: string, headers: Record<string, string>, policy: WebhookPolicy, timeoutMs = 10_000): Promise<PostOutcome> {
  let target: URL
  try {
    target = new URL(url)
  } catch {
    return { status: null, error: `"${url}" is not a URL`, retry: false }
  }
  const host = hostOf(target)
  const resolved = await resolveAllowed(host, policy)
  if ('problem' in resolved) return { status: null, error: `refused: ${resolved.problem}`, retry: resolved.transient ?? false }
  const [address] = resolved.addresses as [string]
  // the socket connects to the address checked above, never to a second resolution of the name
  const pinned: LookupFunction = (_hostname, options, callback) => {
    const family = isIP(address)
    if ((options as { all?: boolean }).all) (callback as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address, family }])
    else callback(null, address, family)
  }
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest
  return new Promise<PostOutcome>((resolve) => {
    let settled = false
    const finish = (outcome: PostOutcome) => {
      if (settled) return
      settled = true
      clearTimeout(deadline)
      resolve(outcome)
    }
    const req = request(
      target,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        lookup: pinned,
        agent: false,
        ...(isIP(host) === 0 && { servername: host }),
      },
      (res) => {
        let answer = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => {
          answer += chunk
          if (answer.length >= MAX_ANSWER_BYTES) {
            finish(outcomeOf(res, answer.slice(0, MAX_ANSWER_BYTES)))
            res.destroy()
          }
        })
        res.on('end', () => finish(outcomeOf(res, answer)))
        res.on('error', () => finish(outcomeOf(res, answer)))
      },
    )
    const deadline = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)
    deadline.unref()
    req.on('error', (error: Error & { code?: string }) => finish({ status: null, error: error.code ? `${error.code}: ${error.message}` : error.message, retry: true }))
    req.end(body)
  })
}
