// Cookie globs in the limiter: `identity.cookie` takes a glob or a list (the first pattern that matches a cookie
// is the identity), rules take `cookies: {present, absent}`, and a glob where only a name works is a config error.
import t from '../helpers/cases.js'
import { loadConfig } from '../../src/sidecar-config.js'
import { from, setup } from './fixtures.js'

const USER_ONLY = { ip: { enabled: false }, rules: [] }

t.test('identity.cookie glob: a per-site hashed login cookie identifies the user', async t => {
  const s = await setup(t, { ...USER_ONLY, user: { limit: 1, window: '1h' }, identity: { cookie: ['app_session', 'wordpress_logged_in_*'] } })
  const bob = { cookie: 'wordpress_test_cookie=1; wordpress_logged_in_5f3a9c=bob%7C1700000000%7Chash' }
  t.equal((await s.send('/p', { headers: from('198.51.100.1', bob) })).status, 200)
  t.equal((await s.send('/p', { headers: from('198.51.100.2', bob) })).status, 429, 'same user from another IP')
  t.equal((await s.send('/p', { headers: from('198.51.100.2', { cookie: 'wordpress_logged_in_5f3a9c=carol' }) })).status, 200)
  t.equal((await s.send('/p', { headers: from('198.51.100.3', { cookie: 'app_session=s1; wordpress_logged_in_5f3a9c=bob%7C1700000000%7Chash' }) })).status, 200,
    'the first pattern wins: app_session is the identity, not bob')
})

t.test('a rule with a cookie condition applies only to requests that satisfy it', async t => {
  const s = await setup(t, {
    ip: { enabled: false },
    user: { enabled: false },
    rules: [{ name: 'anon-search', path: '/search.php', limit: 1, window: '1h', cookies: { absent: ['wordpress_logged_in_*'] } }]
  })
  t.equal((await s.send('/search.php', { headers: from('198.51.100.1') })).status, 200)
  t.equal((await s.send('/search.php', { headers: from('198.51.100.1') })).status, 429)
  t.equal((await s.send('/search.php', { headers: from('198.51.100.1', { cookie: 'wordpress_logged_in_5f=bob' }) })).status, 200,
    'logged-in visitors are not under the anonymous rule')
})

t.test('a glob in identity.jwt.cookie (exact names only) is a config error naming the key', async t => {
  t.throws(() => loadConfig({ env: {}, overrides: { rateLimit: { identity: { jwt: { cookie: 'token_*' } } } } }),
    { code: 'SIPUP_ERR_CONFIG_INVALID', message: /rateLimit\.identity\.jwt\.cookie/ })
})
