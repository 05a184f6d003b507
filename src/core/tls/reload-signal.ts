// SIGHUP re-reads the certificates of a single-process sidecar. Under server.workers the primary handles SIGHUP
// with a rolling restart (src/cluster/primary.ts): each new worker reads the files at start-up, so certificates are
// renewed there too, one worker at a time, without refusing connections.
import cluster from 'node:cluster'
import type tls from 'node:tls'
import type { FastifyInstance } from 'fastify'
import { reloadCertificates, tlsStateOf } from './secure-server.js'

export function watchCertificateReload (app: FastifyInstance): void {
  if (cluster.isWorker || tlsStateOf(app.server) === null) return
  const onHup = (): void => {
    try {
      const m = reloadCertificates(app.server as unknown as tls.Server)
      if (m !== null) {
        app.log.info({ certificates: m.certificates.map(c => ({ file: c.file, notAfter: new Date(c.notAfter).toISOString() })) },
          'SIGHUP: TLS certificates reloaded')
      }
    } catch (err) {
      const e = err as Error & { code?: string }
      app.log.error({ code: e.code, err: { message: e.message } }, 'SIGHUP: TLS certificates not reloaded, the old ones stay in use')
    }
  }
  process.on('SIGHUP', onHup)
  app.server.once('close', () => { process.off('SIGHUP', onHup) })
}
