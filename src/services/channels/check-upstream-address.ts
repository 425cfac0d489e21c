import { lookup } from 'node:dns/promises'
import { isIP } from 'node:net'
import { AppError } from '../../domain/errors.ts'
import { canonicalHost, isBlockedAddress, isMetadataHost } from './classify-upstream-address.ts'

export interface ResolvedAddress {
  address: string
  family: number
}

/** Every address a name resolves to; injectable so tests can play a DNS server that changes its answer. */
export type ResolveHost = (hostname: string) => Promise<ResolvedAddress[]>

export const resolveWithSystem: ResolveHost = async (hostname) =>
  lookup(hostname, { all: true, verbatim: true })

export class BlockedAddressError extends Error {
  readonly code = 'ERR_UPSTREAM_ADDRESS_BLOCKED'
  constructor(readonly host: string) {
    super(`Upstream address of ${host} is link-local or a cloud metadata service`)
  }
}

/**
 * The addresses a host may be connected to: all it resolves to, or an error when it is a metadata name, resolves
 * to nothing, or any of its addresses is refused (one refused answer is enough: DNS round-robin would reach it).
 */
export async function resolveAllowedAddresses(
  hostname: string,
  resolve: ResolveHost,
): Promise<ResolvedAddress[]> {
  const host = canonicalHost(hostname)
  if (isMetadataHost(host)) throw new BlockedAddressError(host)
  const family = isIP(host)
  const addresses = family ? [{ address: host, family }] : await resolve(host)
  if (addresses.length === 0)
    throw Object.assign(new Error(`${host} does not resolve`), { code: 'ENOTFOUND' })
  if (addresses.some((a) => isBlockedAddress(a.address))) throw new BlockedAddressError(host)
  return addresses
}

/**
 * Save-time check of a channel URL (`field` names it in the 400): the host must resolve, and to no refused address.
 * The same check runs again on every connection (guard-upstream-lookup.ts), so a name that changes its answer later
 * (DNS rebinding) is still stopped.
 */
export async function assertAllowedUpstream(url: string, field: string, resolve: ResolveHost): Promise<void> {
  let hostname: string
  try {
    hostname = new URL(url).hostname
  } catch {
    throw new AppError('validation_error', `${field}: not a valid URL`, {
      fields: [{ field, message: 'invalid' }],
    })
  }
  try {
    await resolveAllowedAddresses(hostname, resolve)
  } catch (err) {
    const message =
      err instanceof BlockedAddressError
        ? `${field}: address is not allowed (link-local or cloud metadata)`
        : `${field}: host ${canonicalHost(hostname)} does not resolve`
    throw new AppError('validation_error', message, { fields: [{ field, message }] })
  }
}
