// The shop's static files, served the way nginx serves them next to php-fpm: cacheable, with validators.
import { createHash } from 'node:crypto'

export interface StaticAsset {
  body: Buffer
  contentType: string
  etag: string
  lastModified: string
}

const CSS = `body{font-family:system-ui,sans-serif;margin:0;color:#222;background:#f6f6f3}
header{background:#2d4a3e;color:#fff;padding:.6em 1.2em;display:flex;align-items:center;gap:1em}
header a{color:#fff;text-decoration:none}header nav{margin-left:auto;display:flex;gap:1em}
main{max-width:960px;margin:1em auto;padding:0 1em}
table{border-collapse:collapse;width:100%;background:#fff}td,th{border-bottom:1px solid #ddd;padding:.4em;text-align:left}
.price{text-align:right;font-variant-numeric:tabular-nums}.error{color:#a00}.muted{color:#777}
form.login{background:#fff;padding:1em;max-width:320px}form.login input{display:block;margin:.3em 0 .8em;width:100%}
footer{max-width:960px;margin:2em auto;color:#777;font-size:.85em;padding:0 1em}
`
const JS = `document.addEventListener('DOMContentLoaded', function () {
  var el = document.querySelector('[data-year]'); if (el) el.textContent = String(new Date().getFullYear())
})
`
const LOGO = `<svg xmlns="http://www.w3.org/2000/svg" width="120" height="28" viewBox="0 0 120 28">
<rect width="28" height="28" rx="4" fill="#e0b84c"/><text x="36" y="20" font-family="sans-serif" font-size="16"
fill="#fff">Legacy Shop</text></svg>
`
// Fixed, so validators stay the same across restarts, as a file's mtime would.
const LAST_MODIFIED = new Date(Date.UTC(2019, 2, 14, 9, 30, 0)).toUTCString()

function asset (body: string, contentType: string): StaticAsset {
  const buf = Buffer.from(body)
  const etag = `"${createHash('sha1').update(buf).digest('hex').slice(0, 16)}"`
  return { body: buf, contentType, etag, lastModified: LAST_MODIFIED }
}

export const STATIC_ASSETS: ReadonlyMap<string, StaticAsset> = new Map([
  ['/static/app.css', asset(CSS, 'text/css; charset=utf-8')],
  ['/static/app.js', asset(JS, 'application/javascript; charset=utf-8')],
  ['/static/logo.svg', asset(LOGO, 'image/svg+xml')]
])

export const STATIC_CACHE_CONTROL = 'public, max-age=86400'

/** RFC 9110 §13.1.2/§13.1.3: If-None-Match wins over If-Modified-Since. */
export function isNotModified (a: StaticAsset, ifNoneMatch: string | undefined, ifModifiedSince: string | undefined): boolean {
  if (ifNoneMatch !== undefined) {
    return ifNoneMatch.trim() === '*' || ifNoneMatch.split(',').some(t => t.trim().replace(/^W\//, '') === a.etag)
  }
  if (ifModifiedSince !== undefined) {
    const since = Date.parse(ifModifiedSince)
    return !Number.isNaN(since) && Date.parse(a.lastModified) <= since
  }
  return false
}
