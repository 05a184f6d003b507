// The shared Cookie parser: every header occurrence, every pair, quoted values, PHP's view of names, globs.
import t from '../helpers/cases.js'
import { CookiePatterns, isCookieGlob, parseCookies, phpCookieName } from '../../src/core/cookies.js'

t.test('every pair of every occurrence, trimmed, quoted values unquoted, pairs without = skipped', async t => {
  const pairs = (h: Parameters<typeof parseCookies>[0]) => parseCookies(h).map(({ name, value }) => ({ name, value }))
  t.same(pairs('a=1; b="two";c=3 ;\td = 4'), [
    { name: 'a', value: '1' }, { name: 'b', value: 'two' }, { name: 'c', value: '3' }, { name: 'd', value: '4' }
  ])
  t.same(pairs(['a=1', 'b=2']), [{ name: 'a', value: '1' }, { name: 'b', value: '2' }])
  t.same(pairs('junk; =x; a=b=c; ;'), [{ name: 'a', value: 'b=c' }])
  t.same(parseCookies(undefined), [])
  t.same(parseCookies(''), [])
  t.same(pairs('a='), [{ name: 'a', value: '' }])
  t.equal(parseCookies('PHPSESS%49D=1')[0].php, 'PHPSESSID')
})

t.test('a name is matched as sent and as PHP registers it', async t => {
  t.equal(phpCookieName('PHPSESS%49D'), 'PHPSESSID')
  t.equal(phpCookieName('PHP.SESS ID'), 'PHP_SESS_ID')
  t.equal(phpCookieName('bad%zz'), 'bad%zz')
  const p = new CookiePatterns(['PHPSESSID'])
  t.ok(p.test('PHPSESSID'))
  t.ok(p.test('PHPSESS%49D'))
  t.notOk(p.test('x_PHPSESSID'))
  t.notOk(p.test('phpsessid'), 'names are case-sensitive')
})

t.test('the first NAME= substring is not the session: x_NAME=1; NAME=s has it', async t => {
  const p = new CookiePatterns(['PHPSESSID'])
  const pairs = parseCookies('x_PHPSESSID=1; PHPSESSID=alice')
  t.ok(p.anyPresent(pairs))
  t.equal(p.first(pairs), 'alice')
  t.notOk(p.anyPresent(parseCookies('PHPSESSID=; XPHPSESSID=1')), 'an empty value is no session')
  t.equal(p.first(parseCookies('PHPSESSID=a; PHPSESSID=b')), 'a;b', 'duplicates all join the identity')
})

t.test('globs and lists: the first pattern that matches a present cookie is the identity', async t => {
  t.ok(isCookieGlob('SESS*'))
  t.notOk(isCookieGlob('PHPSESSID'))
  const p = new CookiePatterns(['app_session', 'wordpress_logged_in_*'])
  t.equal(p.first(parseCookies('wordpress_logged_in_5f3a=bob; app_session=s1')), 's1')
  t.equal(p.first(parseCookies('wordpress_logged_in_5f3a=bob')), 'bob')
  t.equal(p.first(parseCookies('wordpress_logged_in=bob')), undefined)
  t.ok(new CookiePatterns(['SESS?']).test('SESSa'))
  t.notOk(new CookiePatterns(['SESS?']).test('SESSab'))
  t.ok(new CookiePatterns(['a.b*']).test('a.bc'), 'dots are literal in globs')
  t.notOk(new CookiePatterns(['a.b*']).test('aXbc'))
  t.same(new CookiePatterns(['c_*']).matching(parseCookies('c_b=2; x=1; c_a=1')), ['c_a=1', 'c_b=2'])
  t.ok(new CookiePatterns([]).empty)
})

t.test('withoutCookies leaves out the matching pairs and keeps the rest as sent', async t => {
  const { withoutCookies } = await import('../../src/core/cookies.js')
  t.equal(withoutCookies('a=1; PHPSESSID=x;b="2"; PHPSESS%49D=y', new CookiePatterns(['PHPSESSID'])), 'a=1; b="2"')
  t.equal(withoutCookies('PHPSESSID=x', new CookiePatterns(['PHPSESSID'])), '')
})

t.test('resendsOwnCookies: only the request\'s own session cookie, same value, not deleted', async t => {
  const { resendsOwnCookies } = await import('../../src/core/cookies.js')
  const session = new CookiePatterns(['PHPSESSID'])
  const req = parseCookies('PHPSESSID=abc; theme=dark')
  const now = Date.parse('2026-01-01T00:00:00Z')
  t.ok(resendsOwnCookies('PHPSESSID=abc; expires=Fri, 01 Jan 2027 00:00:00 GMT; Max-Age=31536000; path=/', req, session, now))
  t.ok(resendsOwnCookies(['PHPSESSID=abc; path=/'], req, session, now))
  t.notOk(resendsOwnCookies('PHPSESSID=xyz; path=/', req, session, now), 'another value')
  t.notOk(resendsOwnCookies('theme=dark; path=/', req, session, now), 'not the session cookie, even with its own value')
  t.notOk(resendsOwnCookies(['PHPSESSID=abc', 'cart=1'], req, session, now))
  t.notOk(resendsOwnCookies('PHPSESSID=abc; Max-Age=0', req, session, now), 'a deletion')
  t.notOk(resendsOwnCookies('PHPSESSID=abc; expires=Thu, 01-Jan-1970 00:00:01 GMT', req, session, now))
  t.notOk(resendsOwnCookies('PHPSESSID=abc', parseCookies('theme=dark'), session, now), 'the request had no session')
  t.notOk(resendsOwnCookies([], req, session, now))
})
