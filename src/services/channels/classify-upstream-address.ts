import { BlockList, isIP } from 'node:net'

/**
 * Which upstream addresses a channel may never reach (docs/security.md, "Channel addresses"). Admins may point a
 * channel at private, LAN and loopback addresses (a vLLM or Ollama next door, loopback in tests); what is refused is
 * link-local space and cloud metadata services, because those hand out the host's own credentials. The check is on
 * the address a name resolves to, and IPv6 forms that carry an IPv4 address inside (IPv4-mapped, IPv4-compatible,
 * NAT64, 6to4, Teredo) are judged by the IPv4 address they carry, since the network delivers them there.
 */

const blockedV4 = new BlockList()
// "This network": connecting to 0.0.0.0 reaches the gateway host itself under another name; never a real upstream.
blockedV4.addSubnet('0.0.0.0', 8, 'ipv4')
// Link-local, which holds AWS/GCP/Azure/OCI metadata (169.254.169.254) and the ECS task endpoint (169.254.170.2).
blockedV4.addSubnet('169.254.0.0', 16, 'ipv4')
// Alibaba Cloud metadata.
blockedV4.addAddress('100.100.100.200', 'ipv4')
// Azure WireServer (host agent, hands out VM certificates and extension settings).
blockedV4.addAddress('168.63.129.16', 'ipv4')
// Oracle Cloud's older metadata address.
blockedV4.addAddress('192.0.0.192', 'ipv4')

const blockedV6 = new BlockList()
blockedV6.addAddress('::', 'ipv6')
// Link-local.
blockedV6.addSubnet('fe80::', 10, 'ipv6')
// AWS and GCP metadata over IPv6.
blockedV6.addAddress('fd00:ec2::254', 'ipv6')
blockedV6.addAddress('fd20:ce::254', 'ipv6')

/** Names of metadata services (lower case, no trailing dot); refused before any lookup. */
const METADATA_HOSTS = new Set([
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'metadata.azure.com',
  'instance-data',
  'instance-data.ec2.internal',
  'metadata.tencentyun.com',
])

/** Lower case, brackets and any trailing dots removed: the form the checks compare. */
export function canonicalHost(hostname: string): string {
  return hostname
    .replace(/^\[|\]$/g, '')
    .replace(/\.+$/, '')
    .toLowerCase()
}

export function isMetadataHost(hostname: string): boolean {
  return METADATA_HOSTS.has(canonicalHost(hostname))
}

/** The 16 bytes of an IPv6 address (zone id dropped), or null when it is not one. */
export function ipv6Bytes(address: string): Uint8Array | null {
  const text = address.replace(/%.*$/, '')
  if (isIP(text) !== 6) return null
  let head = text
  const tail: number[] = []
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)
  if (dotted) {
    for (const part of dotted[1].split('.')) tail.push(Number(part))
    head = text.slice(0, -dotted[1].length)
    if (head.endsWith(':') && !head.endsWith('::')) head = head.slice(0, -1)
  }
  const words = (s: string) => (s === '' ? [] : s.split(':').map((w) => parseInt(w, 16)))
  const [left, right] = head.includes('::') ? head.split('::') : [head, undefined]
  const leftWords = words(left)
  const rightWords = right === undefined ? [] : words(right)
  const missing = 8 - tail.length / 2 - leftWords.length - rightWords.length
  const all = [...leftWords, ...new Array<number>(right === undefined ? 0 : missing).fill(0), ...rightWords]
  const bytes = new Uint8Array(16)
  all.forEach((w, i) => {
    bytes[i * 2] = w >> 8
    bytes[i * 2 + 1] = w & 0xff
  })
  tail.forEach((b, i) => (bytes[12 + i] = b))
  return bytes
}

const v4 = (b: ArrayLike<number>, at: number) => `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`
const startsWith = (b: Uint8Array, prefix: number[]) => prefix.every((x, i) => b[i] === x)

/** The IPv4 addresses an IPv6 address delivers to, by the standard embeddings. */
export function embeddedIpv4(bytes: Uint8Array): string[] {
  const out: string[] = []
  const zeros = (from: number, to: number) => bytes.slice(from, to).every((x) => x === 0)
  // IPv4-mapped ::ffff:a.b.c.d, and the deprecated IPv4-compatible ::a.b.c.d (not :: and ::1 themselves).
  if (zeros(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) out.push(v4(bytes, 12))
  if (zeros(0, 12) && !zeros(12, 15)) out.push(v4(bytes, 12))
  // NAT64 well-known prefix 64:ff9b::/96 and the local-use 64:ff9b:1::/48 (RFC 6052, RFC 8215): the /96 layout,
  // and the /48 layout, which skips the reserved octet 8.
  if (startsWith(bytes, [0x00, 0x64, 0xff, 0x9b])) {
    out.push(v4(bytes, 12))
    if (bytes[4] === 0 && bytes[5] === 1) out.push(v4([bytes[6], bytes[7], bytes[9], bytes[10]], 0))
  }
  // 6to4 2002:V4ADDR::/48.
  if (bytes[0] === 0x20 && bytes[1] === 0x02) out.push(v4(bytes, 2))
  // Teredo 2001:0::/32: the server at bits 32-63, the client inverted in the last 32 bits.
  if (startsWith(bytes, [0x20, 0x01, 0x00, 0x00])) {
    out.push(v4(bytes, 4))
    out.push(
      v4(
        bytes.slice(12).map((x) => x ^ 0xff),
        0,
      ),
    )
  }
  return out
}

/** True for an address a channel must never connect to; false for anything else, names included. */
export function isBlockedAddress(address: string): boolean {
  const family = isIP(address.replace(/%.*$/, ''))
  if (family === 4) return blockedV4.check(address, 'ipv4')
  if (family !== 6) return false
  const bytes = ipv6Bytes(address)
  if (!bytes) return false
  const words: string[] = []
  for (let i = 0; i < 16; i += 2) words.push(((bytes[i] << 8) | bytes[i + 1]).toString(16))
  if (blockedV6.check(words.join(':'), 'ipv6')) return true
  return embeddedIpv4(bytes).some((a) => blockedV4.check(a, 'ipv4'))
}
