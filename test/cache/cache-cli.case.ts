// `sipup-sidecar cache purge` (issue 13 item 9): a script on the machine purges by regex, URL, prefix or tag without
// the dashboard's CSRF token; with the tiered store every running instance drops its memory copy too.
import t from '../helpers/cases.js'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { runCache } from '../../src/plugins/cache/commands/cache.js'
import { startOrigin, startSidecar, type Sidecar } from '../helpers/sidecar.js'
import { REDIS_URL, requireRedis, uniquePrefix } from '../helpers/services.js'
import { deleteKeys } from '../rate-limit/fixtures.js'
import { fetchAnswer } from './fixtures/setup.js'
import { cliContext } from '../../src/cli/context.js'

function sink (): { stream: Writable, text: () => string } {
  const chunks: Buffer[] = []
  return { stream: new Writable({ write (c, _e, cb) { chunks.push(Buffer.from(c)); cb() } }), text: () => Buffer.concat(chunks).toString('utf8') }
}

async function cache (args: string[]): Promise<{ code: number, out: string, err: string }> {
  const out = sink()
  const err = sink()
  const code = await runCache(args, { stdout: out.stream, stderr: err.stream }, cliContext)
  return { code, out: out.text(), err: err.text() }
}

t.test('cache purge command', async t => {
  const dir = await mkdtemp(join(tmpdir(), 'sipup-cache-cli-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  const config = async (name: string, yaml: string): Promise<string> => {
    const file = join(dir, `${name}.yaml`)
    await writeFile(file, yaml)
    return file
  }

  t.test('bad usage and refused patterns exit 2 with the reason', async t => {
    t.match(await cache([]), { code: 2, err: /missing command/ })
    t.match(await cache(['purge']), { code: 2, err: /SIPUP_ERR_CACHE_PURGE_INVALID: .*at least one of urls, prefix, tags or regex/ })
    t.match(await cache(['purge', '--regex', '(?<=a)b']), { code: 2, err: /refused '\(\?<=a\)b': .*invalid named capture/ })
    t.match(await cache(['purge', 'ftp://x/']), { code: 2, err: /urls: expected a path starting with \/ or an http\(s\) URL/ })
    t.match(await cache(['purge', '--prefix', 'catalog']), { code: 2, err: /prefix: expected a path starting with \// })
  })

  t.test('memory store: the running sidecar purges through its admin API (bearer token)', async t => {
    const origin = await startOrigin((_req, res) => { res.setHeader('cache-control', 'max-age=600'); res.end('x') })
    t.after(() => origin.close())
    const s = await startSidecar({ upstream: { url: origin.url }, cache: { enabled: true, store: 'memory' }, admin: { token: 'cli-token' } })
    t.after(() => s.close())
    const paths = ['/product.php?id=40', '/product.php?id=41', '/product.php?id=5', '/about.php']
    const cached = async (p: string): Promise<boolean> => (await fetchAnswer(s.url + p, { 'cache-control': 'only-if-cached' })).status === 200
    for (const p of paths) await fetchAnswer(s.url + p)
    const file = await config('mem', `server:\n  host: 127.0.0.1\n  port: ${s.port}\nadmin:\n  token: cli-token\ncache:\n  store: memory\n`)
    const r = await cache(['purge', '--regex', '^/product\\.php\\?id=4', '/about.php', '-c', file])
    t.equal(r.code, 0, r.err)
    t.match(r.err, /the cache is per instance \(cache\.store: memory\): asking the sidecar's admin API/)
    t.equal(r.out, `purged 3 entries on http://127.0.0.1:${s.port}/_admin\n`)
    t.same(await Promise.all(paths.map(cached)), [false, false, true, false])
    const gone = await config('gone', 'server:\n  host: 127.0.0.1\n  port: 1\ncache:\n  store: memory\n')
    t.match(await cache(['purge', '/', '-c', gone]), { code: 1, err: /admin API at http:\/\/127\.0\.0\.1:1\/_admin did not answer/ })
  })

  t.test('tiered store: regex, URL and tag purges reach the Redis layer and both running instances', async t => {
    if (!await requireRedis(t)) return
    const keyPrefix = uniquePrefix('cache-cli')
    t.after(() => deleteKeys(keyPrefix))
    const origin = await startOrigin((req, res) => {
      res.setHeader('cache-control', 'max-age=600')
      if (req.url === '/feed.xml') res.setHeader('surrogate-key', 'feed')
      res.end('x')
    })
    t.after(() => origin.close())
    const overrides = { upstream: { url: origin.url }, redis: { enabled: true, url: REDIS_URL, keyPrefix }, cache: { enabled: true, store: 'tiered' } }
    const all: Sidecar[] = []
    for (let i = 0; i < 2; i++) {
      const s = await startSidecar(overrides)
      t.after(() => s.close())
      await (s.app.sidecarCache?.store as { ready?: () => Promise<void> }).ready?.()
      all.push(s)
    }
    const file = await config('tiered', `redis:\n  url: ${REDIS_URL}\n  keyPrefix: '${keyPrefix}'\ncache:\n  enabled: true\n  store: tiered\n`)
    const paths = ['/product.php?id=40', '/product.php?id=41', '/product.php?id=5', '/about.php?utm_source=x&b=2&a=1', '/feed.xml', '/']
    // Every instance asks with the same Host, so they share entries and each holds a memory copy.
    const get = (s: Sidecar, p: string, h: Record<string, string> = {}): ReturnType<typeof fetchAnswer> => fetchAnswer(s.url + p, { host: 'shop.test', ...h })
    const cached = async (p: string): Promise<boolean[]> => Promise.all(all.map(async s => (await get(s, p, { 'cache-control': 'only-if-cached' })).status === 200))
    for (const s of all) for (const p of paths) await get(s, p)
    t.same(await cached('/product.php?id=40'), [true, true])

    t.match(await cache(['purge', '--regex', '^/product\\.php\\?id=4[0-9]$', '-c', file]), { code: 0, out: 'purged 2 entries (every instance told to drop its memory copies)\n' })
    t.same(await cached('/product.php?id=40'), [false, false])
    t.same(await cached('/product.php?id=41'), [false, false])
    t.same(await cached('/product.php?id=5'), [true, true], 'a URL the regex does not match stays')

    t.match(await cache(['purge', '/about.php?a=1&b=2', '--tag', 'feed', '--json', '-c', file]), { code: 0, out: '{"purged":2}\n' }, 'a URL (normalized as the proxy does) and a tag')
    t.same(await cached('/about.php?b=2&a=1'), [false, false])
    t.same(await cached('/feed.xml'), [false, false])
    t.same(await cached('/'), [true, true])
    t.match(await cache(['purge', '--prefix', '/', '-c', file]), { code: 0, out: /^purged 2 entries/ })
    t.same(await cached('/'), [false, false])
  })

  t.test('Redis unreachable: exit 1', async t => {
    const down = await config('down', 'redis:\n  url: redis://127.0.0.1:1\n  connectTimeout: 200ms\ncache:\n  store: redis\n')
    t.match(await cache(['purge', '/', '-c', down]), { code: 1, err: /Redis unreachable/ })
  })
})
