import { describe, expect, it } from 'vitest'
import {
  canonicalHost,
  embeddedIpv4,
  ipv6Bytes,
  isBlockedAddress,
  isMetadataHost,
} from './classify-upstream-address.ts'

/** Resolved addresses as a socket would get them, and whether a channel may connect there (issue 15 defect 7). */
const cases: [address: string, blocked: boolean, why: string][] = [
  // IPv4: link-local and metadata refused.
  ['169.254.169.254', true, 'AWS/GCP/Azure/OCI metadata'],
  ['169.254.170.2', true, 'ECS task metadata'],
  ['169.254.0.1', true, 'link-local'],
  ['100.100.100.200', true, 'Alibaba metadata'],
  ['168.63.129.16', true, 'Azure WireServer'],
  ['192.0.0.192', true, 'Oracle metadata'],
  ['0.0.0.0', true, 'this host under another name'],
  // IPv4: private, LAN, loopback and public allowed (docs/security.md, *Channel addresses*: a vLLM or Ollama
  // on the LAN, loopback in tests).
  ['127.0.0.1', false, 'loopback'],
  ['10.1.2.3', false, 'private'],
  ['172.16.0.10', false, 'private'],
  ['192.168.1.20', false, 'private'],
  ['100.64.0.1', false, 'carrier-grade NAT (a LAN)'],
  ['100.100.100.201', false, 'next to Alibaba metadata'],
  ['169.253.255.255', false, 'just below link-local'],
  ['169.255.0.0', false, 'just above link-local'],
  ['8.8.8.8', false, 'public'],
  // IPv6: link-local, metadata, unspecified refused.
  ['fe80::1', true, 'link-local'],
  ['fe80::1%eth0', true, 'link-local with a zone'],
  ['febf:ffff::1', true, 'end of fe80::/10'],
  ['fd00:ec2::254', true, 'AWS metadata over IPv6'],
  ['fd20:ce::254', true, 'GCP metadata over IPv6'],
  ['::', true, 'unspecified'],
  // IPv6 forms that carry a refused IPv4 address.
  ['::ffff:a9fe:a9fe', true, 'IPv4-mapped, hex'],
  ['::ffff:169.254.169.254', true, 'IPv4-mapped, dotted'],
  ['0:0:0:0:0:ffff:a9fe:a9fe', true, 'IPv4-mapped, long form'],
  ['::a9fe:a9fe', true, 'IPv4-compatible'],
  ['64:ff9b::a9fe:a9fe', true, 'NAT64 well-known prefix'],
  ['64:ff9b::169.254.169.254', true, 'NAT64, dotted'],
  ['64:ff9b:1:a9fe:a9:fe00::', true, 'NAT64 local-use /48 layout'],
  ['2002:a9fe:a9fe::', true, '6to4'],
  ['2002:a9fe:a9fe:1::1', true, '6to4 with a subnet'],
  ['2001:0:a9fe:a9fe::1', true, 'Teredo server'],
  ['2001:0:4136:e378:8000:63bf:5601:5601', true, 'Teredo client 169.254.169.254 (inverted)'],
  ['::ffff:6464:64c8', true, 'IPv4-mapped Alibaba metadata'],
  ['64:ff9b::0:0', true, 'NAT64 of 0.0.0.0'],
  // IPv6 allowed: loopback, unique local, public, mapped private.
  ['::1', false, 'loopback'],
  ['::ffff:127.0.0.1', false, 'IPv4-mapped loopback'],
  ['::ffff:7f00:1', false, 'IPv4-mapped loopback, hex'],
  ['fc00::1', false, 'unique local (a LAN)'],
  ['fd00:ec2::253', false, 'next to AWS metadata'],
  ['fec0::1', false, 'old site-local, outside fe80::/10'],
  ['2606:4700::1111', false, 'public'],
  ['64:ff9b::808:808', false, 'NAT64 of a public address'],
  ['2002:0a00:0001::', false, '6to4 of a private address'],
  // Not addresses: the classifier judges addresses only; names are resolved first.
  ['metadata.google.internal', false, 'a name, not an address'],
  ['', false, 'empty'],
]

describe('issue 15 defect 7: the channel address classifier', () => {
  it.each(cases)('%s → blocked %s (%s)', (address, blocked) => {
    expect(isBlockedAddress(address)).toBe(blocked)
  })

  it('parses IPv6 with embedded dotted quads and compressed zeros to the same bytes', () => {
    const a = ipv6Bytes('::ffff:169.254.169.254')
    const b = ipv6Bytes('0:0:0:0:0:ffff:a9fe:a9fe')
    expect(a && Buffer.from(a).toString('hex')).toBe('00000000000000000000ffffa9fea9fe')
    expect(b && Buffer.from(b).toString('hex')).toBe('00000000000000000000ffffa9fea9fe')
    expect(ipv6Bytes('1.2.3.4')).toBeNull()
    expect(embeddedIpv4(ipv6Bytes('2002:a9fe:a9fe::') as Uint8Array)).toContain('169.254.169.254')
  })

  it('knows metadata names in any case and with trailing dots', () => {
    for (const name of [
      'metadata.google.internal',
      'METADATA.Google.Internal.',
      'metadata',
      'metadata.goog..',
    ])
      expect(isMetadataHost(name)).toBe(true)
    for (const name of ['metadata.google.internal.evil.com', 'api.openai.com', 'localhost'])
      expect(isMetadataHost(name)).toBe(false)
    expect(canonicalHost('[FE80::1]')).toBe('fe80::1')
  })
})
