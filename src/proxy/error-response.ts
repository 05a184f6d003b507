// What the client sees when the origin fails: a small page or JSON, naming no internals (no host, port, stack).
import type { ServerResponse } from 'node:http'

const TITLES: Record<number, string> = {
  413: 'Request too large',
  502: 'Bad gateway',
  503: 'Service unavailable',
  504: 'Gateway timeout'
}

const TEXTS: Record<number, string> = {
  413: 'The request body is larger than this site accepts.',
  502: 'The site could not be reached. Please try again in a moment.',
  503: 'The site is busy or restarting. Please try again in a moment.',
  504: 'The site took too long to answer. Please try again in a moment.'
}

/** True when the client prefers JSON (an API client), so errors come as JSON rather than HTML. */
export function wantsJson (accept: string | undefined): boolean {
  if (accept === undefined) return false
  const j = accept.indexOf('application/json')
  if (j === -1) return accept.includes('+json')
  const h = accept.indexOf('text/html')
  return h === -1 || j < h
}

export function renderError (status: number, code: string, json: boolean): { body: string, type: string } {
  const title = TITLES[status] ?? 'Error'
  const text = TEXTS[status] ?? 'The request could not be completed.'
  if (json) {
    return { body: JSON.stringify({ statusCode: status, error: title, code, message: text }), type: 'application/json; charset=utf-8' }
  }
  const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${status} ${title}</title>` +
    '<meta name="viewport" content="width=device-width,initial-scale=1"><style>body{font:16px/1.5 system-ui,sans-serif;' +
    'max-width:36em;margin:15vh auto;padding:0 1em;color:#222}h1{font-size:1.4em}small{color:#777}</style></head>' +
    `<body><h1>${status} ${title}</h1><p>${text}</p><small>${code}</small></body></html>\n`
  return { body, type: 'text/html; charset=utf-8' }
}

export function sendError (res: ServerResponse, status: number, code: string, accept: string | undefined): void {
  if (res.headersSent || res.destroyed) {
    res.destroy()
    return
  }
  const { body, type } = renderError(status, code, wantsJson(accept))
  res.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store'
  })
  res.end(body)
}
