// Response headers the plugins add to a request's answer (the limiter's RateLimit fields, the cache's Cache-Status
// on a bypass) travel in the request state (`RequestState.setResponseHeader`), and every response writer puts them
// into the one header list it hands writeHead: the proxy's forward, the cache's hits, 304s and ranges, the problem
// and busy pages, the compressor, and (for answers sent through Fastify) the onSend hook below. Set on the raw
// response instead, they would make each of those writeHead calls merge header by header (Node's slow path, one
// setHeader per header: about 3.6 µs a response with an origin's usual headers).
// In every writer the response's own header of the same name wins, as it did when Node merged them.
import type { FastifyReply, FastifyRequest } from 'fastify'

/** Names are lower-case; a second value for a name replaces the first, as setHeader did. */
export function setResponseHeader (state: { responseHeaders: string[] | null }, name: string, value: string | number): void {
  const v = typeof value === 'string' ? value : String(value)
  const list = state.responseHeaders
  if (list === null) {
    state.responseHeaders = [name, v]
    return
  }
  for (let i = 0; i < list.length; i += 2) {
    if (list[i] === name) {
      list[i + 1] = v
      return
    }
  }
  list.push(name, v)
}

/** Adds `extra` (flat pairs) to a header object for writeHead, except the names it has. */
export function addResponseHeaders (out: Record<string, string | string[] | number>, extra: readonly string[] | null): void {
  if (extra === null) return
  for (let i = 0; i < extra.length; i += 2) {
    if (out[extra[i]] === undefined) out[extra[i]] = extra[i + 1]
  }
}

function hasName (flat: readonly string[], end: number, name: string): boolean {
  for (let i = 0; i < end; i += 2) if (flat[i] === name) return true
  return false
}

/** Appends `extra` to a flat header list it owns, except the names it has. */
export function appendResponseHeaders (flat: string[], extra: readonly string[] | null): void {
  if (extra === null) return
  const own = flat.length
  for (let i = 0; i < extra.length; i += 2) {
    if (!hasName(flat, own, extra[i])) flat.push(extra[i], extra[i + 1])
  }
}

/** A copy of a shared flat header list (a cache entry's) with `extra` appended, except the names in `names` (the
 * list's own); the list itself when there is nothing to add. */
export function withResponseHeaders (flat: string[], names: ReadonlySet<string>, extra: readonly string[] | null): string[] {
  if (extra === null) return flat
  const out = flat.slice()
  for (let i = 0; i < extra.length; i += 2) {
    if (!names.has(extra[i])) out.push(extra[i], extra[i + 1])
  }
  return out
}

/** onSend hook of the scopes whose answers may carry plugin headers (the proxy route, route groups): an answer sent
 * through Fastify (a rejection, an error, a plugin's own reply) gets them too. */
export function sendResponseHeaders (request: FastifyRequest, reply: FastifyReply, payload: unknown,
  done: (err: Error | null, payload?: unknown) => void): void {
  const extra = request.sidecar.responseHeaders
  if (extra !== null) {
    for (let i = 0; i < extra.length; i += 2) if (!reply.hasHeader(extra[i])) reply.header(extra[i], extra[i + 1])
  }
  done(null, payload)
}
