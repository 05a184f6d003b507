import t from '../helpers/cases.js'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { request } from 'undici'
import { startLlhttpFloor, startUndiciFloor } from '../../bench/lib/proxy-floors.js'

const BODY = Buffer.alloc(4096, 'x')

function close (server: http.Server): Promise<void> {
  server.closeAllConnections()
  return new Promise(resolve => server.close(() => resolve()))
}

t.test('each floor passes the origin\'s page through, keep-alive, without the hop-by-hop headers', async t => {
  const origin = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html', 'content-length': BODY.length, 'x-path': req.url ?? '', 'keep-alive': 'timeout=5' })
    res.end(BODY)
  })
  await new Promise<void>(resolve => origin.listen(0, '127.0.0.1', resolve))
  t.after(() => close(origin))
  const upstream = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`
  for (const [name, start] of [['undici', startUndiciFloor], ['llhttp', startLlhttpFloor]] as const) {
    const floor = await start(0, upstream)
    const url = `http://127.0.0.1:${(floor.address() as AddressInfo).port}/fast?a=1`
    // Several in a row: the second and later reuse the floor's origin connection.
    for (let i = 0; i < 3; i++) {
      const res = await request(url)
      const body = Buffer.from(await res.body.arrayBuffer())
      t.equal(res.statusCode, 200, name)
      t.equal(res.headers['x-path'], '/fast?a=1', `${name}: the path reaches the origin`)
      t.equal(res.headers['content-length'], String(BODY.length), `${name}: fixed length`)
      t.equal(res.headers['transfer-encoding'], undefined, name)
      t.ok(body.equals(BODY), `${name}: the body`)
    }
    await close(floor)
  }
})
