// The sidecar's whole config: the core's sections and every registered plugin's, composed here beside the
// composition root, so neither src/config nor src/core knows which plugins exist (and nothing imports in a circle).
// The loader, `check-config` and the docs generator all take this one schema.
import { Type, type Static, type TObject } from '@sinclair/typebox'
import { CoreSections } from './config/core-schema.js'
import type { DeepReadonly } from './config/deep-readonly.js'
import { CORE_ENV_OVERRIDES, createConfigLoader, formatIssue, type ConfigIssue, type ConfigSpec, type EnvOverrides, type LoadedConfig } from './config/load.js'
import * as generatedValidator from './config/generated/config-validator.js'
import { SIPUP_ERR_CONFIG_INVALID, SIPUP_ERR_TLS_CONFIG } from './errors.js'
import { loadTlsMaterial, tlsEnabled } from './core/tls/material.js'
import type { PluginEntry } from './plugins/plugin-entry.js'
import { pluginEntries } from './plugins/registry.js'
import { redisTopology } from './core/redis-topology.js'
import { checkOriginGuardConfig } from './proxy/origin-guard/worker-share.js'
import { workerCount } from './cluster/worker-slot.js'

type Entries = typeof pluginEntries
type PluginSections = { [E in Entries[number] as E['key']]: E['schema'] }

function pluginSections (entries: readonly PluginEntry[]): Record<string, TObject> {
  return Object.fromEntries(entries.map(e => [e.key, e.schema]))
}

/** The schema of a config made of the core's sections and `entries`' (tests compose one with an extra plugin). */
export function composeConfigSpec (entries: readonly PluginEntry[]): ConfigSpec {
  const env: Record<string, EnvOverrides[string]> = { ...CORE_ENV_OVERRIDES }
  for (const e of entries) Object.assign(env, e.env)
  return {
    schema: Type.Object({ ...CoreSections, ...pluginSections(entries) }, { additionalProperties: false }),
    env,
    // Generated from ConfigSchema by `npm run gen:config`: compiling the schema took most of each start-up. The
    // loader uses it only when this schema is ConfigSchema (the registry's entries); others are compiled.
    precompiled: generatedValidator
  }
}

export const ConfigSchema = Type.Object({
  ...CoreSections,
  ...(pluginSections(pluginEntries) as PluginSections)
}, { additionalProperties: false })

export type SidecarConfig = Static<typeof ConfigSchema>

/** The validated, defaulted, deep-frozen config handed to every part of the sidecar. */
export type FrozenConfig = DeepReadonly<SidecarConfig>

const loader = createConfigLoader<FrozenConfig>({ ...composeConfigSpec(pluginEntries), schema: ConfigSchema })

export const configSpec = loader.spec
export const loadConfig = loader.load
export const validateSources = loader.validateSources

/** A key path at the start of a check's message: `cache.rules[0].pathRegex: expected ...`. */
const KEY_PATH = /^([A-Za-z_$][\w$]*(?:\.[\w$-]+|\[[^\]]*\])*): ([\s\S]*)$/

/**
 * Runs every enabled plugin's start-up checks (the ones its schema can't express) on a loaded config and throws
 * SIPUP_ERR_CONFIG_INVALID with one issue per failing section, each naming its key path and the source that set
 * it. `check-config`, `start` and every command that loads a config go through here, so none accepts what start
 * would refuse.
 */
export async function checkConfig (loaded: LoadedConfig<FrozenConfig>, entries: readonly PluginEntry[] = pluginEntries): Promise<void> {
  const sections = loaded.config as unknown as Readonly<Record<string, { readonly enabled?: boolean } | undefined>>
  const issues: ConfigIssue[] = []
  const push = (message: string, fallback: string): void => {
    const m = KEY_PATH.exec(message)
    const path = m === null ? fallback : m[1]
    issues.push({ source: loaded.blame(path), path, message: m === null ? message : m[2] })
  }
  const server = loaded.config.server
  const checks: { key: string, run: () => unknown }[] = [
    { key: 'redis', run: () => redisTopology(loaded.config.redis) },
    { key: 'upstream', run: () => { checkOriginGuardConfig(loaded.config.upstream, workerCount(server.workers)) } },
    // The certificates are read here too, so check-config refuses a missing, expired or mismatched one as start would.
    {
      key: tlsEnabled(server.tls) ? 'server.tls' : 'server.http2',
      run: () => {
        if (tlsEnabled(server.tls)) loadTlsMaterial(server.tls)
        else if (server.http2) throw new SIPUP_ERR_TLS_CONFIG('cert', '', 'server.http2 needs a certificate (browsers speak HTTP/2 over TLS only)')
      }
    }
  ]
  for (const entry of entries) {
    const section = sections[entry.key]
    if (section?.enabled === true) checks.push({ key: entry.key, run: async () => { await entry.check(section, loaded.config) } })
  }
  for (const entry of checks) {
    try {
      await entry.run()
    } catch (err) {
      push((err as Error).message, entry.key)
    }
  }
  if (issues.length === 0) return
  const err = new SIPUP_ERR_CONFIG_INVALID(issues.map(formatIssue).join('\n'))
  Object.assign(err, { issues })
  throw err
}
