import { describe, expect, it } from 'vitest'
import { addressProblem } from './address-policy'

describe('webhook addresses', () => {
  it('refuse loopback, private, link-local and other non-public ranges, IPv4-mapped IPv6 included', () => {
    for (const [address, kind] of [
      ['127.0.0.1', 'loopback'],
      ['127.255.0.9', 'loopback'],
      ['::1', 'loopback'],
      ['0.0.0.0', 'unspecified'],
      ['10.20.30.40', 'private'],
      ['172.16.0.1', 'private'],
      ['172.31.255.255', 'private'],
      ['192.168.1.1', 'private'],
      ['fd00:ec2::254', 'private'],
      ['169.254.169.254', 'link-local'],
      ['fe80::1', 'link-local'],
      ['100.64.0.1', 'carrier-grade NAT'],
      ['224.0.0.1', 'multicast'],
      ['255.255.255.255', 'reserved'],
      ['::ffff:127.0.0.1', 'loopback'],
      ['::ffff:7f00:1', 'loopback'],
      ['[::ffff:a00:1]', 'private'],
    ]) {
      expect(addressProblem(address as string), address).toContain(`a ${kind} address`)
    }
  })

  it('let public addresses through, and refuse what is no address', () => {
    for (const address of ['93.184.216.34', '172.32.0.1', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8']) expect(addressProblem(address), address).toBeUndefined()
    expect(addressProblem('example.com')).toContain('not an IP address')
  })
})
