// The per-user tier keyed by each non-JWT extractor: a session cookie, a header, HTTP Basic credentials; requests
// with none fall back to their IP.
import t from '../helpers/cases.js'
import { from, setup } from './fixtures.js'

const USER_ONLY = { ip: { enabled: false }, rules: [] }

t.test('session cookie: one user is one counter whatever the IP; anonymous requests count per IP', async t => {
  const s = await setup(t, { ...USER_ONLY, user: { limit: 2, window: '1h' }, identity: { cookie: 'PHPSESSID' } })
  const alice = 'PHPSESSID=abc123; theme=dark'
  t.equal((await s.send('/p', { headers: from('198.51.100.1', { cookie: alice }) })).status, 200)
  const second = await s.send('/p', { headers: from('198.51.100.2', { cookie: alice }) })
  t.equal(second.status, 200)
  t.equal(second.headers.ratelimit, '"user";r=0;t=1800')
  t.equal((await s.send('/p', { headers: from('198.51.100.3', { cookie: alice }) })).status, 429, 'third request of the session, from a third IP')
  t.equal((await s.send('/p', { headers: from('198.51.100.1', { cookie: 'theme=dark; PHPSESSID=other' }) })).status, 200, 'another session')
  // Anonymous: the IP is the key, so two anonymous requests from one IP use its user counter.
  t.equal((await s.send('/p', { headers: from('198.51.100.9') })).status, 200)
  t.equal((await s.send('/p', { headers: from('198.51.100.9') })).status, 200)
  t.equal((await s.send('/p', { headers: from('198.51.100.9') })).status, 429)
  t.equal((await s.send('/p', { headers: from('198.51.100.8') })).status, 200, 'another anonymous IP')
})

t.test('header: X-Api-Key identifies the user', async t => {
  const s = await setup(t, { ...USER_ONLY, user: { limit: 1, window: '1h' }, identity: { cookie: '', header: 'X-Api-Key' } })
  t.equal((await s.send('/p', { headers: from('198.51.100.1', { 'x-api-key': 'k1' }) })).status, 200)
  t.equal((await s.send('/p', { headers: from('198.51.100.2', { 'x-api-key': 'k1' }) })).status, 429)
  t.equal((await s.send('/p', { headers: from('198.51.100.2', { 'x-api-key': 'k2' }) })).status, 200)
  t.equal((await s.send('/p', { headers: from('198.51.100.2', { cookie: 'PHPSESSID=x' }) })).status, 200, 'cookie not configured: anonymous, own IP counter')
})

t.test('HTTP Basic: the counter is per credential, so a wrong password cannot use up the user\'s quota', async t => {
  const s = await setup(t, { ...USER_ONLY, user: { limit: 1, window: '1h' }, identity: { cookie: '', basic: true } })
  const basic = (cred: string): string => `Basic ${Buffer.from(cred).toString('base64')}`
  t.equal((await s.send('/p', { headers: from('198.51.100.1', { authorization: basic('bob:secret') }) })).status, 200)
  t.equal((await s.send('/p', { headers: from('198.51.100.2', { authorization: basic('bob:secret') }) })).status, 429, 'same user from another IP')
  t.equal((await s.send('/p', { headers: from('198.51.100.3', { authorization: basic('bob:guess') }) })).status, 200, 'someone without the password has their own counter')
  t.equal((await s.send('/p', { headers: from('198.51.100.4', { authorization: 'Basic !!!' }) })).status, 200, 'garbage credentials: anonymous')
})

t.test('store keys never hold session ids or API keys in clear', async t => {
  const { hashId, cookieValue } = await import('../../src/plugins/rate-limit/identity.js')
  t.equal(cookieValue('a=1; PHPSESSID=xyz; b=2', 'PHPSESSID'), 'xyz')
  t.equal(cookieValue('XPHPSESSID=no; PHPSESSID=yes', 'PHPSESSID'), 'yes', 'a longer cookie name is not a match')
  t.equal(cookieValue('PHPSESSID=', 'PHPSESSID'), null)
  t.equal(cookieValue(undefined, 'PHPSESSID'), null)
  // The parser the cache uses too (src/core/cookies.ts): PHP's view of names, quotes, spaces around the name.
  t.equal(cookieValue('PHPSESS%49D=abc', 'PHPSESSID'), 'abc')
  t.equal(cookieValue('a=1; PHPSESSID ="abc"', 'PHPSESSID'), 'abc')
  t.not(hashId('xyz'), 'xyz')
  t.equal(hashId('xyz').length, 22)
})
