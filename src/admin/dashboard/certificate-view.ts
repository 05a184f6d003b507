// The dashboard's certificate lines: one health light per certificate server.tls serves, with the days left.
// Green while it is valid beyond server.tls.expiryWarning, amber within it (a renewal that silently stopped shows
// here, in the log and in `doctor` before browsers refuse the site), red once expired. Pure, so the colour rules are
// unit-tested without a server; the expiry figures come from src/core/tls/expiry.ts (the metric's and doctor's).
import type { CertificateExpiry } from '../../core/tls/expiry.js'
import type { HealthLight } from './health-view.js'

export interface CertificateView {
  file: string
  names: readonly string[]
  /** Whole days left (negative once expired). */
  daysLeft: number
  /** ISO date of notAfter. */
  expires: string
  state: 'ok' | 'warning' | 'expired'
}

const DAY_S = 86_400

export function certificateViews (expiries: readonly CertificateExpiry[], now = Date.now()): CertificateView[] {
  return expiries.map(e => ({
    file: e.file,
    names: e.names,
    daysLeft: Math.floor(e.secondsLeft / DAY_S),
    expires: new Date(now + e.secondsLeft * 1000).toISOString().slice(0, 10),
    state: e.secondsLeft <= 0 ? 'expired' : e.soon ? 'warning' : 'ok'
  }))
}

function daysText (days: number): string {
  return `${days} day${days === 1 ? '' : 's'}`
}

export function certificateLights (views: readonly CertificateView[]): HealthLight[] {
  return views.map(v => {
    const who = v.names.length === 0 ? v.file : v.names.join(', ')
    const base = { name: `tls:${v.file}`, title: `TLS ${v.names[0] ?? 'certificate'}` }
    if (v.state === 'expired') return { ...base, light: 'red', reason: `${who}: expired on ${v.expires} (${v.file}); renew it` }
    const left = `${who}: ${daysText(v.daysLeft)} left (expires ${v.expires})`
    return v.state === 'warning'
      ? { ...base, light: 'amber', reason: `${left}, within server.tls.expiryWarning: renew it (${v.file})` }
      : { ...base, light: 'green', reason: left }
  })
}
