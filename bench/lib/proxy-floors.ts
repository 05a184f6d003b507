// The floors of a Node pass-through, for bench/passthrough-cpu: how much CPU per request the building blocks cost on
// their own, without the sidecar. Both are node:http servers that forward GET /fast to the origin and copy its answer
// (hop-by-hop headers dropped); neither handles request bodies, errors, timeouts or chunked responses: yardsticks only.
// - `floor-undici`: an undici Pool (128 connections, as upstream.connections) and a minimal dispatch() handler with
//   the controller API, as the sidecar uses it.
// - `floor-llhttp`: keep-alive net.Sockets and Node's own llhttp binding (the HTTPParser node:http parses with,
//   reachable as node:_http_common) instead of undici: what an origin client of the sidecar's own could cost.
import http from 'node:http'
import net from 'node:net'
import { createRequire } from 'node:module'
import { Pool, type Dispatcher } from 'undici'

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding'])

class FloorHandler implements Dispatcher.DispatchHandler {
  readonly #res: http.ServerResponse
  constructor (res: http.ServerResponse) { this.#res = res }
  // Present so undici takes the controller API (it tells the two APIs apart by this method).
  onRequestStart (): void {}
  onResponseStart (_c: Dispatcher.DispatchController, status: number, headers: Record<string, string | string[] | undefined>): void {
    const out: Record<string, string | string[]> = {}
    for (const k in headers) {
      const v = headers[k]
      if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v
    }
    this.#res.writeHead(status, out)
  }

  onResponseData (c: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#res.write(chunk)) return
    c.pause()
    this.#res.once('drain', () => { c.resume() })
  }

  onResponseEnd (): void { this.#res.end() }
  onResponseError (_c: Dispatcher.DispatchController, err: Error): void { this.#res.destroy(err) }
}

function requestHeaders (req: http.IncomingMessage): string[] {
  const out: string[] = []
  for (const k in req.headers) {
    const v = req.headers[k]
    if (typeof v === 'string' && k !== 'connection') out.push(k, v)
  }
  return out
}

/** Listens on `port` (0: any free one) of 127.0.0.1; resolves with the listening server. */
export async function startUndiciFloor (port: number, upstream: string): Promise<http.Server> {
  const origin = new URL(upstream).origin
  const pool = new Pool(origin, { connections: 128 })
  const srv = http.createServer((req, res) => {
    pool.dispatch({ origin, path: req.url ?? '/', method: 'GET', headers: requestHeaders(req) }, new FloorHandler(res))
  })
  srv.once('close', () => { void pool.destroy() })
  await new Promise<void>(resolve => srv.listen(port, '127.0.0.1', resolve))
  return srv
}

interface LlhttpParser {
  initialize (type: number, resource: object): void
  execute (data: Buffer): unknown
  [slot: number]: unknown
}
interface LlhttpParserClass {
  new (): LlhttpParser
  RESPONSE: number
  kOnHeadersComplete: number
  kOnBody: number
  kOnMessageComplete: number
}

interface OriginSocket { socket: net.Socket, res: http.ServerResponse | null }

/** Listens on `port` (0: any free one) of 127.0.0.1; resolves with the listening server. */
export async function startLlhttpFloor (port: number, upstream: string): Promise<http.Server> {
  // Not in @types/node: an internal module node:http itself is built on.
  const { HTTPParser } = createRequire(import.meta.url)('node:_http_common') as { HTTPParser: LlhttpParserClass }
  const u = new URL(upstream)
  const idle: OriginSocket[] = []
  const connect = (): OriginSocket => {
    const socket = net.connect(Number(u.port), u.hostname)
    socket.setNoDelay(true)
    const conn: OriginSocket = { socket, res: null }
    const parser = new HTTPParser()
    parser.initialize(HTTPParser.RESPONSE, {})
    parser[HTTPParser.kOnHeadersComplete] = (_major: number, _minor: number, raw: string[], _m: unknown, _u: unknown, status: number) => {
      const out: string[] = []
      for (let i = 0; i < raw.length; i += 2) {
        const k = raw[i].toLowerCase()
        if (!HOP_BY_HOP.has(k)) out.push(k, raw[i + 1])
      }
      conn.res?.writeHead(status, out)
      return 0
    }
    parser[HTTPParser.kOnBody] = (chunk: Buffer) => { conn.res?.write(chunk) }
    parser[HTTPParser.kOnMessageComplete] = () => {
      const res = conn.res
      conn.res = null
      idle.push(conn)
      res?.end()
    }
    socket.on('data', (d: Buffer) => { parser.execute(d) })
    return conn
  }
  const srv = http.createServer((req, res) => {
    const conn = idle.pop() ?? connect()
    conn.res = res
    let head = `GET ${req.url ?? '/'} HTTP/1.1\r\n`
    const h = requestHeaders(req)
    for (let i = 0; i < h.length; i += 2) head += `${h[i]}: ${h[i + 1]}\r\n`
    conn.socket.write(head + '\r\n', 'latin1')
  })
  srv.once('close', () => { for (const c of idle) c.socket.destroy() })
  await new Promise<void>(resolve => srv.listen(port, '127.0.0.1', resolve))
  return srv
}
