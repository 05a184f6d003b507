// JWT identity: a verified token's `sub` is the user; a forged, badly signed, expired or wrong-algorithm token
// makes the request anonymous (counted on its IP), never the user it names.
import t from '../helpers/cases.js'
import { SignJWT, exportSPKI, generateKeyPair } from 'jose'
import { from, setup } from './fixtures.js'

const SECRET = 'a-shared-secret-that-is-32-bytes-long!'
const key = new TextEncoder().encode(SECRET)

function hs (sub: string, k: Uint8Array = key, exp = '1h'): Promise<string> {
  return new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setIssuedAt().setExpirationTime(exp).sign(k)
}

const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` })

t.test('HS256: the verified sub is the user; forged and expired tokens are anonymous', async t => {
  const s = await setup(t, {
    ip: { enabled: false },
    rules: [],
    user: { limit: 1, window: '1h' },
    identity: { cookie: 'PHPSESSID', jwt: { enabled: true, secret: SECRET } }
  })
  const good = await hs('alice')
  t.equal((await s.send('/p', { headers: from('192.0.2.1', bearer(good)) })).status, 200)
  t.equal((await s.send('/p', { headers: from('192.0.2.2', bearer(good)) })).status, 429, 'alice again, from another IP')

  // Badly signed: the right sub, the wrong key. Counted on its own IP, not as alice (who is exhausted).
  const forged = await hs('alice', new TextEncoder().encode('not-the-secret-but-also-32-bytes-long'))
  t.equal((await s.send('/p', { headers: from('192.0.2.3', bearer(forged)) })).status, 200, 'forged token: not alice')
  t.equal((await s.send('/p', { headers: from('192.0.2.3', bearer(forged)) })).status, 429, 'anonymous: its IP counter is used up')

  // alg:none and a tampered payload with the original signature.
  const [h, , sig] = good.split('.')
  const payload = Buffer.from(JSON.stringify({ sub: 'bob' })).toString('base64url')
  t.equal((await s.send('/p', { headers: from('192.0.2.4', bearer(`${h}.${payload}.${sig}`)) })).status, 200, 'tampered payload: anonymous')
  const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload}.`
  t.equal((await s.send('/p', { headers: from('192.0.2.5', bearer(none)) })).status, 200, 'alg none: anonymous')
  t.equal((await s.send('/p', { headers: from('192.0.2.5', bearer(none)) })).status, 429, 'counted on the IP')

  const expired = await hs('carol', key, '-1m')
  t.equal((await s.send('/p', { headers: from('192.0.2.6', bearer(expired)) })).status, 200)
  t.equal((await s.send('/p', { headers: from('192.0.2.6', bearer(await hs('carol'))) })).status, 200, 'carol\'s bucket was not touched by the expired token')

  // A forged token next to a session cookie: anonymous, not the session's user.
  t.equal((await s.send('/p', { headers: from('192.0.2.7', { cookie: 'PHPSESSID=s1' }) })).status, 200)
  t.equal((await s.send('/p', { headers: from('192.0.2.8', { ...bearer(forged), cookie: 'PHPSESSID=s1' }) })).status, 200, 'not counted as session s1')
})

t.test('RS256 with a configured public key; an HS256 token signed with the public key text is rejected', async t => {
  const { publicKey, privateKey } = await generateKeyPair('RS256')
  const pem = await exportSPKI(publicKey)
  const s = await setup(t, {
    ip: { enabled: false },
    rules: [],
    user: { limit: 1, window: '1h' },
    identity: { cookie: '', jwt: { enabled: true, algorithms: ['RS256'], publicKey: pem, issuer: 'shop', audience: 'api' } }
  })
  const rs = (sub: string, iss = 'shop'): Promise<string> => new SignJWT({}).setProtectedHeader({ alg: 'RS256' })
    .setSubject(sub).setIssuer(iss).setAudience('api').setExpirationTime('1h').sign(privateKey)
  const good = await rs('dave')
  t.equal((await s.send('/p', { headers: from('192.0.2.10', bearer(good)) })).status, 200)
  t.equal((await s.send('/p', { headers: from('192.0.2.11', bearer(good)) })).status, 429, 'dave from another IP')
  t.equal((await s.send('/p', { headers: from('192.0.2.12', bearer(await rs('dave', 'evil'))) })).status, 200, 'wrong issuer: anonymous')
  // Algorithm confusion: HS256 keyed with the PEM text must not verify.
  const confused = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('dave').setIssuer('shop')
    .setAudience('api').setExpirationTime('1h').sign(new TextEncoder().encode(pem))
  t.equal((await s.send('/p', { headers: from('192.0.2.13', bearer(confused)) })).status, 200, 'HS256 with the public key: anonymous')
})
