// Purge by URL regex (issue 13 item 9) through the admin API: memory, Redis (ZSCAN over the key index) and tiered
// across two instances (broadcast to every memory layer); patterns RE2 can't match in linear time are refused with a 400.
import type { Test } from 'tap'
import t from '../helpers/cases.js'
import { request } from 'undici'
import { startOrigin, startSidecar, type Sidecar } from '../helpers/sidecar.js'
import { REDIS_URL, requireRedis, uniquePrefix } from '../helpers/services.js'
import { deleteKeys } from '../rate-limit/fixtures.js'
import { fetchAnswer } from './fixtures/setup.js'

const PATHS = ['/product.php?id=40', '/product.php?id=41', '/product.php?id=142', '/product.php?id=5', '/catalog.php?page=4', '/']
const REGEX = '^/product\\.php\\?id=4[0-9]$'

async function purge (s: Sidecar, body: unknown): Promise<{ status: number, json: Record<string, unknown> }> {
  const res = await request(s.url + '/_admin/api/cache/purge', {
    method: 'POST', headers: { authorization: 'Bearer secret', 'content-type': 'application/json' }, body: JSON.stringify(body)
  })
  return { status: res.statusCode, json: await res.body.json() as Record<string, unknown> }
}

const cachedOn = async (s: Sidecar, path: string): Promise<boolean> =>
  (await fetchAnswer(s.url + path, { 'cache-control': 'only-if-cached' })).status === 200

async function setup (t: Test, store: string, instances: number): Promise<Sidecar[] | null> {
  let redis: Record<string, unknown> = { enabled: false }
  if (store !== 'memory') {
    if (!await requireRedis(t)) return null
    const keyPrefix = uniquePrefix(`cache-regex-${store}`)
    redis = { enabled: true, url: REDIS_URL, keyPrefix }
    t.after(() => deleteKeys(keyPrefix))
  }
  const origin = await startOrigin((_req, res) => { res.setHeader('cache-control', 'max-age=600'); res.end('x') })
  t.after(() => origin.close())
  const out: Sidecar[] = []
  for (let i = 0; i < instances; i++) {
    const s = await startSidecar({ upstream: { url: origin.url }, redis, cache: { enabled: true, store }, admin: { enabled: true, token: 'secret' } })
    t.after(() => s.close())
    await (s.app.sidecarCache?.store as { ready?: () => Promise<void> }).ready?.()
    out.push(s)
  }
  return out
}

for (const store of ['memory', 'redis', 'tiered']) {
  t.test(`${store} store: a regex purges the matching URLs only`, async t => {
    const all = await setup(t, store, store === 'tiered' ? 2 : 1)
    if (all === null) return
    for (const s of all) for (const p of PATHS) await fetchAnswer(s.url + p)
    for (const s of all) t.ok(await cachedOn(s, '/product.php?id=40'), 'cached before')
    const r = await purge(all[0], { regex: REGEX })
    t.equal(r.status, 200)
    // Each instance's URL carries its own Host (its port), so each stored its own copies.
    t.equal(r.json.purged, 2 * all.length, 'id=40 and id=41, for every host')
    for (const s of all) {
      for (const p of PATHS) {
        t.equal(await cachedOn(s, p), !/^\/product\.php\?id=4[0-9]$/.test(p), `${p} on instance ${all.indexOf(s) + 1}`)
      }
    }
  })
}

t.test('refused patterns: not linear-time (lookaround, backreference), too long, invalid, not a string', async t => {
  const [s] = await setup(t, 'memory', 1) as Sidecar[]
  for (const [body, why] of [
    [{ regex: '^/p(?=x)' }, /refused '\^\/p\(\?=x\)': .*unsupported Perl syntax/],
    [{ regex: '^/(a)\\1' }, /refused .*invalid escape sequence/],
    [{ regex: 'a'.repeat(300) }, /at most 256 characters, got 300/],
    [{ regex: '(' }, /refused '\(': .*missing closing \)/],
    [{ regex: 7 }, /regex: expected a non-empty string, got 7/]
  ] as const) {
    const r = await purge(s, body)
    t.equal(r.status, 400)
    t.equal(r.json.code, 'SIPUP_ERR_CACHE_PURGE_INVALID')
    t.match(r.json.detail, why)
  }
})

t.test('a nested quantifier runs in linear time under RE2, so it is accepted and purges what it matches', async t => {
  const [s] = await setup(t, 'memory', 1) as Sidecar[]
  for (const p of PATHS) await fetchAnswer(s.url + p)
  // `(4+)+1$` backtracks exponentially in V8 on a long run of 4s; RE2 matches it in one pass.
  const r = await purge(s, { regex: '^/product\\.php\\?id=(4+)+1$' })
  t.equal(r.status, 200)
  t.equal(r.json.purged, 1, 'id=41 only')
  t.notOk(await cachedOn(s, '/product.php?id=41'))
  t.ok(await cachedOn(s, '/product.php?id=40'))
})

