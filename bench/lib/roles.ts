// The parties the bench scripts start as child processes (see startProcess): each is one of these roles.
import { pino } from 'pino'

/** The demo shop on `port`. */
export async function startOriginRole (port: number): Promise<void> {
  const { startLegacyApp } = await import('../../examples/legacy-app/shop.js')
  await startLegacyApp({ port, host: '127.0.0.1' })
}

/** A sidecar in front of `upstream` with every capability plugin off unless `overrides` turns it on. */
export async function startSidecarRole (port: number, upstream: string, overrides: Record<string, unknown> = {}): Promise<void> {
  const { loadConfig } = await import('../../src/sidecar-config.js')
  const { buildApp } = await import('../../src/app.js')
  const { pluginEntries } = await import('../../src/plugins/registry.js')
  const off = Object.fromEntries(pluginEntries.map(e => [e.key, { enabled: false }]))
  const { config } = loadConfig({
    env: {},
    overrides: {
      ...off,
      server: { host: '127.0.0.1', port },
      upstream: { url: upstream },
      redis: { enabled: false },
      log: { level: 'warn', requests: false },
      ...overrides
    }
  })
  const app = await buildApp(config, { logger: pino({ level: 'warn' }) })
  await app.listen({ host: '127.0.0.1', port })
}

/** Tells the parent (startProcess) the role is up; a clean exit on signals lets `node --cpu-prof` write its profile. */
export function announceReady (name: string): void {
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => process.exit(0))
  process.stdout.write(`ready ${name}\n`)
}
