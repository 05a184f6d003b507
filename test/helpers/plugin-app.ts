// Apps built by the real composition root with extra plugins of a test's own: the contract a third-party plugin
// gets (registry entry, own config section, proxy hooks, fields), not a hand-assembled Fastify.
import { Type } from '@sinclair/typebox'
import type { FastifyInstance, FastifyPluginAsync } from 'fastify'
import { pino } from 'pino'
import { buildApp } from '../../src/app.js'
import { createConfigLoader } from '../../src/config/load.js'
import { Bool } from '../../src/config/schema-helpers.js'
import type { ProcessRole } from '../../src/core/types.js'
import { definePlugin, type PluginEntry, type PluginOptions } from '../../src/plugins/plugin-entry.js'
import { pluginEntries } from '../../src/plugins/registry.js'
import { composeConfigSpec, type FrozenConfig } from '../../src/sidecar-config.js'
import { deepMerge, type Overrides } from './sidecar.js'

const EnabledOnly = Type.Object({ enabled: Bool('Turn the test plugin on.', true) }, { additionalProperties: false, default: {} })

/** A plugin with a one-key section (`enabled`, on by default) whose registration is `fn`. */
export function testPlugin (key: string, fn: FastifyPluginAsync<PluginOptions<typeof EnabledOnly>>,
  opts: { roles?: readonly ProcessRole[] } = {}): PluginEntry {
  return definePlugin({ key, title: key, schema: EnabledOnly, roles: opts.roles, load: async () => ({ default: fn }) })
}

export interface BuiltApp {
  app: FastifyInstance
  config: FrozenConfig
}

/** The registry's plugins plus `extra`, config from `overrides` over the defaults (Redis off unless asked for). */
export async function buildWithPlugins (extra: readonly PluginEntry[], overrides: Overrides = {},
  opts: { role?: 'proxy' | 'worker', logLines?: Record<string, unknown>[] } = {}): Promise<BuiltApp> {
  const entries = [...pluginEntries, ...extra]
  const loader = createConfigLoader<FrozenConfig>(composeConfigSpec(entries))
  const base: Overrides = { server: { host: '127.0.0.1', port: 0 }, redis: { enabled: false }, log: { level: 'silent', requests: false } }
  const { config } = loader.load({ env: {}, overrides: deepMerge(base, overrides) })
  const lines = opts.logLines
  const logger = lines === undefined
    ? pino({ level: 'silent' })
    : pino({ level: 'info' }, { write: (line: string) => { lines.push(JSON.parse(line) as Record<string, unknown>) } })
  const app = await buildApp(config, { logger, plugins: entries, role: opts.role })
  return { app, config }
}
