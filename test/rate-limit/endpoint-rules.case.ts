// Endpoint rules: method + path glob, on top of the per-IP tier; the path is matched as the origin will see it.
import t from '../helpers/cases.js'
import { from, setup } from './fixtures.js'

const LOGIN = { name: 'login', methods: ['POST'], path: '/login.php', limit: 2, window: '5m', key: 'ip' }

t.test('POST /login.php has its own tighter limit; other methods and paths do not count against it', async t => {
  const s = await setup(t, { user: { enabled: false }, ip: { limit: 100, window: '1m' }, rules: [LOGIN] })
  const post = (ip: string, path = '/login.php'): ReturnType<typeof s.send> =>
    s.send(path, { method: 'POST', headers: from(ip, { 'content-type': 'application/x-www-form-urlencoded' }), body: 'username=a&password=b' })
  const first = await post('203.0.113.5')
  t.equal(first.status, 200)
  t.equal(first.headers['ratelimit-policy'], '"ip";q=100;w=60, "login";q=2;w=300')
  t.equal(first.headers.ratelimit, '"ip";r=99;t=1, "login";r=1;t=150')
  t.match(first.body, /username=a&password=b/, 'body forwarded')
  t.equal((await s.send('/login.php', { headers: from('203.0.113.5') })).status, 200, 'GET is not limited by the rule')
  t.equal((await post('203.0.113.5')).status, 200)
  const limited = await post('203.0.113.5')
  t.equal(limited.status, 429)
  t.equal(limited.headers['retry-after'], '150')
  t.equal((await post('203.0.113.6')).status, 200, 'per IP')
  t.equal((await s.send('/index.php', { method: 'POST', headers: from('203.0.113.5'), body: 'x' })).status, 200, 'another path')
})

t.test('encoded, doubled-slash and dot-segment spellings of the path hit the same rule', async t => {
  const s = await setup(t, { user: { enabled: false }, ip: { enabled: false }, rules: [{ ...LOGIN, limit: 1 }] })
  const post = (path: string): Promise<number> => s.send(path, { method: 'POST', headers: from('203.0.113.7'), body: 'x=1' }).then(r => r.status)
  t.equal(await post('/login.php?next=/'), 200)
  for (const p of ['/%6cogin.php', '//login.php', '/shop/../login.php', '/./login.php', '/login.php?a=b']) {
    t.equal(await post(p), 429, p)
  }
})

t.test('globs: * stays within a segment, ** crosses segments', async t => {
  const { compilePathGlob, originPath } = await import('../../src/core/origin-path.js')
  const compileGlob = (g: string): RegExp => compilePathGlob(g, 'segments', { caseInsensitive: true, pathInfo: true })
  t.ok(compileGlob('/api/*/orders').test('/api/v1/orders'))
  t.notOk(compileGlob('/api/*/orders').test('/api/v1/x/orders'))
  t.ok(compileGlob('/admin/**').test('/admin/a/b.php'))
  t.ok(compileGlob('/login.php**').test('/login.php/extra'), 'PATH_INFO variants with **')
  t.ok(compileGlob('/login.php').test('/login.php/extra'), 'PATH_INFO covered by default for a file')
  t.notOk(compileGlob('/admin').test('/admin/x'), 'no PATH_INFO for a directory-like path')
  t.notOk(compilePathGlob('/login.php', 'segments', { caseInsensitive: true, pathInfo: false }).test('/login.php/x'))
  t.notOk(compileGlob('/login.php').test('/login.phpx'))
  t.ok(compileGlob('/a.b').test('/a.b'))
  t.notOk(compileGlob('/a.b').test('/axb'), 'dots are literal')
  t.equal(originPath('/a/%2e%2e/login.php'), '/login.php')
  t.equal(originPath('/%E0%A4%A'), '/%E0%A4%A', 'undecodable bytes stay encoded')
  t.equal(originPath('/x/'), '/x/')
})

t.test('a rule keyed on a form field limits one account attacked from many IPs; the body reaches the origin unchanged', async t => {
  const s = await setup(t, {
    user: { enabled: false },
    ip: { enabled: false },
    rules: [{ name: 'login-user', methods: ['POST'], path: '/login.php', limit: 2, window: '5m', key: 'field', field: 'username' }]
  })
  const login = (ip: string, body: string, type = 'application/x-www-form-urlencoded'): ReturnType<typeof s.send> =>
    s.send('/login.php', { method: 'POST', headers: from(ip, { 'content-type': type }), body })
  const body = 'username=victim&password=guess1&remember=%E2%9C%93'
  const r = await login('10.1.0.1', body)
  t.equal(r.status, 200)
  t.equal(r.body, `POST /login.php ${body}`, 'bytes forwarded unchanged')
  t.equal((await login('10.1.0.2', 'username=Victim+&password=guess2')).status, 200, 'case and trailing spaces: same account')
  t.equal((await login('10.1.0.3', 'password=guess3&username=victim')).status, 429, 'third IP, same account: limited')
  t.equal((await login('10.1.0.3', 'username=someone&password=x')).status, 200, 'another account from that IP')
  // Without a readable field the rule keys on the IP, so it still counts.
  t.equal((await login('10.1.0.9', 'password=x')).status, 200)
  t.equal((await login('10.1.0.9', '{"username":"victim"}', 'application/json')).status, 200)
  t.equal((await login('10.1.0.9', 'password=y')).status, 429, 'no field: counted on the IP')
})

t.test('form bodies over the cap are not read and stream through', async t => {
  const s = await setup(t, {
    user: { enabled: false },
    ip: { enabled: false },
    maxFormBody: '1KB',
    rules: [{ name: 'login-user', methods: ['POST'], path: '/login.php', limit: 5, window: '5m', key: 'field', field: 'username' }]
  })
  const big = `username=victim&pad=${'x'.repeat(4000)}`
  const r = await s.send('/login.php', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: big })
  t.equal(r.status, 200)
  t.equal(r.body, `POST /login.php ${big}`)
})
