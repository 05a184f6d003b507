// examples/php/sidecar_jobs.php against a real sidecar: the three lines of PHP from the README enqueue a signed job
// with an idempotency key and get its id back; a payload the schema rejects throws instead of returning an id.
import t from '../helpers/cases.js'
import { execFile, spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { packageRoot } from '../../src/paths.js'
import '../../src/plugins/jobs/types.js'
import { REDIS_URL, requireProgram, requireRedis, uniquePrefix } from '../helpers/services.js'
import { startOrigin, startSidecar } from '../helpers/sidecar.js'
import { deleteKeys } from './helpers.js'
import { CHILD_TIMEOUT_MS } from '../helpers/child.js'

const PHP = '/usr/bin/php'
const prefix = uniquePrefix('jobs-php')
t.after(() => deleteKeys(prefix))
const SECRET = 'php-client-secret-0123456789'
const LIB = join(packageRoot, 'examples', 'php', 'sidecar_jobs.php')

t.test('sidecar_job() from PHP', async t => {
  if (!await requireRedis(t) || !await requireProgram(t, PHP, 'PHP')) return
  const modules = spawnSync(PHP, ['-m'], { encoding: 'utf8' }).stdout
  if (!/^curl$/m.test(modules)) {
    t.fail('PHP has no curl extension (apt-get install php-curl)')
    return
  }
  const origin = await startOrigin((_req, res) => { res.end('origin') })
  t.after(() => origin.close())
  const sc = await startSidecar({
    upstream: { url: origin.url },
    redis: { enabled: true, url: REDIS_URL, keyPrefix: prefix },
    jobs: {
      enabled: true,
      secret: SECRET,
      bearer: false,
      types: [{ name: 'send_email', handler: 'http', url: '/cb', priority: 'normal', schema: { required: ['to', 'subject'] } }]
    }
  })
  t.after(() => sc.close())
  // Asynchronous: the sidecar answering PHP runs in this process.
  const php = (code: string): Promise<{ status: number | null, stdout: string, stderr: string }> => new Promise(resolve => {
    execFile(PHP, ['-r', `require '${LIB}'; ${code}`], {
      encoding: 'utf8',
      timeout: CHILD_TIMEOUT_MS,
      env: { PATH: process.env.PATH, SIDECAR_JOBS_URL: `${sc.url}/_jobs`, SIDECAR_JOBS_SECRET: SECRET }
    }, (err, stdout, stderr) => { resolve({ status: err === null ? 0 : typeof err.code === 'number' ? err.code : null, stdout, stderr }) })
  })

  // The README's three lines.
  const r = await php(`$id = sidecar_job('send_email', ['to' => 'buyer@example.test', 'subject' => 'Your order'], ['priority' => 'high', 'idempotency_key' => 'order-42']);
echo $id;`)
  t.equal(r.status, 0, r.stderr)
  t.match(r.stdout, /^h\d+$/, 'returns the job id (high queue)')
  const job = await sc.app.sidecarJobs.store.get(r.stdout)
  t.match(job, { type: 'send_email', status: 'waiting', queue: 'high' }, 'the job is stored (signed: bearer tokens are off)')

  const again = await php(`echo sidecar_job('send_email', ['to' => 'buyer@example.test', 'subject' => 'Your order'], ['priority' => 'high', 'idempotency_key' => 'order-42']);`)
  t.equal(again.stdout, r.stdout, 'the same idempotency key returns the same job')

  const bad = await php(`try { sidecar_job('send_email', ['to' => 'x']); } catch (RuntimeException $e) { echo $e->getMessage(); exit(3); }`)
  t.equal(bad.status, 3, 'a rejected payload throws')
  t.match(bad.stdout, /not stored: HTTP 400: .*subject is required/)

  // Batch: ids in order, signed over the whole body, per-entry idempotency keys.
  const batch = `$ids = sidecar_job_batch('send_email', [
  ['payload' => ['to' => 'a@example.test', 'subject' => 'A'], 'idempotency_key' => 'mail-a'],
  ['payload' => ['to' => 'b@example.test', 'subject' => 'B'], 'priority' => 'low'],
]);
echo implode(',', $ids);`
  const b = await php(batch)
  t.equal(b.status, 0, b.stderr)
  const ids = b.stdout.split(',')
  t.match(ids, [/^n\d+$/, /^l\d+$/], 'two ids, in entry order, in their queues')
  for (const id of ids) t.match(await sc.app.sidecarJobs.store.get(id), { type: 'send_email', status: 'waiting' })
  const b2 = await php(batch)
  t.equal(b2.stdout.split(',')[0], ids[0], 'the keyed entry is the same job on a repeat')
  const badBatch = await php(`try { sidecar_job_batch('send_email', [['payload' => ['to' => 'x', 'subject' => 'y']], ['payload' => ['to' => 'x']]]); } catch (RuntimeException $e) { echo $e->getMessage(); exit(3); }`)
  t.equal(badBatch.status, 3, 'a rejected entry throws')
  t.match(badBatch.stdout, /not stored: HTTP 400: .*item 1: payload.subject is required/)
})
