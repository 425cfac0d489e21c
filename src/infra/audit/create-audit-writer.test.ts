import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { brotliDecompressSync } from 'node:zlib'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AuditRecord } from './audit-record.ts'
import { createAuditWriter, type AuditMetricName } from './create-audit-writer.ts'
import { makeTestAuditRecord } from '../../../test/support/make-test-audit-record.ts'

let root: string
let dir: string

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'audit-writer-'))
  dir = path.join(root, 'data', 'sessions')
})
afterEach(async () => {
  await rm(root, { recursive: true, force: true })
})

/** Every file under `base`, recursively, relative paths. */
async function listFiles(base: string): Promise<string[]> {
  const out: string[] = []
  const walk = async (sub: string): Promise<void> => {
    let entries
    try {
      entries = await readdir(path.join(base, sub), { withFileTypes: true })
    } catch {
      return
    }
    for (const e of entries) {
      const rel = path.join(sub, e.name)
      if (e.isDirectory()) await walk(rel)
      else out.push(rel)
    }
  }
  await walk('')
  return out.sort()
}

async function readRecordFile(file: string): Promise<{ raw: string; record: AuditRecord }> {
  const raw = brotliDecompressSync(await readFile(file)).toString('utf8')
  return { raw, record: JSON.parse(raw) as AuditRecord }
}

const id = (i: number): string => `req_${String(i).padStart(5, '0')}`

describe('createAuditWriter', () => {
  it('writes 2,000 records with 3 consumers, one valid Brotli JSON file each', async () => {
    const writer = createAuditWriter({ dir, consumers: 3, queueCapacity: 2000, mode: 'full' })
    const started = performance.now()
    for (let i = 0; i < 2000; i++) writer.enqueue(makeTestAuditRecord(id(i)))
    const enqueueMs = performance.now() - started
    expect(await writer.drain(60_000)).toBe(true)

    const files = await listFiles(dir)
    expect(files).toHaveLength(2000)
    expect(new Set(files.map((f) => path.dirname(f)))).toEqual(new Set(['2024_05_06']))
    const problems: string[] = []
    let full = 0
    for (let i = 0; i < files.length; i += 100) {
      const batch = await Promise.all(
        files.slice(i, i + 100).map(async (f) => [f, await readRecordFile(path.join(dir, f))] as const),
      )
      for (const [f, { record: r }] of batch) {
        const ok =
          path.basename(f) === `${r.request_id}.json.br` &&
          r.version === 1 &&
          r.method === 'POST' &&
          r.status === 200 &&
          r.is_stream === false &&
          r.client_path === '/v1/chat/completions' &&
          r.timings.duration_ms === 34 &&
          r.usage?.output_tokens === 3 &&
          r.cost_usd === 0.0001 &&
          r.response.status === 200 &&
          typeof r.request.headers === 'object' &&
          (r.kind === 'full'
            ? r.request.body !== undefined && r.response.body !== undefined
            : r.metadata_reason === 'pressure' && r.request.body === undefined)
        if (!ok) problems.push(f)
        if (r.kind === 'full') full++
      }
    }
    expect(problems).toEqual([])
    const s = writer.stats()
    expect(s).toMatchObject({ queued: 0, inFlight: 0, written: 2000, failed: 0, overflowed: 0 })
    expect(full).toBe(2000 - s.degradedMetadataOnly)
    // Enqueue never does the work itself: 2,000 enqueues are far quicker than 2,000 compressions.
    expect(enqueueMs).toBeLessThan(2000)
  })

  it('under a flood lowers quality, then keeps metadata only, and still writes one file per request', async () => {
    const metrics = new Map<AuditMetricName, number>()
    const writer = createAuditWriter({
      dir,
      consumers: 2,
      queueCapacity: 20,
      overflowCapacity: 1000,
      mode: 'full',
      brotliQuality: 9,
      onMetric: (name, value) => {
        if (name !== 'audit_queue_depth') metrics.set(name, (metrics.get(name) ?? 0) + value)
      },
    })
    for (let i = 0; i < 500; i++) writer.enqueue(makeTestAuditRecord(id(i)))
    expect(writer.stats().queued).toBe(500)
    expect(await writer.drain(60_000)).toBe(true)

    const files = await listFiles(dir)
    expect(files).toHaveLength(500)
    const reasons = new Map<string, number>()
    for (const f of files) {
      const { record } = await readRecordFile(path.join(dir, f))
      const key = record.kind === 'full' ? 'full' : String(record.metadata_reason)
      reasons.set(key, (reasons.get(key) ?? 0) + 1)
      if (record.kind === 'metadata') {
        expect(record.request.body).toBeUndefined()
        expect(record.response.body).toBeUndefined()
        expect(record.usage).toEqual({ input_tokens: 5, output_tokens: 3 })
        expect(record.status).toBe(200)
      }
    }
    // 18 fit under 90 %, two more are queued without bodies, the other 480 overflow.
    expect(Object.fromEntries(reasons)).toEqual({ full: 18, pressure: 2, overflow: 480 })
    const s = writer.stats()
    expect(s).toMatchObject({
      written: 500,
      failed: 0,
      overflowed: 480,
      degradedMetadataOnly: 482,
      syncWritten: 0,
    })
    expect(s.degradedLowQuality).toBeGreaterThan(0)
    expect(metrics.get('audit_written_total')).toBe(500)
    expect(metrics.get('audit_overflow_total')).toBe(480)
    expect(metrics.get('audit_degraded_metadata_only_total')).toBe(482)
    expect(metrics.get('audit_degraded_low_quality_total')).toBe(s.degradedLowQuality)
  })

  it('writes synchronously when even the overflow list is full, so nothing is dropped', async () => {
    const writer = createAuditWriter({
      dir,
      consumers: 1,
      queueCapacity: 4,
      overflowCapacity: 3,
      mode: 'full',
    })
    for (let i = 0; i < 20; i++) writer.enqueue(makeTestAuditRecord(id(i)))
    // The 13 beyond queue + overflow are already on disk before any consumer ran.
    expect((await listFiles(dir)).length).toBe(13)
    expect(await writer.drain(10_000)).toBe(true)
    expect(await listFiles(dir)).toHaveLength(20)
    expect(writer.stats()).toMatchObject({ written: 20, syncWritten: 13, overflowed: 3, failed: 0 })
    const { record } = await readRecordFile(path.join(dir, '2024_05_06', `${id(19)}.json.br`))
    expect(record).toMatchObject({ kind: 'metadata', metadata_reason: 'sync', request_id: id(19) })
  })

  it('keeps bodies out when the estimated bytes pass the cap, and when one record is too large', async () => {
    const writer = createAuditWriter({
      dir,
      consumers: 1,
      mode: 'full',
      maxQueuedBytes: 50_000,
    })
    const big = (n: number): AuditRecord =>
      makeTestAuditRecord(id(n), { request: { headers: {}, body: { text: 'x'.repeat(30_000) } } })
    writer.enqueue(big(1))
    writer.enqueue(big(2))
    const single = createAuditWriter({ dir, consumers: 1, mode: 'full', maxRecordBytes: 200_000 })
    single.enqueue(
      makeTestAuditRecord(id(3), { response: { status: 200, headers: {}, body: 'y'.repeat(300_000) } }),
    )
    expect(await writer.drain(10_000)).toBe(true)
    expect(await single.drain(10_000)).toBe(true)
    const kinds = await Promise.all(
      [1, 2, 3].map(
        async (n) => (await readRecordFile(path.join(dir, '2024_05_06', `${id(n)}.json.br`))).record,
      ),
    )
    expect(kinds.map((r) => [r.kind, r.metadata_reason])).toEqual([
      ['full', undefined],
      ['metadata', 'pressure'],
      ['metadata', 'oversize'],
    ])
    expect(writer.stats().degradedMetadataOnly).toBe(1)
    expect(single.stats().degradedMetadataOnly).toBe(1)
  })

  it('leaves no canary in any file: headers, query strings, nested bodies, upstream errors, SSE text', async () => {
    const client = 'sk-CLIENTcanary000111222333444555'
    const channel = 'channel-canary-key-9d8c7b6a5f4e'
    const google = 'AIzaGOOGLEcanary0123456789abcdefghijk'
    const password = 'LdapCanaryPassword!42'
    const admin = 'admin-canary-key-aaaaaaaaaaaaaaaaaaaa'
    const canaries = [client, channel, google, password, admin, encodeURIComponent(password)]
    const writer = createAuditWriter({ dir, consumers: 3, mode: 'full' })
    const records: AuditRecord[] = [
      makeTestAuditRecord('plain', {
        client_path: `/v1/chat/completions?api_key=${client}&x=1`,
        upstream_url: `https://up.example/v1beta/models/m:generateContent?key=${channel}`,
        request: {
          headers: {
            authorization: `Bearer ${client}`,
            'x-api-key': client,
            'x-goog-api-key': google,
            'x-admin-key': admin,
            cookie: `session=${password}`,
          },
          body: { a: { b: [{ api_key: client, password, client_secret: channel, note: `key ${channel}` }] } },
        },
      }),
      makeTestAuditRecord('stream', {
        is_stream: true,
        client_path: `/v1beta/models/m:streamGenerateContent?alt=sse&key=${google}`,
        request: { headers: { 'x-goog-api-key': google }, body: `{"contents":[],"password":"${password}"}` },
        response: {
          status: 200,
          headers: { 'content-type': 'text/event-stream' },
          sse_raw: `data: {"text":"your key is ${client} and ${channel}"}\n\ndata: [DONE]\n\n`,
          reassembled_text: `your key is ${client} and ${channel}`,
        },
      }),
      makeTestAuditRecord('upstream500', {
        status: 502,
        error_code: 'upstream_error',
        response: {
          status: 500,
          headers: { 'set-cookie': `x=${password}` },
          body: `upstream: invalid key ${channel} for https://up.example/v1?key=${channel}`,
        },
      }),
      makeTestAuditRecord('rejected401', {
        kind: 'metadata',
        status: 401,
        rejection_reason: `invalid api key ${client}`,
        request: { headers: { authorization: `Bearer ${client}` }, body: { password } },
      }),
      makeTestAuditRecord('login400', {
        status: 400,
        client_path: `/api/login?password=${encodeURIComponent(password)}`,
        request: { headers: {}, body: `username=alice&password=${encodeURIComponent(password)}` },
      }),
    ]
    for (const r of records) writer.enqueue(r, [client, channel, password])
    // Even without the secrets list, the pattern and name rules catch these two.
    writer.enqueue(
      makeTestAuditRecord('nosecrets', {
        request: { headers: { authorization: `Bearer ${client}` }, body: { password, text: google } },
      }),
    )
    expect(await writer.drain(10_000)).toBe(true)
    const files = await listFiles(dir)
    expect(files).toHaveLength(6)
    for (const f of files) {
      const compressed = await readFile(path.join(dir, f))
      const { raw, record } = await readRecordFile(path.join(dir, f))
      const patterns = f.includes('nosecrets') ? [client, google, password] : canaries
      for (const canary of patterns) {
        expect(raw, `${f} leaks ${canary}`).not.toContain(canary)
        expect(compressed.includes(Buffer.from(canary))).toBe(false)
      }
      expect(record.request_id).toBe(path.basename(f, '.json.br'))
    }
    const stream = (await readRecordFile(path.join(dir, '2024_05_06', 'stream.json.br'))).record
    expect(stream.response.reassembled_text).toBe('your key is sk-…4555 and [redacted]')
    const rejected = (await readRecordFile(path.join(dir, '2024_05_06', 'rejected401.json.br'))).record
    expect(rejected).toMatchObject({ kind: 'metadata', metadata_reason: 'requested', status: 401 })
    expect(rejected.request.body).toBeUndefined()
  })

  it('serialises at enqueue: the file holds the record as it was then, redacted with the secrets given', async () => {
    const writer = createAuditWriter({ dir, consumers: 1, mode: 'full' })
    const secret = 'sk-enqueue-canary-0123456789abcdef'
    const record = makeTestAuditRecord(id(1), {
      request: { headers: {}, body: { messages: [{ role: 'user', content: `my key ${secret}` }] } },
    })
    writer.enqueue(record, [secret])
    // A caller reusing its objects afterwards changes nothing in the queued record.
    ;(record.request.body as { messages: { content: string }[] }).messages[0].content = 'changed later'
    record.status = 500
    expect(await writer.drain(10_000)).toBe(true)
    const { record: written } = await readRecordFile(path.join(dir, '2024_05_06', `${id(1)}.json.br`))
    expect(written.status).toBe(200)
    expect(JSON.stringify(written.request.body)).toContain('my key sk-…cdef')
    expect(JSON.stringify(written)).not.toContain(secret)
    expect(JSON.stringify(written)).not.toContain('changed later')
  })

  it('refuses unsafe request ids and writes nothing outside its folder', async () => {
    const errors: unknown[] = []
    const writer = createAuditWriter({ dir, consumers: 2, mode: 'full', onError: (e) => errors.push(e) })
    const bad = ['../etc/passwd', 'a/b', '..', '.', '', 'a\\b', 'x'.repeat(129), 'a\0b', 'a.b', '%2e%2e']
    for (const requestId of bad) writer.enqueue(makeTestAuditRecord(requestId))
    writer.enqueue({ request_id: 42 } as unknown as AuditRecord)
    writer.enqueue(null as unknown as AuditRecord)
    writer.enqueue(makeTestAuditRecord('ok-1'))
    expect(await writer.drain(10_000)).toBe(true)
    expect(writer.stats()).toMatchObject({ written: 1, failed: bad.length + 2 })
    expect(errors).toHaveLength(bad.length + 2)
    expect(await listFiles(root)).toEqual([path.join('data', 'sessions', '2024_05_06', 'ok-1.json.br')])
  })

  it('creates files 0600 and folders 0700', async () => {
    const writer = createAuditWriter({ dir, consumers: 1, mode: 'full' })
    writer.enqueue(makeTestAuditRecord('mode-check'))
    await writer.drain(10_000)
    const file = await stat(path.join(dir, '2024_05_06', 'mode-check.json.br'))
    expect(file.mode & 0o777).toBe(0o600)
    expect((await stat(path.join(dir, '2024_05_06'))).mode & 0o777).toBe(0o700)
    expect((await stat(dir)).mode & 0o777).toBe(0o700)
  })

  it('uses the UTC date of created_at, or the clock when created_at is unusable', async () => {
    const writer = createAuditWriter({
      dir,
      consumers: 1,
      mode: 'full',
      now: () => new Date('2030-01-02T03:04:05Z'),
    })
    writer.enqueue(makeTestAuditRecord('late', { created_at: '2024-12-31T23:59:59.999Z' }))
    writer.enqueue(makeTestAuditRecord('tz', { created_at: '2025-01-01T01:30:00+02:00' }))
    writer.enqueue(makeTestAuditRecord('nodate', { created_at: 'garbage' }))
    await writer.drain(10_000)
    expect(await listFiles(dir)).toEqual([
      path.join('2024_12_31', 'late.json.br'),
      path.join('2024_12_31', 'tz.json.br'),
      path.join('2030_01_02', 'nodate.json.br'),
    ])
    const { record } = await readRecordFile(path.join(dir, '2030_01_02', 'nodate.json.br'))
    expect(record.created_at).toBe('2030-01-02T03:04:05.000Z')
  })

  it('places records of changing days, impossible dates and times after a run of one day', async () => {
    const writer = createAuditWriter({
      dir,
      consumers: 1,
      mode: 'full',
      now: () => new Date('2030-01-02T03:04:05Z'),
    })
    const at = (id: string, created_at: string) => writer.enqueue(makeTestAuditRecord(id, { created_at }))
    at('a1', '2024-05-06T10:00:00.000Z')
    at('a2', '2024-05-06T23:59:59.999Z')
    at('b1', '2024-05-07T00:00:00.000Z')
    at('a3', '2024-05-06T12:00:00Z')
    // Same date as the last one, but not a time: the clock's day, as for any unusable created_at. A day past the end
    // of its month goes where Date reads it (V8: 30 February is 1 March), as it always did.
    at('badtime', '2024-05-06T25:00:00.000Z')
    at('badday', '2024-02-30T10:00:00.000Z')
    at('b2', '2024-05-07T08:00:00.000Z')
    await writer.drain(10_000)
    expect(await listFiles(dir)).toEqual([
      path.join('2024_03_01', 'badday.json.br'),
      path.join('2024_05_06', 'a1.json.br'),
      path.join('2024_05_06', 'a2.json.br'),
      path.join('2024_05_06', 'a3.json.br'),
      path.join('2024_05_07', 'b1.json.br'),
      path.join('2024_05_07', 'b2.json.br'),
      path.join('2030_01_02', 'badtime.json.br'),
    ])
  })

  it('overwrites a record written twice with the same id', async () => {
    const writer = createAuditWriter({ dir, consumers: 1, mode: 'full' })
    writer.enqueue(makeTestAuditRecord('same', { status: 200 }))
    await writer.drain(10_000)
    writer.enqueue(makeTestAuditRecord('same', { status: 499 }))
    await writer.drain(10_000)
    expect(await listFiles(dir)).toEqual([path.join('2024_05_06', 'same.json.br')])
    expect((await readRecordFile(path.join(dir, '2024_05_06', 'same.json.br'))).record.status).toBe(499)
  })

  it("mode 'metadata' never stores bodies; mode 'off' writes nothing", async () => {
    const meta = createAuditWriter({ dir, consumers: 1, mode: 'metadata' })
    meta.enqueue(makeTestAuditRecord('m1'))
    await meta.drain(10_000)
    const { record } = await readRecordFile(path.join(dir, '2024_05_06', 'm1.json.br'))
    expect(record).toMatchObject({ kind: 'metadata', metadata_reason: 'requested' })
    expect(record.request.body).toBeUndefined()
    expect(meta.stats().degradedMetadataOnly).toBe(0)

    const offDir = path.join(root, 'off')
    const off = createAuditWriter({ dir: offDir, consumers: 1, mode: 'off' })
    off.enqueue(makeTestAuditRecord('o1'))
    expect(await off.drain(1000)).toBe(true)
    expect(await listFiles(offDir)).toEqual([])
    expect(off.stats().written).toBe(0)
  })

  it('counts write failures without throwing from enqueue', async () => {
    const blocked = path.join(root, 'file-not-dir')
    await import('node:fs/promises').then((fs) => fs.writeFile(blocked, 'x'))
    const errors: unknown[] = []
    const writer = createAuditWriter({
      dir: blocked,
      consumers: 2,
      mode: 'full',
      onError: (e) => errors.push(e),
    })
    expect(() => writer.enqueue(makeTestAuditRecord('f1'))).not.toThrow()
    expect(await writer.drain(10_000)).toBe(true)
    expect(writer.stats()).toMatchObject({ written: 0, failed: 1 })
    expect(errors).toHaveLength(1)
  })

  it('drain times out with false while writes are stuck, close drains and late records are still written', async () => {
    const writer = createAuditWriter({ dir, consumers: 1, mode: 'full' })
    for (let i = 0; i < 50; i++) writer.enqueue(makeTestAuditRecord(id(i)))
    expect(await writer.drain(0)).toBe(false)
    expect(await writer.close(30_000)).toBe(true)
    writer.enqueue(makeTestAuditRecord('after-close'))
    expect(await writer.drain(0)).toBe(true)
    expect(await listFiles(dir)).toHaveLength(51)
    expect(writer.stats()).toMatchObject({ written: 51, syncWritten: 1, failed: 0 })
  })

  it('survives a throwing metrics sink', async () => {
    const writer = createAuditWriter({
      dir,
      consumers: 1,
      mode: 'full',
      onMetric: () => {
        throw new Error('sink down')
      },
    })
    expect(() => writer.enqueue(makeTestAuditRecord('m'))).not.toThrow()
    expect(await writer.drain(10_000)).toBe(true)
    expect(writer.stats().written).toBe(1)
  })
})
