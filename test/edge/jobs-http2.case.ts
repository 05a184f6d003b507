// The job endpoint over HTTP/2: POST /_jobs/<type> with its bearer token or signature over an h2 stream (the request
// body arrives through the compat layer's stream, not an HTTP/1 socket), the job's status read back, a refused
// credential answered as a problem, and nothing under the prefix reaching the origin.
import fs from 'node:fs'
import http2 from 'node:http2'
import t from '../helpers/cases.js'
import { sign } from '../../src/plugins/jobs/signature.js'
import { REDIS_URL, requireRedis, uniquePrefix } from '../helpers/services.js'
import { startOrigin, startSidecar } from '../helpers/sidecar.js'
import { deleteKeys } from '../jobs/helpers.js'
import { makeCert, opensslMissing, tmpDir } from './certs.js'

const skip = opensslMissing()
const dir = skip === false ? tmpDir() : ''
t.teardown(() => { if (dir !== '') fs.rmSync(dir, { recursive: true, force: true }) })
const prefix = uniquePrefix('jobs-h2')
t.after(() => deleteKeys(prefix))
const SECRET = 'h2-endpoint-secret-0123456789abcdef'

interface H2Answer { status: number, headers: http2.IncomingHttpHeaders, body: string }

function h2call (session: http2.ClientHttp2Session, headers: http2.OutgoingHttpHeaders, body?: string): Promise<H2Answer> {
  return new Promise((resolve, reject) => {
    const req = session.request(headers)
    let text = ''
    let head: http2.IncomingHttpHeaders = {}
    req.setEncoding('utf8')
    req.on('response', h => { head = h })
    req.on('data', (c: string) => { text += c })
    req.on('end', () => resolve({ status: Number(head[':status']), headers: head, body: text }))
    req.on('error', reject)
    req.end(body)
  })
}

t.test('POST /_jobs/<type> with auth over HTTP/2', { skip }, async t => {
  if (!await requireRedis(t)) return
  const { cert, key } = makeCert(dir, 'jobs', ['localhost'])
  const origin = await startOrigin((_req, res) => { res.end('origin') })
  t.after(() => origin.close())
  const sc = await startSidecar({
    server: { tls: { cert, key }, http2: true },
    upstream: { url: origin.url },
    redis: { enabled: true, url: REDIS_URL, keyPrefix: prefix },
    jobs: {
      enabled: true,
      secret: SECRET,
      types: [{ name: 'send_email', handler: 'http', url: '/cb', schema: { type: 'object', required: ['to'], properties: { to: { type: 'string' } } } }]
    }
  })
  t.after(() => sc.close())
  const session = http2.connect(`https://localhost:${sc.port}`, { rejectUnauthorized: false })
  t.after(() => session.destroy())
  const body = JSON.stringify({ to: 'a@example.test' })
  const post = (headers: http2.OutgoingHttpHeaders, payload = body): Promise<H2Answer> =>
    h2call(session, { ':method': 'POST', ':path': '/_jobs/send_email', 'content-type': 'application/json', ...headers }, payload)

  const queued = await post({ authorization: `Bearer ${SECRET}` })
  t.equal(session.alpnProtocol, 'h2', 'the client speaks HTTP/2')
  t.equal(queued.status, 202, 'a job enqueued over HTTP/2 with the bearer token')
  const job = JSON.parse(queued.body) as { id: string, status: string }
  t.match(job, { id: /^\w+$/, status: 'waiting' })
  t.equal(queued.headers.location, `/_jobs/${job.id}`)
  t.equal(queued.headers.connection, undefined, 'no connection-specific header on h2')

  const status = await h2call(session, { ':path': `/_jobs/${job.id}`, authorization: `Bearer ${SECRET}` })
  t.equal(status.status, 200, 'its status read back over HTTP/2')
  t.match(JSON.parse(status.body), { id: job.id, type: 'send_email', status: 'waiting' })

  const ts = String(Math.floor(Date.now() / 1000))
  const signedPost = await post({ 'x-sidecar-timestamp': ts, 'x-sidecar-signature': sign(SECRET, ts, body) })
  t.equal(signedPost.status, 202, 'a signed enqueue: the signature covers the body read from the h2 stream')

  const refused = await post({ authorization: 'Bearer wrong-secret-0123456789abcdef' })
  t.equal(refused.status, 401, 'a wrong token is refused')
  t.match(String(refused.headers['content-type']), /application\/problem\+json/)
  t.match(JSON.parse(refused.body), { status: 401 })

  const invalid = await post({ authorization: `Bearer ${SECRET}` }, JSON.stringify({ nope: 1 }))
  t.equal(invalid.status, 400, 'a payload failing the type\'s schema is a problem, over h2 as over HTTP/1.1')

  t.equal(origin.requests.filter(r => r.url.startsWith('/_jobs')).length, 0, 'nothing under /_jobs reached the origin')
})
