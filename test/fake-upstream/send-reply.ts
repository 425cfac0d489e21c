import type { ServerResponse } from 'node:http'
import { type BodyReply, midpoint, type Reply, type StreamReply } from './fake-reply.ts'
import type { Scenario } from './scenario.ts'

/** What the writer needs from the server: the response, the scenario and the server's timers and hooks. */
export interface ReplyContext {
  res: ServerResponse
  scenario: Scenario | undefined
  /** Write a whole stream with one `end()` (benchmarks); otherwise each event is its own write. */
  coalesce: boolean
  /** Resolves after `ms` (`0`: next turn of the event loop); never resolves once the server is closing. */
  wait(ms: number): Promise<void>
  /** Called after each stream event was handed to the socket. */
  onFrame(index: number, total: number): void
}

/** Sends a reply, applying the in-answer misbehaviours of the scenario. */
export async function sendReply(ctx: ReplyContext, reply: Reply): Promise<void> {
  if (reply.kind === 'body') await sendBody(ctx, reply)
  else await sendStream(ctx, reply)
}

function destroyWithReset(res: ServerResponse): void {
  const socket = res.socket
  if (socket && typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy()
  else res.destroy()
}

/** Writes `bytes` in pieces of `every` bytes with `delayMs` between them; `onBytes` gets the running total. */
async function writeInPieces(
  ctx: ReplyContext,
  bytes: Buffer,
  every: number,
  delayMs: number,
  onBytes: (written: number) => void,
): Promise<boolean> {
  const size = Math.max(1, Math.floor(every))
  for (let offset = 0; offset < bytes.length; offset += size) {
    if (ctx.res.destroyed) return false
    const end = Math.min(bytes.length, offset + size)
    ctx.res.write(bytes.subarray(offset, end))
    onBytes(end)
    if (end < bytes.length) await ctx.wait(delayMs)
  }
  return !ctx.res.destroyed
}

async function sendBody(ctx: ReplyContext, reply: BodyReply): Promise<void> {
  const { res, scenario } = ctx
  let body = typeof reply.body === 'string' ? Buffer.from(reply.body) : reply.body
  const isJson = (reply.headers['content-type'] ?? '').includes('json')
  if (scenario?.name === 'bad-json' && isJson) body = body.subarray(0, Math.floor(body.length / 2))
  const half = body.subarray(0, Math.floor(body.length / 2))
  res.writeHead(reply.status, { ...reply.headers, 'content-length': String(body.length) })
  if (scenario?.name === 'split-bytes') {
    if (await writeInPieces(ctx, body, scenario.every ?? 1, scenario.delayMs ?? 0, () => {})) res.end()
  } else if (scenario?.name === 'stall-mid-stream') {
    res.write(half)
  } else if (scenario?.name === 'reset') {
    res.write(half, () => destroyWithReset(res))
  } else {
    res.end(body)
  }
}

async function sendStream(ctx: ReplyContext, reply: StreamReply): Promise<void> {
  const { res, scenario } = ctx
  const frames =
    scenario?.name === 'crlf' ? reply.frames.map((f) => f.replace(/\n/g, '\r\n')) : [...reply.frames]
  const cut = midpoint(frames.length)
  if (scenario?.name === 'error-mid-stream') frames.splice(cut, frames.length - cut, reply.errorFrame)
  if (scenario?.name === 'bad-json') frames.splice(cut, 0, reply.badFrame)
  const total = frames.length
  res.writeHead(200, reply.headers)
  const pieces =
    scenario?.name === 'split-bytes'
      ? { every: scenario.every ?? 1, delayMs: scenario.delayMs ?? 0 }
      : scenario?.name === 'crlf' && scenario.every !== undefined
        ? { every: scenario.every, delayMs: 0 }
        : null
  if (pieces) {
    const ends: number[] = []
    let sum = 0
    for (const frame of frames) ends.push((sum += Buffer.byteLength(frame)))
    let next = 0
    const bytes = Buffer.from(frames.join(''))
    const done = await writeInPieces(ctx, bytes, pieces.every, pieces.delayMs, (written) => {
      while (next < ends.length && ends[next] <= written) ctx.onFrame(next++, total)
    })
    if (done) res.end()
    return
  }
  if (scenario?.name === 'slow-first-event') {
    // Headers at once, as a provider does before its model produces the first token.
    res.flushHeaders()
    await ctx.wait(scenario.delayMs ?? 300)
    if (res.destroyed) return
    res.end(frames.join(''))
    for (let i = 0; i < total; i++) ctx.onFrame(i, total)
    return
  }
  if (scenario?.name === 'slow-events') {
    for (let i = 0; i < total; i++) {
      if (res.destroyed) return
      res.write(frames[i])
      ctx.onFrame(i, total)
      if (i + 1 < total) await ctx.wait(scenario.delayMs ?? 200)
    }
    res.end()
    return
  }
  if (scenario?.name === 'stall-mid-stream' || scenario?.name === 'reset') {
    const count = Math.min(total - 1, scenario.afterEvents ?? cut)
    const reset = scenario.name === 'reset' ? () => destroyWithReset(res) : undefined
    if (count <= 0) {
      res.flushHeaders()
      if (reset) setImmediate(reset)
      return
    }
    for (let i = 0; i < count; i++) {
      // The reset waits until the last event was handed to the kernel, so the client does receive it.
      if (i === count - 1 && reset) res.write(frames[i], reset)
      else res.write(frames[i])
      ctx.onFrame(i, total)
    }
    return
  }
  if (ctx.coalesce) {
    res.end(frames.join(''))
    for (let i = 0; i < total; i++) ctx.onFrame(i, total)
    return
  }
  for (let i = 0; i < total; i++) {
    res.write(frames[i])
    ctx.onFrame(i, total)
  }
  res.end()
}
