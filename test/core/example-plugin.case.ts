// The example plugin of the README's plugin guide (examples/plugins/hello) compiles (npm test builds first) and
// works through the real composition root: its section, proxy hook, request field, admin route and command.
import t from '../helpers/cases.js'
import { request } from 'undici'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { commandList } from '../../src/cli/main.js'
import { packageRoot } from '../../src/paths.js'
import { helloEntry } from '../../examples/plugins/hello/entry.js'
import { buildWithPlugins } from '../helpers/plugin-app.js'
import { closeSidecar, startOrigin } from '../helpers/sidecar.js'
import { CHILD_TIMEOUT_MS } from '../helpers/child.js'

t.test('the hello plugin greets proxied responses, counts them on its admin route, logs its field', async t => {
  const origin = await startOrigin((_req, res) => { res.end('page') })
  t.after(() => origin.close())
  const lines: Record<string, unknown>[] = []
  const { app } = await buildWithPlugins([helloEntry], {
    upstream: { url: origin.url }, hello: { enabled: true, greeting: 'hi' }, log: { requests: true }
  }, { logLines: lines })
  t.after(() => closeSidecar(app))
  await app.listen({ host: '127.0.0.1', port: 0 })
  const addr = app.server.address()
  const url = `http://127.0.0.1:${typeof addr === 'object' && addr !== null ? addr.port : 0}`
  const res = await request(`${url}/product.php?id=1`)
  t.equal(await res.body.text(), 'page')
  t.equal(res.headers['x-hello'], 'hi')
  t.same(await (await request(`${url}/_admin/api/hello`)).body.json(), { greeting: 'hi', greeted: 1 })
  t.equal(lines.find(l => l.msg === 'request' && l.path === '/product.php')?.hello, 'yes')
  t.match(app.sidecar.features.find(f => f.name === 'hello'), { state: 'on' })
})

t.test('off by default: not loaded, reported off', async t => {
  const { app } = await buildWithPlugins([helloEntry])
  t.after(() => app.close())
  t.match(app.sidecar.features.find(f => f.name === 'hello'), { state: 'off', detail: 'hello.enabled is false' })
})

t.test('its command is listed with the core\'s and runs (built, as the CLI runs it)', async t => {
  const listed = commandList([helloEntry]).map(c => c.name)
  t.ok(listed.includes('hello') && listed.includes('start'))
  const built = join(packageRoot, 'dist', 'examples', 'plugins', 'hello', 'commands', 'hello.js')
  const r = spawnSync(process.execPath, ['--input-type=module', '-e',
    `const { command } = await import(${JSON.stringify(pathToFileURL(built).href)}); process.exitCode = await command.run(['shop'])`],
  { encoding: 'utf8', timeout: CHILD_TIMEOUT_MS })
  t.equal(r.status, 0)
  t.equal(r.stdout, 'hello, shop\n')
})
