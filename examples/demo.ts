// `npm run demo`: the demo shop (a slow, PHP-like origin) on :8081, the sidecar in front of it on :8080 with
// config/demo.yaml, and one job worker (`sipup-sidecar worker`, its own process). Works with no Redis and no MySQL:
// start-up says which features are off and why.
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { loadConfig } from '../src/sidecar-config.js'
import { packageRoot } from '../src/paths.js'
import { runSidecar } from '../src/run.js'
import { startLegacyApp } from './legacy-app/shop.js'

const SHOP_PORT = Number(process.env.DEMO_SHOP_PORT ?? 8081)

let loaded
try {
  loaded = loadConfig({ file: process.env.SIDECAR_CONFIG ?? join(packageRoot, 'config', 'demo.yaml') })
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`)
  process.exit(2)
}
const jobs = loaded.config.jobs
const shop = await startLegacyApp({ port: SHOP_PORT, host: '127.0.0.1', jobsSecret: jobs.enabled ? jobs.secret : '' })
process.stderr.write(`demo shop (the slow "PHP" origin) on ${shop.url}\n`)
const sidecar = await runSidecar(loaded.config, { signals: false })
// The worker reads the same config and environment; its log lines go to this terminal.
const worker = jobs.enabled
  ? spawn(process.execPath, [join(packageRoot, 'dist', 'src', 'cli', 'index.js'), 'worker'], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, SIDECAR_CONFIG: process.env.SIDECAR_CONFIG ?? join(packageRoot, 'config', 'demo.yaml') }
  })
  : null
const admin = loaded.config.admin.prefix
process.stderr.write([
  '',
  `  Shop through the sidecar:  ${sidecar.url}/`,
  `  Shop direct (slow origin): ${shop.url}/`,
  `  Admin dashboard:           ${sidecar.url}${admin}`,
  `  Health / readiness:        ${sidecar.url}${admin}/health  ${sidecar.url}${admin}/ready`,
  ...(jobs.enabled
    ? [`  Job endpoint:              POST ${sidecar.url}${jobs.prefix}/<type> (bearer jobs.secret; one worker running)`,
        `                             curl -H 'Authorization: Bearer <jobs.secret>' -H 'Content-Type: application/json' \\`,
        `                               -d '{"orderId": 42}' ${sidecar.url}${jobs.prefix}/process_order`]
    : []),
  '',
  'Press Ctrl+C to stop.',
  ''
].join('\n'))

const stop = (): void => {
  worker?.kill('SIGTERM')
  sidecar.shutdown('signal').then(() => shop.close()).then(() => process.exit(0), () => process.exit(1))
}
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
