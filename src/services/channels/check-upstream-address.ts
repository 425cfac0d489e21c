import { lookup } from 'node:dns/promises'
import { BlockList, isIP } from 'node:net'
import { AppError } from '../../domain/errors.ts'

/**
 * Admins may point channels at private addresses (a LAN vLLM or Ollama, loopback in tests); link-local and cloud
 * metadata addresses are refused, by the resolved address, not by the string (SPEC §5.2).
 */
const blocked = new BlockList()
blocked.addSubnet('169.254.0.0', 16, 'ipv4')
blocked.addSubnet('100.100.100.200', 32, 'ipv4')
blocked.addSubnet('0.0.0.0', 8, 'ipv4')
blocked.addSubnet('fe80::', 10, 'ipv6')
blocked.addSubnet('fd00:ec2::254', 128, 'ipv6')
blocked.addSubnet('::ffff:169.254.0.0', 112, 'ipv6')

const METADATA_HOSTS = new Set(['metadata.google.internal', 'metadata', 'metadata.azure.com'])

export function isBlockedAddress(address: string): boolean {
  const family = isIP(address)
  if (family === 0) return false
  return blocked.check(address, family === 6 ? 'ipv6' : 'ipv4')
}

export async function assertAllowedUpstream(url: string): Promise<void> {
  const host = new URL(url).hostname
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase()
  if (METADATA_HOSTS.has(host)) throw new AppError('bad_request', 'Channel address is not allowed')
  const addresses = isIP(host)
    ? [host]
    : (await lookup(host, { all: true }).catch(() => [])).map((a) => a.address)
  if (addresses.some(isBlockedAddress)) throw new AppError('bad_request', 'Channel address is not allowed')
}
