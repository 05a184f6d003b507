// The one error answer every part of the sidecar sends (proxy, rate limits, admin, plugin route groups): RFC 9457
// problem details for API clients, a small HTML page for browsers. Both name the error's stable code and never an
// internal (no host, port, errno or stack): 5xx answers carry a fixed text, 4xx answers say what was wrong.
import { STATUS_CODES, type ServerResponse } from 'node:http'
import type { FastifyReply } from 'fastify'
import {
  SIPUP_ERR_INTERNAL, SIPUP_ERR_REQUEST_BODY_TOO_LARGE, SIPUP_ERR_REQUEST_INVALID, SIPUP_ERR_REQUEST_MEDIA_TYPE
} from '../errors.js'
import { addResponseHeaders } from './response-headers.js'

export const PROBLEM_JSON = 'application/problem+json'

export interface Problem {
  readonly status: number
  readonly code: string
  /** Short summary of the problem type; the status's reason phrase unless given (RFC 9457 §3.1.4). */
  readonly title: string
  /** Plain words for the person or program that sent the request. */
  readonly detail: string
  /** A URI naming the problem type; `about:blank` when the status says it all. */
  readonly type: string
}

export interface ProblemOptions {
  title?: string
  type?: string
}

/** What a coded error class carries statically (src/errors.ts). */
export interface CodedErrorClass {
  readonly code: string
  readonly statusCode: number
}

export function problem (error: CodedErrorClass, detail: string, opts: ProblemOptions = {}): Problem {
  const status = error.statusCode
  return { status, code: error.code, title: opts.title ?? STATUS_CODES[status] ?? 'Error', detail, type: opts.type ?? 'about:blank' }
}

const SERVER_ERROR_DETAIL = 'The request could not be completed. Please try again in a moment.'

/** Fastify's own client errors under our codes, so a client only ever sees codes from src/errors.ts. */
function foreignCode (code: string | undefined, status: number): string {
  if (status >= 500) return SIPUP_ERR_INTERNAL.code
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') return SIPUP_ERR_REQUEST_BODY_TOO_LARGE.code
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return SIPUP_ERR_REQUEST_MEDIA_TYPE.code
  return SIPUP_ERR_REQUEST_INVALID.code
}

/** A thrown error as the client may see it: client errors keep their message, server errors say nothing inside. */
export function problemFromError (err: Error & { code?: string, statusCode?: number }): Problem {
  const status = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500
  const own = typeof err.code === 'string' && err.code.startsWith('SIPUP_ERR_')
  return {
    status,
    code: own ? err.code as string : foreignCode(err.code, status),
    title: STATUS_CODES[status] ?? 'Error',
    detail: status >= 500 ? SERVER_ERROR_DETAIL : err.message,
    type: 'about:blank'
  }
}

/** True when the client prefers JSON (an API client) over HTML. */
export function wantsJson (accept: string | undefined): boolean {
  if (accept === undefined) return false
  const j = accept.indexOf('application/json')
  if (j === -1) return accept.includes('+json')
  const h = accept.indexOf('text/html')
  return h === -1 || j < h
}

function escapeHtml (s: string): string {
  return s.replace(/[&<>"']/g, c => `&#${c.charCodeAt(0)};`)
}

export interface RenderOptions {
  /** Extension members of the problem object (RFC 9457 §3.2), e.g. `violated-policies`. */
  extra?: Readonly<Record<string, unknown>>
  /** Seconds the client should wait; shown on the page and in the JSON. */
  retryAfterS?: number
}

export function renderProblem (p: Problem, json: boolean, opts: RenderOptions = {}): { body: string, type: string } {
  const retry = opts.retryAfterS !== undefined && opts.retryAfterS > 0 ? opts.retryAfterS : 0
  if (json) {
    const body: Record<string, unknown> = { type: p.type, title: p.title, status: p.status, detail: p.detail, code: p.code }
    if (opts.extra !== undefined) Object.assign(body, opts.extra)
    if (retry > 0) body.retryAfter = retry
    return { body: JSON.stringify(body), type: PROBLEM_JSON }
  }
  const wait = retry > 0 ? ` (about ${retry} s)` : ''
  const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${p.status} ${escapeHtml(p.title)}</title>` +
    '<meta name="viewport" content="width=device-width,initial-scale=1"><style>body{font:16px/1.5 system-ui,sans-serif;' +
    'max-width:36em;margin:15vh auto;padding:0 1em;color:#222}h1{font-size:1.4em}small{color:#777}</style></head>' +
    `<body><h1>${p.status} ${escapeHtml(p.title)}</h1><p>${escapeHtml(p.detail)}${wait}</p><small>${p.code}</small></body></html>\n`
  return { body, type: 'text/html; charset=utf-8' }
}

export interface WriteOptions extends RenderOptions {
  /** Close the connection after the answer (a request body is left unread). */
  close?: boolean
  /** The plugins' response headers for this request (`RequestState.responseHeaders`). */
  headers?: readonly string[] | null
}

/** For code that writes to the raw response (the proxy path, after a hijack). */
export function writeProblem (res: ServerResponse, p: Problem, accept: string | undefined, opts: WriteOptions = {}): void {
  if (res.headersSent || res.destroyed) {
    res.destroy()
    return
  }
  const { body, type } = renderProblem(p, wantsJson(accept), opts)
  const headers: Record<string, string | number> = {
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store'
  }
  if (opts.retryAfterS !== undefined && opts.retryAfterS > 0) headers['retry-after'] = opts.retryAfterS
  if (opts.close === true) headers.connection = 'close'
  addResponseHeaders(headers, opts.headers ?? null)
  res.writeHead(p.status, headers)
  res.end(body)
}

export interface SendOptions extends RenderOptions {
  /** Always JSON (an API that browsers never navigate to, e.g. the admin API), whatever Accept says. */
  json?: boolean
}

/** For Fastify routes and hooks. */
export function sendProblem (reply: FastifyReply, p: Problem, opts: SendOptions = {}): FastifyReply {
  const { body, type } = renderProblem(p, opts.json ?? wantsJson(reply.request.headers.accept), opts)
  reply.code(p.status).header('cache-control', 'no-store').type(type)
  if (opts.retryAfterS !== undefined && opts.retryAfterS > 0) reply.header('retry-after', opts.retryAfterS)
  return reply.send(body)
}
