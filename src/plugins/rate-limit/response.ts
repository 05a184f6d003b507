// The answers the limiter gives itself: 429 (limited), 403 (banned, denied), 503 (store down, fail closed).
// JSON for API clients (RFC 9457 problem details, with the draft's quota-exceeded type and violated policies),
// a small HTML page for browsers: never a stack trace.
import type { FastifyReply } from 'fastify'
import { wantsJson } from '../../proxy/error-response.js'

interface Page { status: number, code: string, title: string, text: string, type: string }

const PAGES = {
  limited: {
    status: 429,
    code: 'SIPUP_ERR_RATELIMIT_LIMITED',
    title: 'Too many requests',
    text: 'You have sent too many requests. Please wait a moment and try again.',
    // draft-ietf-httpapi-ratelimit-headers-11 §5.1
    type: 'https://iana.org/assignments/http-problem-types#quota-exceeded'
  },
  banned: {
    status: 403,
    code: 'SIPUP_ERR_RATELIMIT_BANNED',
    title: 'Forbidden',
    text: 'Your address has been blocked for a while after repeatedly exceeding request limits.',
    type: 'https://iana.org/assignments/http-problem-types#abnormal-usage-detected'
  },
  denied: {
    status: 403,
    code: 'SIPUP_ERR_RATELIMIT_DENIED',
    title: 'Forbidden',
    text: 'Requests from your address are not accepted.',
    type: 'about:blank'
  },
  unavailable: {
    status: 503,
    code: 'SIPUP_ERR_RATELIMIT_UNAVAILABLE',
    title: 'Service unavailable',
    text: 'The site is busy. Please try again in a moment.',
    type: 'about:blank'
  }
} satisfies Record<string, Page>

export type Rejection = keyof typeof PAGES

function html (p: Page, retryS: number): string {
  const wait = retryS > 0 ? ` (about ${retryS} s)` : ''
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${p.status} ${p.title}</title>` +
    '<meta name="viewport" content="width=device-width,initial-scale=1"><style>body{font:16px/1.5 system-ui,sans-serif;' +
    'max-width:36em;margin:15vh auto;padding:0 1em;color:#222}h1{font-size:1.4em}small{color:#777}</style></head>' +
    `<body><h1>${p.status} ${p.title}</h1><p>${p.text}${wait}</p><small>${p.code}</small></body></html>\n`
}

/** Sends the rejection. `retryMs` > 0 adds Retry-After (whole seconds, rounded up). */
export function reject (reply: FastifyReply, kind: Rejection, retryMs: number, policies: readonly string[]): FastifyReply {
  const p: Page = PAGES[kind]
  const retryS = retryMs > 0 ? Math.max(1, Math.ceil(retryMs / 1000)) : 0
  reply.code(p.status).header('cache-control', 'no-store')
  if (retryS > 0) reply.header('retry-after', retryS)
  if (wantsJson(reply.request.headers.accept)) {
    const body: Record<string, unknown> = { type: p.type, title: p.title, status: p.status, detail: p.text, code: p.code }
    if (policies.length > 0) body['violated-policies'] = policies
    if (retryS > 0) body.retryAfter = retryS
    return reply.type('application/problem+json').send(JSON.stringify(body))
  }
  return reply.type('text/html; charset=utf-8').send(html(p, retryS))
}
