// RFC 9111 §4.2.4: a stale response may be served when the origin can't be reached, closes the connection or times
// out: within the response's stale-if-error, or within the configured grace (off by default). Cache-Status says why.
import t from '../helpers/cases.js'
import type http from 'node:http'
import { setupCache } from './fixtures/setup.js'

/** Stale on arrival (Age 2 > max-age 1) the first time; then the origin fails as `fail` says. */
const failing = (cc: string, fail: 'close' | 'hang') => (req: http.IncomingMessage, res: http.ServerResponse, n: number): void => {
  if (n === 1) { res.setHeader('cache-control', cc); res.setHeader('age', '2'); res.end('kept'); return }
  if (fail === 'close') req.socket.destroy()
}
const FAST_TIMEOUT = { upstream: { responseTimeout: '300ms' } }

t.test('stale-if-error: the stale page when the origin closes the connection or times out', async t => {
  const c = await setupCache(t, {
    '/close': failing('max-age=1, stale-if-error=600', 'close'),
    '/hang': failing('max-age=1, stale-if-error=600', 'hang')
  }, {}, FAST_TIMEOUT)
  for (const [p, why] of [['/close', 'origin-closed'], ['/hang', 'origin-timeout']]) {
    await c.get(p)
    const res = await c.get(p)
    t.equal(res.status, 200, p)
    t.equal(res.body, 'kept')
    t.equal(res.headers['x-cache'], 'STALE')
    t.equal(res.headers['cache-status'], `sipup; fwd=stale; detail=stale-if-error-${why}`)
  }
})

t.test('grace: the stale page when the origin fails, also for a request that asked for revalidation', async t => {
  const c = await setupCache(t, {
    '/close': failing('max-age=1', 'close'),
    '/hang': failing('max-age=1', 'hang')
  }, { grace: '1h' }, FAST_TIMEOUT)
  for (const [p, why] of [['/close', 'origin-closed'], ['/hang', 'origin-timeout']]) {
    await c.get(p)
    const res = await c.get(p, { 'cache-control': 'max-age=0' })
    t.equal(res.status, 200, p)
    t.equal(res.body, 'kept')
    t.equal(res.headers['cache-status'], `sipup; fwd=stale; detail=grace-${why}`)
    // Without a request directive, grace answers at once and refreshes in the background.
    const swr = await c.get(p)
    t.equal(swr.headers['cache-status'], 'sipup; hit; detail=stale-while-revalidate')
  }
})

t.test('off by default: without stale-if-error or grace the client gets the error', async t => {
  const c = await setupCache(t, {
    '/plain': failing('max-age=1', 'close'),
    '/hang': failing('max-age=1', 'hang'),
    '/strict': failing('max-age=1, s-maxage=1, stale-if-error=600', 'close')
  }, {}, FAST_TIMEOUT)
  for (const [p, status] of [['/plain', 502], ['/hang', 504], ['/strict', 502]] as const) {
    await c.get(p)
    const res = await c.get(p)
    t.equal(res.status, status, `${p}: ${status}`)
    t.equal(res.headers['x-cache'], undefined)
  }
})

t.test('must-revalidate forbids grace too', async t => {
  const c = await setupCache(t, { '/mr': failing('max-age=1, must-revalidate', 'close') }, { grace: '1h' })
  await c.get('/mr')
  t.equal((await c.get('/mr')).status, 502)
})
