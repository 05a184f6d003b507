// The CSRF rule itself: which requests need the token, and that a token is bound to its principal.
import t from '../helpers/cases.js'
import { randomBytes } from 'node:crypto'
import { CsrfTokens, isLoopbackHost } from '../../src/admin/csrf.js'

const csrf = new CsrfTokens(randomBytes(32))
const csrfProblem = csrf.problem.bind(csrf)
const csrfTokenFor = csrf.tokenFor.bind(csrf)

t.test('safe methods and bearer-token calls need no CSRF token', async t => {
  t.equal(csrfProblem('GET', { kind: 'loopback' }, undefined), null)
  t.equal(csrfProblem('HEAD', { kind: 'basic', user: 'ops' }, undefined), null)
  t.equal(csrfProblem('POST', { kind: 'token' }, undefined), null)
})

t.test('Basic and loopback principals need the token of their own principal', async t => {
  const ops = { kind: 'basic' as const, user: 'ops' }
  t.equal(csrfProblem('POST', ops, undefined), 'missing CSRF token')
  t.equal(csrfProblem('DELETE', { kind: 'loopback' }, ''), 'missing CSRF token')
  t.equal(csrfProblem('POST', ops, csrfTokenFor(ops)), null)
  t.equal(csrfProblem('POST', ops, csrfTokenFor({ kind: 'basic', user: 'other' })), 'invalid CSRF token')
  t.equal(csrfProblem('POST', ops, csrfTokenFor({ kind: 'loopback' })), 'invalid CSRF token')
  t.equal(csrfProblem('POST', ops, 'short'), 'invalid CSRF token')
  t.equal(csrfProblem('PUT', { kind: 'loopback' }, csrfTokenFor({ kind: 'loopback' })), null)
})

t.test('a token is bound to the secret: instances sharing it accept each other\'s, others refuse it', async t => {
  const secret = randomBytes(32)
  const a = new CsrfTokens(secret)
  const b = new CsrfTokens(Buffer.from(secret))
  const other = new CsrfTokens(randomBytes(32))
  const ops = { kind: 'basic' as const, user: 'ops' }
  t.equal(b.problem('POST', ops, a.tokenFor(ops)), null)
  t.equal(other.problem('POST', ops, a.tokenFor(ops)), 'invalid CSRF token')
})

t.test('loopback hosts', async t => {
  for (const h of ['127.0.0.1', '127.0.0.1:8080', 'localhost:8080', 'LOCALHOST', '[::1]:8080', '127.1.2.3']) t.ok(isLoopbackHost(h), h)
  for (const h of [undefined, '', 'evil.example', 'evil.example:8080', '127.0.0.1.evil.example', 'localhost.evil.example']) t.notOk(isLoopbackHost(h), String(h))
})
