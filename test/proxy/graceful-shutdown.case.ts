import t from '../helpers/cases.js'
import { request } from 'undici'
import { pino } from 'pino'
import { loadConfig } from '../../src/sidecar-config.js'
import { runSidecar } from '../../src/run.js'
import { startOrigin } from '../helpers/sidecar.js'
import { Writable } from 'node:stream'

const quiet = new Writable({ write (_c, _e, cb) { cb() } })

t.test('shutdown lets in-flight requests finish and refuses new connections', async t => {
  let release: () => void = () => {}
  const arrived = new Promise<void>(resolve => {
    release = resolve
  })
  let finishOrigin: () => void = () => {}
  const origin = await startOrigin((_req, res) => {
    release()
    finishOrigin = () => res.end('finished')
  })
  t.after(() => origin.close())
  const { config } = loadConfig({ env: {}, overrides: { server: { host: '127.0.0.1', port: 0, shutdownTimeout: '5s' }, upstream: { url: origin.url }, redis: { enabled: false }, log: { level: 'silent', requests: false } } })
  const running = await runSidecar(config, { signals: false, out: quiet, logger: pino({ level: 'silent' }) })

  const inFlight = request(`${running.url}/slow.php`)
  await arrived
  const stopped = running.shutdown('test')
  // The in-flight request is still being served after shutdown began.
  setTimeout(() => finishOrigin(), 100)
  const res = await inFlight
  t.equal(res.statusCode, 200)
  t.equal(await res.body.text(), 'finished')
  t.equal(await stopped, true, 'closed within the deadline')
  await t.rejects(request(`${running.url}/`), 'new connections are refused after shutdown')
})

t.test('shutdown gives up on requests that outlive server.shutdownTimeout', async t => {
  let release: () => void = () => {}
  const arrived = new Promise<void>(resolve => { release = resolve })
  const origin = await startOrigin(() => { release() /* never answers */ })
  t.after(() => origin.close())
  const { config } = loadConfig({ env: {}, overrides: { server: { host: '127.0.0.1', port: 0, shutdownTimeout: '300ms' }, upstream: { url: origin.url }, redis: { enabled: false }, log: { level: 'silent', requests: false } } })
  const running = await runSidecar(config, { signals: false, out: quiet, logger: pino({ level: 'silent' }) })
  const inFlight = request(`${running.url}/hang.php`).then(r => r.statusCode, () => 'closed')
  await arrived
  t.equal(await running.shutdown('test'), false, 'deadline reported as missed')
  t.equal(await inFlight, 'closed', 'the stuck request was cut')
})
