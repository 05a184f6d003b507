// server.redirectHttp under `server.workers: 2`: every worker binds the plain-HTTP port too, shared through
// node:cluster like the TLS port (the primary holds the socket, the workers accept from it), so the node answers
// 308 and ACME tokens with no EADDRINUSE, and keeps answering through a SIGHUP rolling restart (a worker counts as
// listening once it bound both ports) and while a killed worker is replaced.
import type { Test } from 'tap'
import t from '../helpers/cases.js'
import { request as httpRequest, type ClientRequest } from 'node:http'
import https from 'node:https'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startOrigin } from '../helpers/sidecar.js'
import { childPids, freePort, spawnNode, until, type Node } from '../helpers/cluster-node.js'
import { makeCert, opensslMissing } from '../edge/certs.js'

const skip = opensslMissing()

interface Answer { status: number, headers: Record<string, string | string[] | undefined>, body: string }

/** The answer to a request already sent: status, headers and the whole body. */
function answer (req: ClientRequest): Promise<Answer> {
  return new Promise((resolve, reject) => {
    req.on('response', res => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => { body += c })
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, headers: res.headers, body }) })
    })
    req.setTimeout(5000, () => { req.destroy(new Error('timeout')) })
    req.on('error', reject)
  })
}

/** One plain-HTTP request on a fresh connection. */
function get (port: number, path: string): Promise<Answer> {
  const req = httpRequest({ host: '127.0.0.1', port, path, agent: false, headers: { host: `localhost:${port}`, connection: 'close' } })
  req.end()
  return answer(req)
}

function getHttps (url: string): Promise<Answer> {
  return answer(https.get(url, { rejectUnauthorized: false, agent: false }))
}

interface RedirectNode extends Node { redirectPort: number }

async function startNode (t: Test, upstream: string): Promise<RedirectNode> {
  const [port, redirectPort] = [await freePort(), await freePort()]
  const dir = t.testdir({})
  const { cert, key } = makeCert(dir, 'node', ['localhost'])
  const acme = join(dir, 'webroot')
  mkdirSync(join(acme, '.well-known', 'acme-challenge'), { recursive: true })
  writeFileSync(join(acme, '.well-known', 'acme-challenge', 'tok-EN_123'), 'tok-EN_123.thumbprint')
  const node = await spawnNode(t, port, [
    'server:', '  host: 127.0.0.1', `  port: ${port}`, '  workers: 2', '  shutdownTimeout: 2s', '  http2: true',
    '  tls:', `    cert: ${cert}`, `    key: ${key}`,
    '  redirectHttp:', '    enabled: true', `    port: ${redirectPort}`, `    acmeDir: ${acme}`,
    'upstream:', `  url: ${upstream}`,
    'redis:', '  enabled: false',
    'log:', '  level: info', '  requests: false',
    'cache:', '  enabled: false', 'rateLimit:', '  enabled: false'
  ], dir)
  return { ...node, redirectPort }
}

t.test('the redirect listener with workers: 2', { skip }, async t => {
  const origin = await startOrigin((_req, res) => { res.writeHead(200, { 'content-type': 'text/plain' }).end('hello') })
  t.teardown(() => origin.close())
  const node = await startNode(t, origin.url)
  t.equal(node.primary.exitCode, null, 'the node runs')
  t.notMatch(node.output(), /EADDRINUSE/, 'no worker failed to bind the plain-HTTP port')
  t.equal(childPids(node.primary.pid ?? 0).length, 2, 'two workers')

  const location = `https://localhost:${node.port}/shop/cart?id=7`
  for (let i = 0; i < 10; i++) {
    const r = await get(node.redirectPort, '/shop/cart?id=7')
    t.equal(r.status, 308)
    t.equal(r.headers.location, location)
  }
  const token = await get(node.redirectPort, '/.well-known/acme-challenge/tok-EN_123')
  t.equal(token.status, 200, 'an ACME token from acmeDir, whichever worker accepted')
  t.equal(token.body, 'tok-EN_123.thumbprint')
  t.equal((await getHttps(`https://localhost:${node.port}/`)).body, 'hello', 'HTTPS on the main port')

  // SIGHUP: each worker is replaced only once its successor bound both ports, so port 80 never loses its socket.
  const beforeRoll = childPids(node.primary.pid ?? 0)
  node.primary.kill('SIGHUP')
  let rolled = 0
  let rollFailed = 0
  await until('the rolling restart', async () => {
    try { if ((await get(node.redirectPort, '/during-roll')).status === 308) rolled++; else rollFailed++ } catch { rollFailed++ }
    return /rolling restart done/.test(node.output())
  }, 60_000)
  t.equal(rollFailed, 0, `no redirect request failed during the rolling restart (${rolled} answered)`)
  t.notOk(childPids(node.primary.pid ?? 0).some(p => beforeRoll.includes(p)), 'every worker was replaced')

  const [first] = childPids(node.primary.pid ?? 0)
  process.kill(first, 'SIGKILL')
  let answered = 0
  let failed = 0
  await until('a replacement worker', async () => {
    try { if ((await get(node.redirectPort, '/x')).status === 308) answered++; else failed++ } catch { failed++ }
    const now = childPids(node.primary.pid ?? 0)
    return now.length === 2 && !now.includes(first)
  })
  t.ok(answered > 0, `the other worker kept answering on the plain-HTTP port while one was replaced (${answered})`)
  t.ok(failed <= 1, `failed requests: ${failed} (at most the killed worker's in-flight one)`)
  await until('the replacement listening', () => (node.output().match(/2 workers listening|worker .*listening/g) ?? []).length >= 1)
  for (let i = 0; i < 10; i++) t.equal((await get(node.redirectPort, '/after')).status, 308)

  node.primary.kill('SIGTERM')
  await until('the node to stop', () => node.primary.exitCode !== null || node.primary.signalCode !== null)
  t.equal(childPids(node.primary.pid ?? 0).length, 0, 'no worker left')
})
