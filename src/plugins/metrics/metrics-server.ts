// The optional separate metrics port (`metrics.port`): a bare node:http server that answers GET /metrics and
// nothing else, so Prometheus can scrape without admin credentials from a private interface.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

const TEXT = { 'content-type': 'text/plain; charset=utf-8' }

export async function startMetricsServer (scrape: () => Promise<{ contentType: string, body: string }>, host: string, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0]
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, TEXT).end('Not found: only GET /metrics is served on this port\n')
      return
    }
    scrape().then(({ contentType, body }) => {
      res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' })
      res.end(req.method === 'HEAD' ? undefined : body)
    }, (err: Error) => {
      res.writeHead(500, TEXT).end(`metrics collection failed: ${err.message}\n`)
    })
  })
  server.keepAliveTimeout = 5000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  return server
}

export function serverPort (server: Server): number {
  return (server.address() as AddressInfo).port
}
