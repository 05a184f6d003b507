// Security headers on every admin response. The dashboard loads only its own files (no CDN, no inline script or
// style), so the CSP can forbid everything else; framing is refused (clickjacking on the purge buttons) and
// nothing admin-side is cached or leaks a Referer.
export const ADMIN_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'"
].join('; ')

export const ADMIN_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': ADMIN_CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()'
}
