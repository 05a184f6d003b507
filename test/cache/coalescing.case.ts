// Request coalescing: concurrent misses of one key make one origin request; uncacheable keys become hit-for-miss.
import t from '../helpers/cases.js'
import { Agent } from 'undici'
import { fetchAnswer, setupCache } from './fixtures/setup.js'

t.test('1,000 concurrent requests to a cold URL → exactly 1 origin request', async t => {
  let release: () => void = () => {}
  const gate = new Promise<void>(resolve => { release = resolve })
  let arrived = 0
  const c = await setupCache(t, {
    '/cold': (_req, res) => {
      arrived++
      gate.then(() => {
        res.setHeader('cache-control', 'max-age=60')
        res.setHeader('content-type', 'text/html')
        res.end('<p>cold page</p>'.repeat(200))
      }, () => {})
    }
  })
  const agent = new Agent({ connections: 1000 })
  t.after(() => agent.close())
  let answered = 0
  const all = Array.from({ length: 1000 }, () => fetchAnswer(c.sidecar.url + '/cold', {}, 'GET', agent).then(r => { answered++; return r }))
  // Let the leader reach the origin, then answer it; waiters that came later are hits anyway.
  while (arrived === 0) await new Promise(resolve => setImmediate(resolve))
  release()
  const results = await Promise.all(all)
  t.equal(answered, 1000)
  t.equal(c.hits('/cold'), 1, 'one origin request')
  t.ok(results.every(r => r.status === 200 && r.body.length === 3200), 'every client got the page')
  const metrics = await c.sidecar.app.sidecar.metrics.getSingleMetricAsString('sipup_cache_coalesced_waiters_total')
  t.match(metrics, /sipup_cache_coalesced_waiters_total \d+/)
})

t.test('an uncacheable response releases the waiters and is remembered as hit-for-miss', async t => {
  let release: () => void = () => {}
  const gate = new Promise<void>(resolve => { release = resolve })
  let arrived = 0
  const c = await setupCache(t, {
    '/private': (_req, res, n) => {
      arrived++
      const answer = (): void => { res.setHeader('cache-control', 'private'); res.end(`p${n}`) }
      if (n === 1) gate.then(answer, () => {})
      else answer()
    }
  })
  const first = c.get('/private')
  while (arrived === 0) await new Promise(resolve => setImmediate(resolve))
  const waiters = [c.get('/private'), c.get('/private')]
  release()
  await Promise.all([first, ...waiters])
  t.equal(c.hits('/private'), 3, 'waiters went to the origin themselves')
  // Now hit-for-miss: concurrent requests go straight to the origin, in parallel.
  await Promise.all([c.get('/private'), c.get('/private')])
  t.equal(c.hits('/private'), 5)
})
