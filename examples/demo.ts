// `npm run demo`: the demo shop (a slow, PHP-like origin) on :8081 and the sidecar in front of it on :8080 with
// config/demo.yaml. Works with no Redis and no MySQL: start-up says which features are off and why.
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
const shop = await startLegacyApp({ port: SHOP_PORT, host: '127.0.0.1' })
process.stderr.write(`demo shop (the slow "PHP" origin) on ${shop.url}\n`)
const sidecar = await runSidecar(loaded.config, { signals: false })
const admin = loaded.config.admin.prefix
process.stderr.write([
  '',
  `  Shop through the sidecar:  ${sidecar.url}/`,
  `  Shop direct (slow origin): ${shop.url}/`,
  `  Admin dashboard:           ${sidecar.url}${admin}`,
  `  Health / readiness:        ${sidecar.url}${admin}/health  ${sidecar.url}${admin}/ready`,
  '',
  'Press Ctrl+C to stop.',
  ''
].join('\n'))

const stop = (): void => {
  sidecar.shutdown('signal').then(() => shop.close()).then(() => process.exit(0), () => process.exit(1))
}
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
