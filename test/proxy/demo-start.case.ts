// `npm run demo` on a machine without Redis or MySQL: the shop is served through the sidecar and start-up says
// which features are off and why. Runs the built demo (npm test builds first).
import t from '../helpers/cases.js'
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { request } from 'undici'
import { packageRoot } from '../../src/paths.js'
import { freePort } from '../../bench/lib/free-port.js'
import { CHILD_TIMEOUT_MS } from '../helpers/child.js'

t.test('the demo serves the shop through the sidecar with no Redis and no MySQL, and says what is off', async t => {
  const [shopPort, sidecarPort, deadPort] = await Promise.all([freePort(), freePort(), freePort()])
  const child = spawn(process.execPath, [join(packageRoot, 'dist', 'examples', 'demo.js')], {
    env: {
      PATH: process.env.PATH,
      DEMO_SHOP_PORT: String(shopPort),
      SIDECAR_PORT: String(sidecarPort),
      SIDECAR_HOST: '127.0.0.1',
      SIDECAR_UPSTREAM: `http://127.0.0.1:${shopPort}`,
      REDIS_URL: `redis://127.0.0.1:${deadPort}`
    },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  t.after(() => { child.kill('SIGTERM') })
  let stderr = ''
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`demo did not start:\n${stderr}`)), CHILD_TIMEOUT_MS)
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString()
      if (stderr.includes('Press Ctrl+C')) { clearTimeout(timer); resolve() }
    })
    child.once('exit', code => { clearTimeout(timer); reject(new Error(`demo exited with ${String(code)}:\n${stderr}`)) })
  })
  t.match(stderr, new RegExp(`redis\\s+degraded\\s+unreachable at redis://127\\.0\\.0\\.1:${deadPort}: ECONNREFUSED`), 'says Redis is unreachable and what that means')
  t.match(stderr, /mysql\s+off\s+mysql\.url is empty/, 'says MySQL features are off and why')
  t.match(stderr, new RegExp(`Shop through the sidecar:\\s+http://127\\.0\\.0\\.1:${sidecarPort}/`), 'prints the site URL')
  t.match(stderr, /Admin dashboard:\s+http:\/\/127\.0\.0\.1:\d+\/_admin/, 'prints the dashboard URL')
  const res = await request(`http://127.0.0.1:${sidecarPort}/`)
  t.equal(res.statusCode, 200)
  t.match(await res.body.text(), /<html/i, 'the shop page came through the sidecar')
})
