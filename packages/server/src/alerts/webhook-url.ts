// Where a webhook goes: an http(s) URL whose host resolves only to addresses a webhook may reach
// (address-policy.ts), unless the operator allows private ones (`serve --allow-private-webhooks`,
// MCPDIR_ALLOW_PRIVATE_WEBHOOKS=1). Checked at creation and, on the addresses resolved then, at every delivery.
import { lookup } from 'node:dns/promises'
import { isIP } from 'node:net'
import { addressProblem } from './address-policy'

/** Resolves a host name to its IP addresses (all of them). Injected in tests. */
export type Resolve = (hostname: string) => Promise<string[]>

/** The system resolver (what connections use): every address, in the order the system gives them. */
export const systemResolve: Resolve = async (hostname) => (await lookup(hostname, { all: true, verbatim: true })).map((a) => a.address)

/** What a webhook check needs: whether private addresses are allowed, and how names resolve. */
export interface WebhookPolicy {
  allowPrivate: boolean
  resolve?: Resolve
}

/** The host of a URL as a resolver or `isIP` takes it (IPv6 without brackets). */
export const hostOf = (url: URL) => url.hostname.replace(/^\[|\]$/g, '')

/**
 * The addresses `hostname` stands for, each checked: a refusal naming the first address a webhook may not
 * reach (unless allowed), or the addresses. A name that does not resolve is refused too.
 */
export async function resolveAllowed(hostname: string, policy: WebhookPolicy): Promise<{ addresses: string[] } | { problem: string; transient?: boolean }> {
  let addresses: string[]
  if (isIP(hostname)) addresses = [hostname]
  else {
    try {
      addresses = await (policy.resolve ?? systemResolve)(hostname)
    } catch (error) {
      const code = (error as { code?: string }).code
      return { problem: `${hostname} does not resolve (${code ?? (error as Error).message})`, transient: code !== 'ENOTFOUND' }
    }
    if (addresses.length === 0) return { problem: `${hostname} does not resolve` }
  }
  if (!policy.allowPrivate) {
    for (const address of addresses) {
      const problem = addressProblem(address)
      if (problem) return { problem: `${hostname === address ? '' : `${hostname} resolves to `}${problem} (private webhooks are off: --allow-private-webhooks or MCPDIR_ALLOW_PRIVATE_WEBHOOKS=1 allows them)` }
    }
  }
  return { addresses }
}

/** Why a webhook URL is refused at creation (not http(s), or an address it may not reach), or undefined. */
export async function webhookUrlProblem(webhook: string, policy: WebhookPolicy): Promise<string | undefined> {
  let url: URL
  try {
    url = new URL(webhook)
  } catch {
    return `"${webhook}" is not a URL`
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `the webhook must be an http or https URL, not ${url.protocol}`
  const resolved = await resolveAllowed(hostOf(url), policy)
  return 'problem' in resolved ? resolved.problem : undefined
}
