// config/demo.yaml's lanes: logged-in visitors, logins and cache fills before anonymous browsing, bots and search
// last, even with a faked logged-in cookie; and a queue whose timeout keeps the shop's answers within a second.
import t from '../helpers/cases.js'
import { join } from 'node:path'
import { loadConfig } from '../../src/sidecar-config.js'
import { packageRoot } from '../../src/paths.js'
import { LaneRules } from '../../src/proxy/origin-guard/lanes.js'

const { config } = loadConfig({ env: {}, file: join(packageRoot, 'config', 'demo.yaml') })
const rules = new LaneRules(config.upstream.lanes)
const LOGGED_IN = 'PHPSESSID=abc; logged_in=1'
const lane = (method: string, url: string, headers: Record<string, string> = {}, cache: string | null = null): string =>
  ['high', 'normal', 'low'][rules.classify({ method, url, headers, field: name => name === 'cache' ? cache : null })]

t.test('logged-in visitors wait before anonymous ones', async t => {
  t.equal(lane('GET', '/product.php?id=1', { cookie: LOGGED_IN }, 'BYPASS'), 'high', 'a logged-in page the cache could not answer')
  t.equal(lane('GET', '/catalog.php?page=2', { cookie: 'PHPSESSID=abc' }, 'BYPASS'), 'normal', 'an anonymous visitor with a session')
  t.equal(lane('GET', '/dashboard.php', { cookie: LOGGED_IN }, 'MISS'), 'high')
  t.equal(lane('POST', '/login.php'), 'high')
})

t.test('cache fills first, bots and search last, a bot faking the cookie too', async t => {
  t.equal(lane('GET', '/product.php?id=1', {}, 'MISS'), 'high', 'one fill serves everyone after it')
  t.equal(lane('GET', '/product.php?id=1', { 'user-agent': 'Googlebot/2.1', cookie: LOGGED_IN }, 'MISS'), 'low')
  t.equal(lane('GET', '/search.php?q=x'), 'low')
  t.equal(lane('GET', '/search.php?q=x', { cookie: LOGGED_IN }), 'low', 'search is the expensive page, logged in or not')
})

t.test('the queue: 20 at the shop, a wait of at most 750 ms', async t => {
  t.equal(config.upstream.maxConcurrent, 20)
  t.equal(config.upstream.queue.timeout, 750)
  t.equal(config.upstream.queue.size, 200)
})
