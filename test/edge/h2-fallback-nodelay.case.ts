// The HTTP/2 server's HTTP/1.1 fallback (ALPN) turns Nagle off like http and https do: node:http2 sets TCP_NODELAY
// only on h2 sessions, so without `noDelay` an HTTPS/1.1 client of an http2: true sidecar waited for delayed ACKs
// (bench/edge-hit: a bare http2 allowHTTP1 server without it served HTTPS/1.1 at a fraction of node:https's rate).
import fs from 'node:fs'
import t from '../helpers/cases.js'
import { loadConfig } from '../../src/sidecar-config.js'
import { sidecarServerFactory } from '../../src/core/http-server.js'
import { makeCert, opensslMissing, tmpDir } from './certs.js'

const skip = opensslMissing()
const dir = skip === false ? tmpDir() : ''
t.teardown(() => { if (dir !== '') fs.rmSync(dir, { recursive: true, force: true }) })

t.test('http2: true and false both disable Nagle on accepted connections', { skip }, async t => {
  const { cert, key } = makeCert(dir, 'nd', ['localhost'])
  for (const http2 of [true, false]) {
    const { config } = loadConfig({ env: {}, overrides: { server: { tls: { cert, key }, http2 }, upstream: { url: 'http://127.0.0.1:1' } } })
    const server = sidecarServerFactory(config.server)(() => undefined)
    t.equal((server as unknown as { noDelay?: boolean }).noDelay, true, `http2: ${String(http2)}`)
    server.close()
  }
})
