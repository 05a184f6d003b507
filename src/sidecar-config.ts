// The sidecar's whole config: the core's sections and every registered plugin's, composed here beside the
// composition root, so neither src/config nor src/core knows which plugins exist (and nothing imports in a circle).
// The loader, `check-config` and the docs generator all take this one schema.
import { Type, type Static, type TObject } from '@sinclair/typebox'
import { CoreSections } from './config/core-schema.js'
import type { DeepReadonly } from './config/deep-readonly.js'
import { CORE_ENV_OVERRIDES, createConfigLoader, type ConfigSpec, type EnvOverrides } from './config/load.js'
import type { PluginEntry } from './plugins/plugin-entry.js'
import { pluginEntries } from './plugins/registry.js'

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
    env
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
