// stale-while-revalidate (one background refresh) and stale-if-error (origin down or 5xx).
import t from '../helpers/cases.js'
import { fetchAnswer, page, setupCache } from './fixtures/setup.js'

t.test('stale-while-revalidate: the stale page is served at once and refreshed once in the background', async t => {
  let release: () => void = () => {}
  const gate = new Promise<void>(resolve => { release = resolve })
  let refreshed: () => void = () => {}
  const refreshDone = new Promise<void>(resolve => { refreshed = resolve })
  const c = await setupCache(t, {
    '/swr': (_req, res, n) => {
      res.setHeader('cache-control', 'max-age=1, stale-while-revalidate=600')
      if (n === 1) { res.setHeader('age', '2'); res.end('old'); return }
      // Hold the refresh until every stale request has been answered.
      gate.then(() => { res.setHeader('age', '0'); res.end('new'); refreshed() }, () => {})
    }
  })
  await c.get('/swr')
  const stale = await Promise.all([c.get('/swr'), c.get('/swr'), c.get('/swr')])
  for (const s of stale) {
    t.equal(s.body, 'old')
    t.equal(s.headers['x-cache'], 'STALE')
    t.equal(s.headers['cache-status'], 'sipup; hit; detail=stale-while-revalidate')
  }
  release()
  await refreshDone
  let fresh = await c.get('/swr')
  // The refresh's body may still be being stored when the origin's handler returns.
  for (let i = 0; i < 50 && fresh.body !== 'new'; i++) fresh = await c.get('/swr')
  t.equal(fresh.body, 'new')
  t.equal(fresh.headers['x-cache'], 'HIT')
  t.equal(c.hits('/swr'), 2, 'exactly one background refresh')
})

t.test('stale-if-error: origin stopped → the stale page, with Cache-Status saying so', async t => {
  const c = await setupCache(t, { '/sie': page({ 'cache-control': 'max-age=1, stale-if-error=600', age: '2' }, 'kept') })
  await c.get('/sie')
  await c.origin.close()
  const res = await c.get('/sie')
  t.equal(res.status, 200)
  t.equal(res.body, 'kept')
  t.equal(res.headers['x-cache'], 'STALE')
  t.match(res.headers['cache-status'], /^sipup; fwd=stale; detail=stale-if-error-/)
})

t.test('stale-if-error: origin answers 503 → the stale page', async t => {
  const c = await setupCache(t, {
    '/five': (_req, res, n) => {
      if (n > 1) { res.statusCode = 503; res.end('down'); return }
      res.setHeader('cache-control', 'max-age=1, stale-if-error=600')
      res.setHeader('age', '2')
      res.end('kept')
    }
  })
  await c.get('/five')
  const res = await c.get('/five')
  t.equal(res.body, 'kept')
  t.equal(res.headers['cache-status'], 'sipup; fwd=stale; fwd-status=503; detail=stale-if-error')
})

t.test('without stale-if-error (or with must-revalidate) the error goes to the client', async t => {
  const c = await setupCache(t, {
    '/mr': (_req, res, n) => {
      if (n > 1) { res.statusCode = 503; res.end('down'); return }
      res.setHeader('cache-control', 'max-age=1, must-revalidate, stale-if-error=600')
      res.setHeader('age', '2')
      res.setHeader('etag', '"1"')
      res.end('kept')
    }
  })
  await c.get('/mr')
  t.equal((await c.get('/mr')).status, 503)
})

t.test('rule grace serves stale when the origin is down', async t => {
  const c = await setupCache(t, { '/g.php': page({ 'cache-control': 'no-store' }, 'graced') },
    { rules: [{ path: '/g.php', ttl: '1ms', override: true, grace: '1h' }] })
  await c.get('/g.php')
  await c.origin.close()
  const res = await fetchAnswer(c.sidecar.url + '/g.php')
  t.equal(res.body, 'graced')
  t.equal(res.headers['x-cache'], 'STALE')
})
