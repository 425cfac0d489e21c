import { Client, type Entry } from 'ldapts'
import type { ConnectionOptions } from 'node:tls'
import { buildAdBindName } from './build-ad-bind-name.ts'
import { buildLdapTlsOptions } from './build-ldap-tls-options.ts'
import { isInvalidCredentials } from './classify-ldap-error.ts'
import { escapeLdapDnValue } from './escape-ldap-dn.ts'
import { escapeLdapFilterValue } from './escape-ldap-filter.ts'
import {
  resolveLdapMode,
  USERNAME_PLACEHOLDER,
  type LdapAuthResult,
  type LdapMode,
  type LdapSettings,
} from './ldap-settings.ts'
import { firstAttributeValue, PROFILE_ATTRIBUTES, readProfile } from './read-ldap-entry.ts'
import { isAcceptableLdapPassword, normalizeLdapUsername } from './validate-ldap-credentials.ts'

/** Where an attempt failed; for operators' logs. Never carries a password. */
export type LdapFailureStage =
  | 'settings'
  | 'tls-setup'
  | 'starttls'
  | 'service-bind'
  | 'search'
  | 'user-bind'
  | 'profile'
  | 'deadline'
  | 'unexpected'

export interface LdapAttemptObserver {
  /** Called for failures that are the directory's or the configuration's fault, not the user's. */
  onFailure?(stage: LdapFailureStage, error: unknown): void
}

const INVALID_INPUT: LdapAuthResult = { ok: false, reason: 'invalid_input' }
const INVALID_CREDENTIALS: LdapAuthResult = { ok: false, reason: 'invalid_credentials' }
const NOT_FOUND: LdapAuthResult = { ok: false, reason: 'not_found' }
const UNAVAILABLE: LdapAuthResult = { ok: false, reason: 'unavailable' }

/** How long the unbind in `finally` may take before we stop waiting; the socket is torn down either way. */
const UNBIND_GRACE_MS = 250

/**
 * One LDAP login attempt: validates input, opens one connection, binds, closes.
 *
 * Guarantees: no connection for an unusable password or username; no bind with user-supplied text as a DN
 * other than through RFC 4514 escaping; in search mode the bind uses the DN the directory returned for
 * exactly one entry; referrals are never followed (ldapts only reports them); StartTLS failure ends the
 * attempt; and the whole attempt resolves within `timeoutMs` plus a few milliseconds.
 */
export async function authenticateLdap(
  settings: LdapSettings,
  username: string,
  password: string,
  observer: LdapAttemptObserver = {},
): Promise<LdapAuthResult> {
  if (!isAcceptableLdapPassword(password)) return INVALID_INPUT
  const name = normalizeLdapUsername(username)
  if (name === null) return INVALID_INPUT

  const resolved = resolveLdapMode(settings)
  if (!resolved.ok) {
    safeReport(observer, 'settings', new Error(resolved.problem))
    return UNAVAILABLE
  }
  const mode = resolved.mode
  let adBindName: string | null = null
  if (mode.kind === 'ad') {
    adBindName = buildAdBindName(mode.domain, name)
    if (adBindName === null) return INVALID_INPUT
  }

  const url = new URL(settings.url)
  const implicitTls = url.protocol === 'ldaps:'
  // StartTLS on an ldaps:// connection would be a protocol error; the link is already encrypted.
  const useStartTls = settings.startTls && !implicitTls
  let tlsOptions: ConnectionOptions | undefined
  if (implicitTls || useStartTls) {
    try {
      tlsOptions = await buildLdapTlsOptions(url, settings.caFile)
    } catch (err) {
      safeReport(observer, 'tls-setup', err)
      return UNAVAILABLE
    }
  }

  // ldapts switches to TLS from the first byte whenever tlsOptions are given, so they are passed to the
  // constructor only for ldaps://; StartTLS gets them at upgrade time.
  const client = new Client({
    url: settings.url,
    timeout: settings.timeoutMs,
    connectTimeout: settings.timeoutMs,
    strictDN: true,
    ...(implicitTls ? { tlsOptions } : {}),
  })

  const ctx: AttemptContext = {
    mode,
    name,
    password,
    adBindName,
    tlsOptions: useStartTls ? tlsOptions : undefined,
    timeoutMs: settings.timeoutMs,
    baseDn: settings.baseDn,
    authenticatedAs: undefined,
    settled: false,
    // Operations still failing after the result is out (the deadline destroyed their socket) are noise.
    report: (stage, error) => {
      if (!ctx.settled) safeReport(observer, stage, error)
    },
  }
  let deadlineTimer: NodeJS.Timeout | undefined
  // ldapts times each operation separately and not the TLS handshake at all; search-then-bind is up to
  // four round trips. One deadline for the whole attempt is what keeps a login from hanging.
  const deadline = new Promise<LdapAuthResult>((resolve) => {
    deadlineTimer = setTimeout(() => {
      // The password was already verified and only the optional profile read is slow: still a success.
      if (ctx.authenticatedAs !== undefined) return resolve({ ok: true, username: ctx.authenticatedAs })
      ctx.report('deadline', new Error(`LDAP attempt exceeded ${settings.timeoutMs} ms`))
      resolve(UNAVAILABLE)
    }, settings.timeoutMs)
  })
  const attempt = runAttempt(client, ctx).catch((err: unknown) => {
    ctx.report('unexpected', err)
    return UNAVAILABLE
  })
  try {
    return await Promise.race([attempt, deadline])
  } finally {
    ctx.settled = true
    clearTimeout(deadlineTimer)
    await closeClient(client)
  }
}

interface AttemptContext {
  mode: LdapMode
  name: string
  password: string
  adBindName: string | null
  /** Set only when StartTLS must be performed. */
  tlsOptions: ConnectionOptions | undefined
  timeoutMs: number
  baseDn: string | undefined
  settled: boolean
  report(stage: LdapFailureStage, error: unknown): void
  /** Set once the user's bind succeeded: the canonical name to report even if the profile read stalls. */
  authenticatedAs: string | undefined
}

async function runAttempt(client: Client, ctx: AttemptContext): Promise<LdapAuthResult> {
  if (ctx.tlsOptions) {
    try {
      // Fresh object: ldapts writes the socket into the options it is given.
      await client.startTLS({ ...ctx.tlsOptions })
    } catch (err) {
      // No plaintext fallback: the password has not been sent yet and will not be.
      ctx.report('starttls', err)
      return UNAVAILABLE
    }
  }
  switch (ctx.mode.kind) {
    case 'search':
      return searchThenBind(client, ctx, ctx.mode)
    case 'dn-template': {
      const dn = ctx.mode.userDnTemplate.split(USERNAME_PLACEHOLDER).join(escapeLdapDnValue(ctx.name))
      const bound = await bindUser(client, ctx, dn)
      if (bound) return bound
      ctx.authenticatedAs = ctx.name
      const entry = await lookupProfile(client, ctx, dn, { scope: 'base' })
      return { ok: true, username: ctx.name, ...(entry ? readProfile(entry) : {}) }
    }
    case 'ad': {
      // Checked before connecting; repeated so that no path can ever bind with an empty name.
      if (!ctx.adBindName) return INVALID_INPUT
      const bound = await bindUser(client, ctx, ctx.adBindName)
      if (bound) return bound
      ctx.authenticatedAs = ctx.name
      const entry = ctx.baseDn
        ? await lookupProfile(client, ctx, ctx.baseDn, {
            scope: 'sub',
            filter: `(sAMAccountName=${escapeLdapFilterValue(ctx.name)})`,
          })
        : undefined
      return { ok: true, username: ctx.name, ...(entry ? readProfile(entry) : {}) }
    }
  }
}

async function searchThenBind(
  client: Client,
  ctx: AttemptContext,
  mode: Extract<LdapMode, { kind: 'search' }>,
): Promise<LdapAuthResult> {
  try {
    await client.bind(mode.bindDn, mode.bindPassword)
  } catch (err) {
    // Even a 49 here is the service account's problem, never the user's: report the directory as unusable.
    ctx.report('service-bind', err)
    return UNAVAILABLE
  }
  let entries: Entry[]
  try {
    const filter = mode.userFilter.split(USERNAME_PLACEHOLDER).join(escapeLdapFilterValue(ctx.name))
    const result = await client.search(mode.baseDn, {
      scope: 'sub',
      filter,
      derefAliases: 'never',
      // Two is enough to tell "exactly one" from "ambiguous" without reading a whole directory.
      sizeLimit: 2,
      timeLimit: Math.max(1, Math.ceil(ctx.timeoutMs / 1000)),
      attributes: PROFILE_ATTRIBUTES,
    })
    // result.searchReferences (continuation references) are deliberately ignored, never chased.
    entries = result.searchEntries
  } catch (err) {
    ctx.report('search', err)
    return UNAVAILABLE
  }
  const entry = entries.length === 1 ? entries[0] : undefined
  // An empty DN would turn the bind below into an anonymous one.
  if (!entry || entry.dn.trim() === '') return NOT_FOUND
  const canonical = firstAttributeValue(entry, 'uid') ?? firstAttributeValue(entry, 'sAMAccountName')
  // Without a stable login name two spellings (alice, alice@example.org) would become two accounts.
  if (!canonical) return NOT_FOUND

  const bound = await bindUser(client, ctx, entry.dn)
  if (bound) return bound
  return { ok: true, username: canonical, ...readProfile(entry) }
}

/** Binds as the user; returns a failure result, or null on success (resultCode 0). */
async function bindUser(
  client: Client,
  ctx: AttemptContext,
  bindName: string,
): Promise<LdapAuthResult | null> {
  try {
    await client.bind(bindName, ctx.password)
    return null
  } catch (err) {
    if (isInvalidCredentials(err)) return INVALID_CREDENTIALS
    ctx.report('user-bind', err)
    return UNAVAILABLE
  }
}

/** Best effort: the login already succeeded, so a missing or unreadable entry only costs the profile. */
async function lookupProfile(
  client: Client,
  ctx: AttemptContext,
  base: string,
  query: { scope: 'base' | 'sub'; filter?: string },
): Promise<Entry | undefined> {
  try {
    const { searchEntries } = await client.search(base, {
      ...query,
      derefAliases: 'never',
      sizeLimit: 2,
      timeLimit: Math.max(1, Math.ceil(ctx.timeoutMs / 1000)),
      attributes: PROFILE_ATTRIBUTES,
    })
    return searchEntries.length === 1 ? searchEntries[0] : undefined
  } catch (err) {
    ctx.report('profile', err)
    return undefined
  }
}

/** A throwing log callback must not turn into an unhandled exception inside a timer. */
function safeReport(observer: LdapAttemptObserver, stage: LdapFailureStage, error: unknown): void {
  try {
    observer.onFailure?.(stage, error)
  } catch {
    // Logging is best effort.
  }
}

async function closeClient(client: Client): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const grace = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, UNBIND_GRACE_MS)
    timer.unref()
  })
  try {
    await Promise.race([client.unbind().catch(() => undefined), grace])
  } finally {
    clearTimeout(timer)
  }
}
