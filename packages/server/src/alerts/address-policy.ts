// Which addresses a webhook may reach (SSRF): none of loopback, private, link-local (cloud metadata lives there),
// carrier-grade NAT, unspecified, multicast or reserved ranges, unless the operator allows private webhooks.
// Checked when a rule is created and again at every delivery, on the addresses the host resolves to then.
import { BlockList, isIP } from 'node:net'

/** Each refused range, by what it is (the name goes into the refusal). */
const RANGES: readonly [kind: string, network: string, prefix: number, family: 'ipv4' | 'ipv6'][] = [
  ['loopback', '127.0.0.0', 8, 'ipv4'],
  ['loopback', '::1', 128, 'ipv6'],
  ['unspecified', '0.0.0.0', 8, 'ipv4'],
  ['unspecified', '::', 128, 'ipv6'],
  ['private', '10.0.0.0', 8, 'ipv4'],
  ['private', '172.16.0.0', 12, 'ipv4'],
  ['private', '192.168.0.0', 16, 'ipv4'],
  ['private', 'fc00::', 7, 'ipv6'],
  ['carrier-grade NAT', '100.64.0.0', 10, 'ipv4'],
  ['link-local', '169.254.0.0', 16, 'ipv4'],
  ['link-local', 'fe80::', 10, 'ipv6'],
  ['benchmarking', '198.18.0.0', 15, 'ipv4'],
  ['IETF protocol assignment', '192.0.0.0', 24, 'ipv4'],
  ['multicast', '224.0.0.0', 4, 'ipv4'],
  ['multicast', 'ff00::', 8, 'ipv6'],
  ['reserved', '240.0.0.0', 4, 'ipv4'],
]

const lists = new Map<string, BlockList>()
for (const [kind, network, prefix, family] of RANGES) {
  let list = lists.get(kind)
  if (!list) lists.set(kind, (list = new BlockList()))
  list.addSubnet(network, prefix, family)
}

/**
 * Why a webhook may not reach `address` (an IP address; IPv4-mapped IPv6 is read as the IPv4 inside), e.g.
 * `"127.0.0.1 is a loopback address"`; undefined when it may. Anything that is not an IP address is refused.
 */
export function addressProblem(address: string): string | undefined {
  const bare = address.replace(/^\[|\]$/g, '')
  const version = isIP(bare)
  if (version === 0) return `${address} is not an IP address`
  const family = version === 4 ? 'ipv4' : 'ipv6'
  for (const [kind, list] of lists) if (list.check(bare, family)) return `${bare} is a ${kind} address`
  return undefined
}
