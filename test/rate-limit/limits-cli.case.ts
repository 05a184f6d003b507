// `sipup-sidecar limits bans|unban IP` (issue 13 item 11): the bans in Redis listed and lifted from a shell, the
// proxy's store and key prefix read from the same config; clear words when the bans are out of reach.
import t from '../helpers/cases.js'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { Redis } from 'ioredis'
import { runLimits } from '../../src/plugins/rate-limit/commands/limits.js'
import { REDIS_URL, requireRedis, uniquePrefix } from '../helpers/services.js'
import { IP_ONLY, deleteKeys, from, setup } from './fixtures.js'
import { cliContext } from '../../src/cli/context.js'

function sink (): { stream: Writable, text: () => string } {
  const chunks: Buffer[] = []
  return { stream: new Writable({ write (c, _e, cb) { chunks.push(Buffer.from(c)); cb() } }), text: () => Buffer.concat(chunks).toString('utf8') }
}

async function limits (args: string[]): Promise<{ code: number, out: string, err: string }> {
  const out = sink()
  const err = sink()
  const code = await runLimits(args, { stdout: out.stream, stderr: err.stream }, cliContext)
  return { code, out: out.text(), err: err.text() }
}

t.test('limits command', async t => {
  const dir = await mkdtemp(join(tmpdir(), 'sipup-limits-cli-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  const config = async (name: string, yaml: string): Promise<string> => {
    const file = join(dir, `${name}.yaml`)
    await writeFile(file, yaml)
    return file
  }

  t.test('bad usage exits 2 with the reason', async t => {
    t.match(await limits([]), { code: 2, err: /missing command/ })
    t.match(await limits(['ban']), { code: 2, err: /unknown limits command 'ban'/ })
    t.match(await limits(['unban']), { code: 2, err: /takes one address/ })
  })

  t.test('memory store: the running sidecar is asked through its admin API (loopback, CSRF token from its page)', async t => {
    const s = await setup(t, { ...IP_ONLY, ip: { limit: 1, window: '1m' }, bans: { enabled: true, strikes: 1 } })
    const h = from('192.0.2.120')
    await s.send('/p', { headers: h })
    await s.send('/p', { headers: h })
    t.equal((await s.send('/p', { headers: h })).status, 403, 'banned')
    const file = await config('mem', `server:\n  host: 127.0.0.1\n  port: ${s.sidecar.port}\nredis:\n  enabled: false\nrateLimit:\n  store: memory\n`)
    const listed = await limits(['bans', '-c', file])
    t.equal(listed.code, 0, listed.err)
    t.match(listed.err, /bans are per instance \(rateLimit\.store: memory\): asking the sidecar's admin API/)
    t.match(listed.out, /\n192\.0\.2\.120 +(59m \d+s|1h) /)
    t.match(await limits(['unban', '192.0.2.120', '-c', file]), { code: 0, out: 'lifted the ban of 192.0.2.120\n' })
    t.equal((await s.send('/p', { headers: h })).status, 429, 'the sidecar lets it through to its limit')
    t.match(await limits(['unban', '192.0.2.121', '-c', file]), { code: 1, err: /SIPUP_ERR_RATELIMIT_BAN_NOT_FOUND/ })
    t.match(await limits(['unban', 'nope', '-c', file]), { code: 2, err: /SIPUP_ERR_RATELIMIT_BAD_ADDRESS/ })
    const gone = await config('gone', 'server:\n  host: 127.0.0.1\n  port: 1\nrateLimit:\n  store: memory\n')
    t.match(await limits(['bans', '-c', gone]), { code: 1, err: /SIPUP_ERR_RATELIMIT_BANS_UNAVAILABLE: .*admin API at http:\/\/127\.0\.0\.1:1\/_admin did not answer/ })
  })

  t.test('Redis unreachable: exit 1 and the code', async t => {
    const down = await config('down', 'redis:\n  url: redis://127.0.0.1:1\n  connectTimeout: 200ms\n')
    const r = await limits(['bans', '-c', down])
    t.equal(r.code, 1)
    t.match(r.err, /SIPUP_ERR_RATELIMIT_BANS_UNAVAILABLE/)
    t.notMatch(r.err, /\n\s+at /, 'no stack')
  })

  t.test('a ban made by a running sidecar is listed and lifted; the sidecar then lets the client through', async t => {
    if (!await requireRedis(t)) return
    const prefix = uniquePrefix('rl-cli')
    const file = await config('redis', `redis:\n  url: ${REDIS_URL}\n  keyPrefix: '${prefix}'\nrateLimit:\n  bans:\n    enabled: true\n`)
    const s = await setup(t, { ...IP_ONLY, ip: { limit: 1, window: '1m' }, bans: { enabled: true, strikes: 1, duration: '1h' } }, { redis: true, prefix })
    const h = from('192.0.2.110')
    await s.send('/p', { headers: h })
    await s.send('/p', { headers: h })
    t.equal((await s.send('/p', { headers: h })).status, 403, 'banned')
    // Another client banned by hand, to see more than one row.
    const client = new Redis(REDIS_URL)
    t.after(async () => { client.disconnect(); await deleteKeys(prefix) })
    await client.set(`${prefix}rl:ban:2001:db8::`, '1', 'PX', 90_000)

    const listed = await limits(['bans', '-c', file])
    t.equal(listed.code, 0, listed.err)
    t.match(listed.out, /^client +left +until\n/)
    t.match(listed.out, /\n192\.0\.2\.110 +(59m \d+s|1h) +\d{4}-\d\d-\d\dT/)
    t.match(listed.out, /\n2001:db8:: +1m (2\d|30)s /)
    t.match(listed.out, /Lift one with: sipup-sidecar limits unban IP -c /)
    const json = JSON.parse((await limits(['bans', '--json', '-c', file])).out) as { bans: { client: string, store: string }[], enabled: boolean }
    t.same(json.bans.map(b => b.client).sort(), ['192.0.2.110', '2001:db8::'])
    t.ok(json.bans.every(b => b.store === 'redis'))

    t.match(await limits(['unban', '192.0.2.110', '-c', file]), { code: 0, out: 'lifted the ban of 192.0.2.110\n' })
    t.match(await limits(['unban', '2001:db8:0:0:5::1', '-c', file]), { code: 0, out: 'lifted the ban of 2001:db8::\n' }, 'any address of the /64')
    t.match(await limits(['unban', '192.0.2.110', '-c', file]), { code: 1, err: /SIPUP_ERR_RATELIMIT_BAN_NOT_FOUND: No ban in force for '192\.0\.2\.110'/ })
    t.match(await limits(['unban', 'nope', '-c', file]), { code: 2, err: /SIPUP_ERR_RATELIMIT_BAD_ADDRESS/ })
    t.match(await limits(['bans', '-c', file]), { code: 0, out: 'No bans in force.\n' })
    // The running sidecar remembered the ban; it asks Redis again within BAN_RECHECK_MS (limiter-ban-recheck.case.ts).
    // Another instance on the same Redis sees the ban gone at once.
    const other = await setup(t, { ...IP_ONLY, ip: { limit: 1, window: '1m' }, bans: { enabled: true, strikes: 5 } }, { redis: true, prefix, origin: s.origin })
    t.equal((await other.send('/p', { headers: h })).status, 429, 'limited (its counter is still empty), not banned')
  })
})
