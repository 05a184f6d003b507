// Enqueue -> process -> status for each built-in handler, on the real Redis with real workers.
import t from '../helpers/cases.js'
import { join } from 'node:path'
import { SMTPServer } from 'smtp-server'
import type { AddressInfo } from 'node:net'
import { packageRoot } from '../../src/paths.js'
import { verify } from '../../src/plugins/jobs/signature.js'
import { requireRedis, uniquePrefix } from '../helpers/services.js'
import { startOrigin } from '../helpers/sidecar.js'
import { deleteKeys, finished, makeService, waitForJob } from './helpers.js'

const prefix = uniquePrefix('jobs-handlers')
const ECHO = join(packageRoot, 'test', 'jobs', 'fixtures', 'echo.mjs')
t.after(() => deleteKeys(prefix))

t.test('module handler: result, progress and attempt', async t => {
  if (!await requireRedis(t)) return
  const service = await makeService(t, `${prefix}m:`, { types: [{ name: 'echo', handler: 'module', module: ECHO }] })
  await service.startWorkers()
  const { id, status } = await service.producer.add('echo', { hello: 'world' })
  t.equal(status, 'waiting')
  t.match(id, /^n\d+$/, 'normal priority by default, id names the queue')
  const info = await waitForJob(service, id, finished)
  t.equal(info.status, 'succeeded')
  t.same(info.result, { echoed: { hello: 'world' }, attempt: 1, id })
  t.equal(info.attempts, 1)
  t.equal(info.type, 'echo')
  t.equal(info.error, null)
  t.ok(info.finishedAt !== null, 'has a finish time')
})

t.test('http handler: signed POST with job id and attempt; non-2xx keeps status and body', async t => {
  if (!await requireRedis(t)) return
  const seen: { headers: Record<string, string | string[] | undefined>, body: string }[] = []
  const origin = await startOrigin((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => { body += c.toString() })
    req.on('end', () => {
      seen.push({ headers: req.headers, body })
      if (req.url === '/jobs/broken.php') {
        res.statusCode = 500
        res.end(`Fatal error: Uncaught PDOException ${'x'.repeat(5000)}`)
        return
      }
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({ ok: true, got: JSON.parse(body) }))
    })
  })
  t.after(() => origin.close())
  const service = await makeService(t, `${prefix}h:`, {
    secret: 'shared-secret-0123456789',
    http: { maxErrorBody: '64B' },
    types: [
      { name: 'report', handler: 'http', url: '/jobs/report.php' },
      { name: 'broken', handler: 'http', url: '/jobs/broken.php', attempts: 1 }
    ]
  }, { httpBaseUrl: origin.url })
  await service.startWorkers()
  const ok = await service.producer.add('report', { month: '2026-11' })
  const info = await waitForJob(service, ok.id, finished)
  t.equal(info.status, 'succeeded')
  t.same(info.result, { ok: true, got: { month: '2026-11' } }, 'the JSON answer is the result')
  const call = seen[0]
  t.equal(call.headers['x-sidecar-job-id'], ok.id)
  t.equal(call.headers['x-sidecar-job-attempt'], '1')
  t.equal(call.headers['idempotency-key'], ok.id, 'the job id doubles as an idempotency key for PHP')
  t.ok(verify('shared-secret-0123456789', String(call.headers['x-sidecar-timestamp']), call.body, String(call.headers['x-sidecar-signature'])), 'the callback is signed')

  const bad = await service.producer.add('broken', {})
  const failed = await waitForJob(service, bad.id, finished)
  t.equal(failed.status, 'failed')
  t.match(failed.error, /^SIPUP_ERR_JOBS_CALLBACK_FAILED: Callback answered 500: Fatal error: Uncaught PDOException x+…$/, 'status and first bytes of the body')
  t.ok((failed.error ?? '').length < 160, 'only the first bytes are kept')
})

t.test('email handler: sends through SMTP with a Message-ID derived from the job id', async t => {
  if (!await requireRedis(t)) return
  const mails: { from: string, to: string[], data: string }[] = []
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData (stream, session, callback) {
      let data = ''
      stream.on('data', (c: Buffer) => { data += c.toString() })
      stream.on('end', () => {
        mails.push({ from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address, to: session.envelope.rcptTo.map(r => r.address), data })
        callback()
      })
    }
  })
  await new Promise<void>(resolve => smtp.listen(0, '127.0.0.1', resolve))
  t.after(() => new Promise<void>(resolve => smtp.close(() => resolve())))
  const port = (smtp.server.address() as AddressInfo).port
  const service = await makeService(t, `${prefix}e:`, {
    email: { url: `smtp://127.0.0.1:${port}`, from: 'shop@example.test' },
    types: [{ name: 'send_email', handler: 'email', schema: { required: ['to', 'subject'] } }]
  })
  await service.startWorkers()
  const { id } = await service.producer.add('send_email', { to: 'buyer@example.test', subject: 'Your order', text: 'Thanks!' })
  const info = await waitForJob(service, id, finished)
  t.equal(info.status, 'succeeded', String(info.error))
  t.equal(mails.length, 1)
  t.equal(mails[0].from, 'shop@example.test')
  t.same(mails[0].to, ['buyer@example.test'])
  t.match(mails[0].data, /Subject: Your order/)
  t.match(mails[0].data, new RegExp(`Message-ID: <${id}\\.send_email@sipup-sidecar>`, 'i'))
  t.match(info.result, { accepted: ['buyer@example.test'] })
})
