/**
 * A throw-away OpenLDAP (Debian `slapd`) for integration tests: own temp dir, own loopback port, AD-style users.
 *
 * Binds are counted by slapd itself through cn=Monitor (read anonymously, so the count query adds no bind):
 * that is the server-side truth, also when the traffic is TLS and a proxy could not read it.
 * The server also accepts unauthenticated binds (a DN with an empty password) as anonymous, like the Active
 * Directory setups the catalogue warns about, so "no bind was made" is the only thing keeping such a login out.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { Client } from 'ldapts'

const execFileAsync = promisify(execFile)

const SLAPD = '/usr/sbin/slapd'
const SLAPADD = '/usr/sbin/slapadd'
const SCHEMA_DIR = '/etc/ldap/schema'

export interface OpenLdapUser {
  /** The canonical login name (`uid`, also `sAMAccountName`). */
  uid: string
  dn: string
  cn: string
  password: string
  userPrincipalName?: string
  mail?: string
}

export interface OpenLdapOptions {
  /** Also serve ldaps:// and StartTLS with a fresh CA and a certificate for 127.0.0.1 / localhost. */
  tls?: boolean
  /** Adds a referral entry `ou=elsewhere,ou=people,<base>` whose `ref` is this URL. */
  referralUrl?: string
}

export interface OpenLdapServer {
  /** ldap://127.0.0.1:<port> */
  url: string
  host: string
  port: number
  /** Only with `tls: true`. */
  ldapsUrl?: string
  /** PEM of the CA that signed the server certificate (only with `tls: true`). */
  caFile?: string
  baseDn: string
  peopleDn: string
  /** The NetBIOS-like domain name the AD mode would use. */
  domain: string
  adminDn: string
  adminPassword: string
  /** Service account for search-then-bind. */
  bindDn: string
  bindPassword: string
  users: {
    alice: OpenLdapUser
    bob: OpenLdapUser
    /** cn="Doe, John": the comma must survive DN escaping. */
    johnDoe: OpenLdapUser
    /** uid=admin,ou=admins,ou=people,...: the target of `admin,ou=admins` DN injection. */
    hiddenAdmin: OpenLdapUser
    /** carol and dave share one mail address, so a filter on mail matches two entries. */
    carol: OpenLdapUser
    dave: OpenLdapUser
  }
  /** Bind operations the server has received so far (all connections, including the harness's own setup). */
  bindCount(): Promise<number>
  stop(): Promise<void>
}

/** Whether the Debian slapd package is installed. */
export function isSlapdInstalled(): boolean {
  return existsSync(SLAPD) && existsSync(SLAPADD) && existsSync(join(SCHEMA_DIR, 'core.ldif'))
}

/**
 * Starts slapd, or returns null when it is not installed outside CI (tests then skip loudly).
 * In CI (`CI=true`) a missing slapd is an error: a silently skipped security suite is worse than a red build.
 */
export async function startOpenLdap(opts: OpenLdapOptions = {}): Promise<OpenLdapServer | null> {
  if (!isSlapdInstalled()) {
    const hint = 'apt-get install -y slapd ldap-utils'
    if (process.env.CI === 'true') throw new Error(`slapd is not installed (${SLAPD}); CI must run: ${hint}`)
    return null
  }
  // The free-port probe can race with another process; a fresh port usually settles it.
  let lastError: unknown
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(opts)
    } catch (err) {
      lastError = err
    }
  }
  throw lastError instanceof Error ? lastError : new Error(String(lastError))
}

const BASE_DN = 'dc=example,dc=org'
const PEOPLE_DN = `ou=people,${BASE_DN}`

function buildUsers(): OpenLdapServer['users'] {
  const user = (
    uid: string,
    cn: string,
    password: string,
    extra: Partial<OpenLdapUser> = {},
  ): OpenLdapUser => ({
    uid,
    cn,
    password,
    dn: `uid=${uid},${PEOPLE_DN}`,
    ...extra,
  })
  return {
    alice: user('alice', 'Alice Admin', 'alicepw', {
      userPrincipalName: 'alice@example.org',
      mail: 'alice@example.org',
    }),
    bob: user('bob', 'Bob User', 'bobpw', { userPrincipalName: 'bob@example.org', mail: 'bob@example.org' }),
    johnDoe: user('jdoe', 'Doe, John', 'johnpw', {
      dn: `cn=Doe\\, John,${PEOPLE_DN}`,
      userPrincipalName: 'jdoe@example.org',
      mail: 'john.doe@example.org',
    }),
    hiddenAdmin: user('admin', 'Hidden Admin', 'hiddenadminpw', { dn: `uid=admin,ou=admins,${PEOPLE_DN}` }),
    carol: user('carol', 'Carol Shared', 'carolpw', { mail: 'shared@example.org' }),
    dave: user('dave', 'Dave Shared', 'davepw', { mail: 'shared@example.org' }),
  }
}

/** slapd verifies `{SSHA}` natively; computing it here avoids shelling out to slappasswd per user. */
function ssha(password: string): string {
  const salt = randomBytes(8)
  const digest = createHash('sha1').update(password).update(salt).digest()
  return `{SSHA}${Buffer.concat([digest, salt]).toString('base64')}`
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.unref()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address()
      const port = typeof addr === 'object' && addr ? addr.port : 0
      srv.close(() => resolve(port))
    })
  })
}

function configLdif(
  dir: string,
  adminPassword: string,
  tls: { ca: string; cert: string; key: string } | null,
): string {
  const tlsLines = tls
    ? [
        `olcTLSCACertificateFile: ${tls.ca}`,
        `olcTLSCertificateFile: ${tls.cert}`,
        `olcTLSCertificateKeyFile: ${tls.key}`,
      ]
    : []
  return `dn: cn=config
objectClass: olcGlobal
cn: config
olcPidFile: ${dir}/slapd.pid
olcArgsFile: ${dir}/slapd.args
olcLogLevel: none
olcAllows: bind_anon_dn${tlsLines.map((line) => `\n${line}`).join('')}

dn: cn=module{0},cn=config
objectClass: olcModuleList
cn: module{0}
olcModulePath: /usr/lib/ldap
olcModuleLoad: back_mdb

dn: cn=schema,cn=config
objectClass: olcSchemaConfig
cn: schema

include: file://${SCHEMA_DIR}/core.ldif
include: file://${SCHEMA_DIR}/cosine.ldif
include: file://${SCHEMA_DIR}/inetorgperson.ldif
include: file://${SCHEMA_DIR}/nis.ldif

dn: cn=adcompat,cn=schema,cn=config
objectClass: olcSchemaConfig
cn: adcompat
olcAttributeTypes: ( 1.2.840.113556.1.4.656 NAME 'userPrincipalName' EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
olcAttributeTypes: ( 1.2.840.113556.1.4.221 NAME 'sAMAccountName' EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
olcObjectClasses: ( 1.3.6.1.4.1.55555.1.1 NAME 'adCompatUser' SUP top AUXILIARY MAY ( userPrincipalName $ sAMAccountName ) )

dn: olcDatabase={-1}frontend,cn=config
objectClass: olcDatabaseConfig
objectClass: olcFrontendConfig
olcDatabase: {-1}frontend
olcSizeLimit: 500

dn: olcDatabase={0}config,cn=config
objectClass: olcDatabaseConfig
olcDatabase: {0}config
olcAccess: {0}to * by * none

dn: olcDatabase={1}mdb,cn=config
objectClass: olcDatabaseConfig
objectClass: olcMdbConfig
olcDatabase: {1}mdb
olcSuffix: ${BASE_DN}
olcRootDN: cn=admin,${BASE_DN}
olcRootPW: ${ssha(adminPassword)}
olcDbDirectory: ${dir}/data
olcDbMaxSize: 104857600
olcDbIndex: objectClass eq
olcDbIndex: uid,mail,userPrincipalName,sAMAccountName eq
olcAccess: {0}to attrs=userPassword by self write by anonymous auth by * none
olcAccess: {1}to * by users read by * none

dn: olcDatabase={2}monitor,cn=config
objectClass: olcDatabaseConfig
olcDatabase: {2}monitor
olcAccess: {0}to * by * read
`
}

function dataLdif(users: OpenLdapServer['users'], bindPassword: string, referralUrl?: string): string {
  const blocks = [
    `dn: ${BASE_DN}\nobjectClass: top\nobjectClass: dcObject\nobjectClass: organization\no: Example\ndc: example`,
    `dn: ${PEOPLE_DN}\nobjectClass: organizationalUnit\nou: people`,
    `dn: ou=admins,${PEOPLE_DN}\nobjectClass: organizationalUnit\nou: admins`,
    `dn: ou=groups,${BASE_DN}\nobjectClass: organizationalUnit\nou: groups`,
    `dn: uid=svc-gateway,${PEOPLE_DN}\nobjectClass: inetOrgPerson\nuid: svc-gateway\ncn: Gateway Service\nsn: Service\nuserPassword: ${ssha(bindPassword)}`,
  ]
  for (const u of Object.values(users)) {
    const lines = [
      `dn: ${u.dn}`,
      'objectClass: inetOrgPerson',
      'objectClass: adCompatUser',
      `uid: ${u.uid}`,
      `cn: ${u.cn}`,
      `sn: ${u.cn.split(/[ ,]+/).pop() ?? u.uid}`,
      `displayName: ${u.cn}`,
      `sAMAccountName: ${u.uid}`,
      `userPassword: ${ssha(u.password)}`,
    ]
    if (u.mail) lines.push(`mail: ${u.mail}`)
    if (u.userPrincipalName) lines.push(`userPrincipalName: ${u.userPrincipalName}`)
    blocks.push(lines.join('\n'))
  }
  blocks.push(
    `dn: cn=gateway-admins,ou=groups,${BASE_DN}\nobjectClass: groupOfNames\ncn: gateway-admins\nmember: ${users.alice.dn}`,
  )
  if (referralUrl) {
    blocks.push(
      `dn: ou=elsewhere,${PEOPLE_DN}\nobjectClass: referral\nobjectClass: extensibleObject\nou: elsewhere\nref: ${referralUrl}`,
    )
  }
  return blocks.join('\n\n') + '\n'
}

async function makeTlsFiles(dir: string): Promise<{ ca: string; cert: string; key: string }> {
  const f = (name: string) => join(dir, name)
  const run = (args: string[]) => execFileAsync('openssl', args, { cwd: dir })
  await run([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=Any Gateway Test CA',
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.pem'),
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ])
  await run([
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=localhost',
    '-keyout',
    f('server.key'),
    '-out',
    f('server.csr'),
  ])
  await writeFile(
    f('server.ext'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n',
  )
  await run([
    'x509',
    '-req',
    '-in',
    f('server.csr'),
    '-CA',
    f('ca.pem'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-out',
    f('server.pem'),
    '-extfile',
    f('server.ext'),
  ])
  return { ca: f('ca.pem'), cert: f('server.pem'), key: f('server.key') }
}

async function readMonitorCounter(url: string, dn: string, attribute: string): Promise<number> {
  // Anonymous on purpose: a bind here would itself be counted.
  const client = new Client({ url, timeout: 3000, connectTimeout: 3000 })
  try {
    const { searchEntries } = await client.search(dn, { scope: 'base', attributes: [attribute] })
    const raw = searchEntries[0]?.[attribute]
    const value = Array.isArray(raw) ? raw[0] : raw
    const n = Number(typeof value === 'string' ? value : NaN)
    if (!Number.isFinite(n)) throw new Error(`cn=Monitor did not return ${attribute} for ${dn}`)
    return n
  } finally {
    await client.unbind().catch(() => undefined)
  }
}

/**
 * Ready means: our slapd wrote its pid file (it does so only after binding its listeners) and the port
 * answers. The pid check matters: if the probed port was taken meanwhile by another test file's slapd, ours
 * exits and that other server would otherwise answer in its place.
 */
async function waitForReady(
  url: string,
  pidFile: string,
  child: ChildProcess,
  stderr: () => string,
): Promise<void> {
  const deadline = Date.now() + 10_000
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`slapd exited early (code ${child.exitCode}, signal ${child.signalCode}): ${stderr()}`)
    }
    try {
      const pid = (await readFile(pidFile, 'utf8')).trim()
      if (pid !== String(child.pid)) throw new Error(`pid file says ${pid}, our slapd is ${child.pid}`)
      await readMonitorCounter(url, 'cn=Bind,cn=Operations,cn=Monitor', 'monitorOpInitiated')
      return
    } catch (err) {
      if (Date.now() > deadline) {
        throw new Error(`slapd did not become ready at ${url}: ${String(err)}; ${stderr()}`)
      }
      await new Promise((r) => setTimeout(r, 50))
    }
  }
}

const liveChildren = new Set<ChildProcess>()
let exitHookInstalled = false
function killOnExit(child: ChildProcess): void {
  liveChildren.add(child)
  child.once('exit', () => liveChildren.delete(child))
  if (exitHookInstalled) return
  exitHookInstalled = true
  // A crashed test worker must not leave slapd listening.
  process.once('exit', () => {
    for (const c of liveChildren) c.kill('SIGKILL')
  })
}

async function startOnce(opts: OpenLdapOptions): Promise<OpenLdapServer> {
  const dir = await mkdtemp(join(tmpdir(), 'any-gateway-slapd-'))
  let child: ChildProcess | undefined
  try {
    const adminPassword = 'adminpw-' + randomBytes(6).toString('hex')
    const bindPassword = 'svcpw-' + randomBytes(6).toString('hex')
    const users = buildUsers()
    const tls = opts.tls ? await makeTlsFiles(dir) : null

    await writeFile(join(dir, 'config.ldif'), configLdif(dir, adminPassword, tls))
    await writeFile(join(dir, 'data.ldif'), dataLdif(users, bindPassword, opts.referralUrl))
    await mkdir(join(dir, 'slapd.d'))
    await mkdir(join(dir, 'data'))
    await execFileAsync(SLAPADD, [
      '-q',
      '-n',
      '0',
      '-F',
      join(dir, 'slapd.d'),
      '-l',
      join(dir, 'config.ldif'),
    ])
    await execFileAsync(SLAPADD, ['-q', '-n', '1', '-F', join(dir, 'slapd.d'), '-l', join(dir, 'data.ldif')])

    const host = '127.0.0.1'
    const port = await freePort()
    const tlsPort = tls ? await freePort() : undefined
    const url = `ldap://${host}:${port}`
    const ldapsUrl = tlsPort ? `ldaps://${host}:${tlsPort}` : undefined
    const listeners = [`${url}/`, ...(ldapsUrl ? [`${ldapsUrl}/`] : [])].join(' ')

    // `-d 0` keeps slapd in the foreground as our child, so stop() owns exactly this process.
    let stderrText = ''
    const proc = spawn(SLAPD, ['-d', '0', '-h', listeners, '-F', join(dir, 'slapd.d')], {
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    child = proc
    killOnExit(proc)
    proc.stderr?.on('data', (chunk: Buffer) => {
      stderrText = (stderrText + chunk.toString('utf8')).slice(-4000)
    })
    await waitForReady(url, join(dir, 'slapd.pid'), proc, () => stderrText)

    let stopped: Promise<void> | undefined
    const stop = (): Promise<void> => {
      stopped ??= (async () => {
        if (proc.exitCode === null && proc.signalCode === null) {
          const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()))
          proc.kill('SIGTERM')
          const timer = setTimeout(() => proc.kill('SIGKILL'), 5000)
          await exited
          clearTimeout(timer)
        }
        await rm(dir, { recursive: true, force: true })
      })()
      return stopped
    }

    return {
      url,
      host,
      port,
      ldapsUrl,
      caFile: tls?.ca,
      baseDn: BASE_DN,
      peopleDn: PEOPLE_DN,
      domain: 'EXAMPLE',
      adminDn: `cn=admin,${BASE_DN}`,
      adminPassword,
      bindDn: `uid=svc-gateway,${PEOPLE_DN}`,
      bindPassword,
      users,
      bindCount: () => readMonitorCounter(url, 'cn=Bind,cn=Operations,cn=Monitor', 'monitorOpInitiated'),
      stop,
    }
  } catch (err) {
    if (child && child.exitCode === null) child.kill('SIGKILL')
    await rm(dir, { recursive: true, force: true })
    throw err
  }
}
