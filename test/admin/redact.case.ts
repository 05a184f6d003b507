// Secrets are redacted by key name and inside URLs; everything else is left as it is.
import t from '../helpers/cases.js'
import { REDACTED, isSecretKey, redact, redactUrl } from '../../src/config/redact.js'
import { loadConfig } from '../../src/sidecar-config.js'

t.test('secret-looking keys', async t => {
  for (const k of ['token', 'adminToken', 'password', 'passwordHash', 'client_secret', 'apiKey', 'hmac_key', 'signingKey', 'jwtSecret', 'privateKey', 'credentials']) {
    t.ok(isSecretKey(k), k)
  }
  for (const k of ['keyPrefix', 'tokens', 'maxTokens', 'monkey', 'enabled', 'prefix', 'sessionCookie', 'url', 'key', 'cacheKey', 'publicKey']) {
    t.notOk(isSecretKey(k), k)
  }
})

t.test('passwords in URLs, user names kept', async t => {
  t.equal(redactUrl('mysql://shop:s3cret@db:3306/shop'), `mysql://shop:${REDACTED}@db:3306/shop`)
  t.equal(redactUrl('redis://:pw@127.0.0.1:6379/0'), `redis://:${REDACTED}@127.0.0.1:6379/0`)
  t.equal(redactUrl('mysql://root@127.0.0.1/test'), 'mysql://root@127.0.0.1/test')
  t.equal(redactUrl('https://example.com/x?token=abc&page=2'), `https://example.com/x?token=${REDACTED}&page=2`)
  t.equal(redactUrl('http://127.0.0.1:8081'), 'http://127.0.0.1:8081')
})

t.test('deep redaction keeps the shape and empty values', async t => {
  const input = {
    admin: { token: 'tok-123', users: [{ name: 'ops', passwordHash: 'scrypt$1$2$3$salt$hash' }] },
    redis: { url: 'redis://:pw@h:6379', keyPrefix: 'sipup:' },
    mysql: { url: '' },
    rateLimit: { identity: { jwt: { secret: 'hs256-secret', enabled: true } }, ip: { max: 100 } },
    cache: { key: { sortQuery: true } },
    empty: { token: '' }
  }
  const out = redact(input)
  t.same(out, {
    admin: { token: REDACTED, users: [{ name: 'ops', passwordHash: REDACTED }] },
    redis: { url: `redis://:${REDACTED}@h:6379`, keyPrefix: 'sipup:' },
    mysql: { url: '' },
    rateLimit: { identity: { jwt: { secret: REDACTED, enabled: true } }, ip: { max: 100 } },
    cache: { key: { sortQuery: true } },
    empty: { token: '' }
  })
  t.equal(input.admin.token, 'tok-123', 'the input is not modified')
  t.notMatch(JSON.stringify(out), /tok-123|s3cret|pw@|hs256-secret|scrypt\$/)
})

t.test('what a rule is keyed on (rateLimit.rules[].key: ip | user | field) is shown, not redacted', async t => {
  const { config } = loadConfig({ env: {}, overrides: { rateLimit: { rules: [
    { name: 'login', methods: ['POST'], path: '/login.php', limit: 10, window: '5m', key: 'ip' },
    { name: 'reset', methods: ['POST'], path: '/reset.php', limit: 3, window: '1h', key: 'field', field: 'email' }
  ] } } })
  const out = redact(config)
  t.same(out.rateLimit.rules.map(r => r.key), ['ip', 'field'])
  t.equal(redact({ jwt: { secret: 'x', publicKey: '-----BEGIN PUBLIC KEY-----' } }).jwt.secret, REDACTED, 'secrets still are')
})
