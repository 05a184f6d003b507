// Certificate expiry, one view for the metric, the start-up/reload warning and `doctor`: seconds left per
// certificate, and whether it is within server.tls.expiryWarning.
import { Gauge, type Registry } from 'prom-client'
import type { TlsMaterial } from './material.js'

export const EXPIRY_METRIC = 'sipup_tls_certificate_expiry_seconds'

export interface CertificateExpiry {
  file: string
  names: readonly string[]
  secondsLeft: number
  /** Within the warning window (server.tls.expiryWarning). */
  soon: boolean
}

export function certificateExpiry (material: TlsMaterial, warnMs: number, now = Date.now()): CertificateExpiry[] {
  return material.certificates.map(c => ({
    file: c.file,
    names: c.names,
    secondsLeft: Math.floor((c.notAfter - now) / 1000),
    soon: c.notAfter - now <= warnMs
  }))
}

/** A gauge read at scrape time from whatever material is current (so a SIGHUP reload shows at once). */
export function registerExpiryGauge (registry: Registry, current: () => TlsMaterial): void {
  new Gauge({ // eslint-disable-line no-new
    name: EXPIRY_METRIC,
    help: 'Seconds until each served TLS certificate expires (server.tls).',
    labelNames: ['file', 'name'],
    registers: [registry],
    collect () {
      this.reset()
      for (const e of certificateExpiry(current(), 0)) this.set({ file: e.file, name: e.names[0] ?? '' }, e.secondsLeft)
    }
  })
}

/** One human line per certificate: "… expires in 12 days (2026-12-14)". */
export function describeExpiry (e: CertificateExpiry): string {
  const days = Math.floor(e.secondsLeft / 86_400)
  const at = new Date(Date.now() + e.secondsLeft * 1000).toISOString().slice(0, 10)
  return `${e.file} (${e.names.join(', ')}) expires in ${days} day${days === 1 ? '' : 's'} (${at})`
}
