// RFC 9111 §5.1: Age is delta-seconds (a non-negative integer); an invalid Age is ignored as if absent.
import t from '../helpers/cases.js'
import { page, setupCache } from './fixtures/setup.js'

t.test('an invalid Age is treated as absent: the response is stored and served with its own age', async t => {
  const invalid = ['7200.0', '-7200', '7200s', '7e3', '']
  const pages = Object.fromEntries(invalid.map((age, i) => [`/p${i}`, page({ 'cache-control': 'max-age=3600', age }, n => `p${i}-${n}`)]))
  const c = await setupCache(t, { ...pages, '/valid': page({ 'cache-control': 'max-age=3600', age: '7200' }, n => `v${n}`) })
  for (let i = 0; i < invalid.length; i++) {
    await c.get(`/p${i}`)
    const hit = await c.get(`/p${i}`)
    t.equal(hit.headers['x-cache'], 'HIT', `Age: '${invalid[i]}' is ignored`)
    t.equal(hit.body, `p${i}-1`)
    t.ok(Number(hit.headers.age) < 60, `served with the time it spent in the cache only (Age ${String(hit.headers.age)})`)
  }
  // A valid Age older than max-age still makes the response stale on arrival.
  await c.get('/valid')
  t.equal((await c.get('/valid')).headers['x-cache'], 'MISS')
  t.equal(c.hits('/valid'), 2)
})
