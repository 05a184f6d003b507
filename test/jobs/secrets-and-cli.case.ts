// Job secrets never leave through the admin config view or `check-config`; the `jobs` command lists, retries and
// deletes dead-lettered jobs from a shell (the built CLI, as a user runs it).
import t from '../helpers/cases.js'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { REDACTED } from '../../src/config/redact.js'
import { packageRoot } from '../../src/paths.js'
import { REDIS_URL, requireRedis, uniquePrefix } from '../helpers/services.js'
import { startOrigin, startSidecar } from '../helpers/sidecar.js'
import { deleteKeys, finished, makeService, waitForJob } from './helpers.js'
import { CLI, writeWorkerConfig } from './worker-process.js'

// Spawns the built CLI several times: slow on a loaded machine.
t.setTimeout(600_000)
const prefix = uniquePrefix('jobs-cli')
t.after(() => deleteKeys(prefix))
const JOBS_SECRET = 'jobs-secret-SECRET-91ab'
const TYPE_SECRET = 'type-secret-SECRET-5c2d'
const SMTP_PASSWORD = 'smtp-password-SECRET-0e7f'
const CONTROL = join(packageRoot, 'test', 'jobs', 'fixtures', 'control.mjs')
const jobs = {
  secret: JOBS_SECRET,
  email: { url: `smtp://mailer:${SMTP_PASSWORD}@127.0.0.1:25` },
  types: [{ name: 'doomed', handler: 'module', module: CONTROL, attempts: 1, secret: TYPE_SECRET }]
}

t.test('secrets are redacted in the admin config view and in check-config', async t => {
  if (!await requireRedis(t)) return
  const origin = await startOrigin((_req, res) => { res.end('ok') })
  t.after(() => origin.close())
  const sc = await startSidecar({ upstream: { url: origin.url }, redis: { enabled: true, url: REDIS_URL, keyPrefix: prefix }, jobs: { enabled: true, ...jobs } })
  t.after(() => sc.close())
  const body = await (await fetch(`${sc.url}/_admin/api/config`)).text()
  for (const s of [JOBS_SECRET, TYPE_SECRET, SMTP_PASSWORD]) t.notOk(body.includes(s), 'the config view holds no job secret')
  const config = JSON.parse(body) as { jobs: { secret: string, email: { url: string }, types: { secret: string }[] } }
  t.equal(config.jobs.secret, REDACTED)
  t.equal(config.jobs.types[0].secret, REDACTED)
  t.equal(config.jobs.email.url, `smtp://mailer:${REDACTED}@127.0.0.1:25`)

  const file = writeWorkerConfig(t, 'check', prefix, jobs)
  const r = spawnSync(process.execPath, [CLI, 'check-config', '-c', file], { encoding: 'utf8', env: { PATH: process.env.PATH } })
  t.equal(r.status, 0, r.stderr)
  for (const s of [JOBS_SECRET, TYPE_SECRET, SMTP_PASSWORD]) t.notOk(r.stdout.includes(s), 'check-config prints no job secret')
})

t.test('sipup-sidecar jobs failed | retry | delete | stats', async t => {
  if (!await requireRedis(t)) return
  const p = `${prefix}cli:`
  const service = await makeService(t, p, jobs)
  await service.startWorkers()
  const ids: string[] = []
  for (const tag of ['x', 'y']) {
    const { id } = await service.producer.add('doomed', { tag, fail: true })
    await waitForJob(service, id, finished)
    ids.push(id)
  }
  await service.stopWorkers(1000)
  const file = writeWorkerConfig(t, 'cli', p, jobs)
  const run = (...args: string[]): { status: number | null, stdout: string, stderr: string } =>
    spawnSync(process.execPath, [CLI, 'jobs', ...args, '-c', file], { encoding: 'utf8', env: { PATH: process.env.PATH }, timeout: 90_000 })

  // Few spawns: each starts a whole Node process, slow on a loaded machine.
  const failed = run('failed')
  t.equal(failed.status, 0, failed.stderr)
  t.match(failed.stdout, /^2 failed job\(s\)\n/)
  t.match(failed.stdout, new RegExp(`^${ids[1]}\\tdoomed\\t.*failed on purpose \\(y\\)\n${ids[0]}\\t`, 'm'), 'newest first, with type and error')

  const stats = run('stats')
  t.match(stats.stdout, /normal\s+waiting 0\s+active 0\s+delayed 0\s+succeeded 0\s+failed 2/)
  t.match(stats.stdout, /dead letter 2/)

  const retry = run('retry', ids[0])
  t.equal(retry.status, 0)
  t.match(retry.stdout, `retried 1 job(s): ${ids[0]}`)
  t.equal((await service.store.get(ids[0]))?.status, 'waiting', 'back in its queue')
  const del = run('delete', '--all')
  t.match(del.stdout, 'deleted 1 job(s)')
  t.equal(await service.store.get(ids[1]), null)
})
