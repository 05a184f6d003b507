// What a shed request gets when no interceptor had a copy to serve: 503 with Retry-After, a small page that reloads
// itself for browsers, problem details for API clients. Rendered once at start-up: shedding happens exactly when
// the sidecar is busiest, so it must cost nothing but a write.
import { readFileSync } from 'node:fs'
import type { ServerResponse } from 'node:http'
import type { CoreConfig } from '../../config/core-schema.js'
import { SIPUP_ERR_UPSTREAM_OVERLOADED } from '../../errors.js'
import { PROBLEM_JSON, problem, renderProblem, wantsJson } from '../../core/problem.js'
import type { UpstreamShed } from '../../core/types.js'
import { addResponseHeaders } from '../../core/response-headers.js'

export type ShedReason = UpstreamShed['reason']
/** Why a request was shed, finer than the signal's reason (the access log's originGuard field, and the
 * sipup_origin_shed_cause_total counter): on arrival because its wait would pass its deadline (`wait`), because the
 * queue was at upstream.queue.size (`full`), pushed out of a full queue by a more important one (`evicted`), judged
 * again while queued and found unable to make it (`late`), or past its deadline (`timeout`). */
export type ShedCause = 'wait' | 'full' | 'evicted' | 'late' | 'timeout'
export const SHED_CODE = SIPUP_ERR_UPSTREAM_OVERLOADED.code

/** The two shed signals, made once (no stack per shed request), carrying the answer the proxy writes. */
export interface ShedSignals {
  readonly full: UpstreamShed
  readonly timeout: UpstreamShed
}

function escapeHtml (s: string): string {
  return s.replace(/[&<>"']/g, c => `&#${c.charCodeAt(0)};`)
}

export class BusyAnswer {
  readonly retryAfterS: number
  readonly #html: Buffer
  readonly #json: Buffer

  constructor (cfg: CoreConfig['upstream']['busy']) {
    const s = Math.max(1, Math.round(cfg.retryAfter / 1000))
    this.retryAfterS = s
    const p = problem(SIPUP_ERR_UPSTREAM_OVERLOADED, cfg.message, { title: cfg.title })
    this.#json = Buffer.from(renderProblem(p, true, { retryAfterS: s }).body)
    const html = cfg.file !== ''
      ? readFileSync(cfg.file, 'utf8').replaceAll('{{retryAfter}}', String(s))
      : '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
        `<meta http-equiv="refresh" content="${s}"><title>${escapeHtml(cfg.title)}</title>` +
        '<meta name="viewport" content="width=device-width,initial-scale=1"><style>body{font:16px/1.5 system-ui,' +
        'sans-serif;max-width:36em;margin:15vh auto;padding:0 1em;color:#222}h1{font-size:1.4em}small{color:#777}' +
        `</style></head><body><h1>${escapeHtml(cfg.title)}</h1><p>${escapeHtml(cfg.message)}</p>` +
        `<small>${SHED_CODE}</small></body></html>\n`
    this.#html = Buffer.from(html)
  }

  /** `close`: a request body is still unread, so the connection can't be reused. `extra`: the plugins' response
   * headers (`RequestState.responseHeaders`). */
  write (res: ServerResponse, accept: string | undefined, close: boolean, extra: readonly string[] | null): void {
    if (res.headersSent || res.destroyed) {
      res.destroy()
      return
    }
    const json = wantsJson(accept)
    const body = json ? this.#json : this.#html
    const headers: Record<string, string | number> = {
      'content-type': json ? PROBLEM_JSON : 'text/html; charset=utf-8',
      'content-length': body.length,
      'cache-control': 'no-store',
      'retry-after': this.retryAfterS
    }
    if (close) headers.connection = 'close'
    addResponseHeaders(headers, extra)
    res.writeHead(503, headers)
    res.end(body)
  }
}

class Shed extends SIPUP_ERR_UPSTREAM_OVERLOADED implements UpstreamShed {
  declare readonly code: typeof SHED_CODE
  readonly reason: ShedReason
  readonly retryAfterS: number
  readonly answer: BusyAnswer

  constructor (reason: ShedReason, answer: BusyAnswer) {
    super(reason)
    this.reason = reason
    this.retryAfterS = answer.retryAfterS
    this.answer = answer
  }
}

export function shedSignals (answer: BusyAnswer): ShedSignals {
  return { full: new Shed('queue-full', answer), timeout: new Shed('queue-timeout', answer) }
}

/** The proxy's answer for a shed signal, or null for any other error. */
export function busyAnswerOf (err: Error & { code?: string }): BusyAnswer | null {
  return err.code === SHED_CODE && err instanceof Shed ? err.answer : null
}
