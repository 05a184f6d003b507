// The access log's path: no query by default (reset tokens and API keys live there), parameter names with
// log.query: keys, values with full, and never the value of a parameter in log.redactQuery.
import type { Test } from 'tap'
import t from '../helpers/cases.js'
import { request } from 'undici'
import { startOrigin, startSidecar } from '../helpers/sidecar.js'
import { queryLogger } from '../../src/core/log-path.js'

async function loggedPaths (t: Test, log: Record<string, unknown>, urls: string[]): Promise<unknown[]> {
  const origin = await startOrigin((_req, res) => { res.end('ok') })
  t.after(() => origin.close())
  const logLines: Record<string, unknown>[] = []
  const sidecar = await startSidecar({ upstream: { url: origin.url }, log: { level: 'info', requests: true, ...log } }, { logLines })
  t.after(() => sidecar.close())
  for (const u of urls) await (await request(sidecar.url + u)).body.dump()
  return logLines.filter(l => l.msg === 'request').map(l => l.path)
}

const URLS = ['/reset.php?token=s3cr3t-reset&user=7', '/catalog.php', '/api.php?api_key=AK-123&page=2&user%5Bpassword%5D=pw1']

t.test('default: the path without its query', async t => {
  const paths = await loggedPaths(t, {}, URLS)
  t.same(paths, ['/reset.php', '/catalog.php', '/api.php'])
})

t.test('log.query: keys writes the parameter names only', async t => {
  const paths = await loggedPaths(t, { query: 'keys' }, URLS)
  t.same(paths, ['/reset.php?token&user', '/catalog.php', '/api.php?api_key&page&user%5Bpassword%5D'])
})

t.test('log.query: full writes values, except those in log.redactQuery', async t => {
  const paths = await loggedPaths(t, { query: 'full' }, URLS)
  t.same(paths, ['/reset.php?token=[redacted]&user=7', '/catalog.php', '/api.php?api_key=[redacted]&page=2&user%5Bpassword%5D=[redacted]'])
  t.notMatch(JSON.stringify(paths), /s3cr3t|AK-123|pw1/)
  const custom = await loggedPaths(t, { query: 'full', redactQuery: ['user'] }, ['/reset.php?token=x&USER=7'])
  t.same(custom, ['/reset.php?token=x&USER=[redacted]'], 'the list replaces the default; names are case-insensitive')
})

t.test('queryLogger edge cases', async t => {
  const full = queryLogger('full', ['token'])
  t.equal(full('/a?'), '/a')
  t.equal(full('/a?&&token'), '/a?token')
  t.equal(full('/a?tok%en=1&To%6Ben=2'), '/a?tok%en=1&To%6Ben=[redacted]', 'bad escapes are kept, encoded names decoded')
  t.equal(queryLogger('none', [])('/a?x=1'), '/a')
})
