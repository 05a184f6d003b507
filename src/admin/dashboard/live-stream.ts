// Server-sent events for the dashboard's charts: one shared 1 s timer for every open dashboard, each stream gets
// the rows it has not seen yet (so a slow client catches up instead of piling up writes). Streams are ended in
// preClose, otherwise server.close() would wait for them forever. The rows are the whole node's (under
// `server.workers` one question to the primary per tick, however many dashboards are open on this worker).
import type { ServerResponse } from 'node:http'
import type { FastifyReply } from 'fastify'
import { SERIES_COLUMNS, type SeriesSnapshot } from '../../plugins/metrics/time-series.js'
import { ADMIN_SECURITY_HEADERS } from '../security-headers.js'

/** A stream whose socket buffer holds more than this is dropped: the client is not reading. */
const MAX_BUFFERED = 1024 * 1024

class Stream {
  constructor (readonly res: ServerResponse, public lastT: number) {}
}

/** Where the rows come from: `NodeLive` (src/plugins/metrics/node-live.ts). */
export interface SeriesSource {
  series(sinceSec?: number): Promise<SeriesSnapshot>
}

/** The rows of `rows` after `t` (rows are in time order). */
function after (rows: SeriesSnapshot, t: number): SeriesSnapshot {
  let i = 0
  while (i < rows.t.length && rows.t[i] <= t) i++
  if (i === 0) return rows
  const out = {} as SeriesSnapshot
  for (const c of SERIES_COLUMNS) out[c] = rows[c].slice(i)
  return out
}

export class LiveHub {
  readonly #series: SeriesSource
  readonly #max: number
  readonly #intervalMs: number
  readonly #streams = new Set<Stream>()
  #timer: NodeJS.Timeout | null = null
  /** A tick's question is still out: the next tick is skipped rather than piled up. */
  #busy = false

  constructor (series: SeriesSource, max: number, intervalMs = 1000) {
    this.#series = series
    this.#max = max
    this.#intervalMs = intervalMs
  }

  get size (): number {
    return this.#streams.size
  }

  get full (): boolean {
    return this.#streams.size >= this.#max
  }

  /** Takes over the reply: sends the history after `since` (epoch s) at once, then one `tick` event per second. */
  open (reply: FastifyReply, since: number): void {
    reply.hijack()
    const res = reply.raw
    res.writeHead(200, {
      ...ADMIN_SECURITY_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      // nginx in front of the sidecar would otherwise buffer the stream.
      'x-accel-buffering': 'no'
    })
    const stream = new Stream(res, since)
    this.#streams.add(stream)
    res.on('close', () => { this.#remove(stream) })
    res.write(`retry: 2000\n\n`)
    this.#series.series(since).then(rows => { this.#send(stream, 'series', rows) }, () => {})
    this.#timer ??= setInterval(() => { this.#tick() }, this.#intervalMs)
  }

  closeAll (): void {
    for (const s of this.#streams) s.res.end()
    this.#streams.clear()
    this.#stop()
  }

  #tick (): void {
    if (this.#busy) return
    let since = Infinity
    for (const s of this.#streams) {
      if (s.res.writableLength > MAX_BUFFERED) {
        s.res.destroy()
        continue
      }
      if (s.lastT < since) since = s.lastT
    }
    if (since === Infinity) return
    this.#busy = true
    this.#series.series(since).then(rows => {
      this.#busy = false
      for (const s of this.#streams) if (!s.res.writableNeedDrain) this.#send(s, 'tick', rows)
    }, () => { this.#busy = false })
  }

  #send (s: Stream, event: string, all: SeriesSnapshot): void {
    if (s.res.writableEnded || s.res.destroyed) return
    const rows = after(all, s.lastT)
    if (rows.t.length === 0) return
    s.lastT = rows.t[rows.t.length - 1]
    s.res.write(`event: ${event}\ndata: ${JSON.stringify(rows)}\n\n`)
  }

  #remove (s: Stream): void {
    this.#streams.delete(s)
    if (this.#streams.size === 0) this.#stop()
  }

  #stop (): void {
    if (this.#timer !== null) clearInterval(this.#timer)
    this.#timer = null
  }
}
