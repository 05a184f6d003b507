// Wires certificate expiry into a running sidecar: the metric, and a warning at start-up for a certificate that
// expires within server.tls.expiryWarning (a renewal that silently stopped shows before browsers refuse the site).
import type { FastifyInstance } from 'fastify'
import type { Registry } from 'prom-client'
import { tlsStateOf } from './secure-server.js'
import { certificateExpiry, describeExpiry, registerExpiryGauge } from './expiry.js'

export function watchCertificateExpiry (app: FastifyInstance, registry: Registry, warnMs: number): void {
  const state = tlsStateOf(app.server)
  if (state === null) return
  registerExpiryGauge(registry, () => state.material)
  for (const e of certificateExpiry(state.material, warnMs)) {
    if (e.soon) app.log.warn({ file: e.file, secondsLeft: e.secondsLeft }, `TLS certificate ${describeExpiry(e)}: renew it`)
  }
}
