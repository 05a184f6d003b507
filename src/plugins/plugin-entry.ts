// What a capability declares to the core: its config section and schema, the process roles it runs in, its Fastify
// plugin (loaded only when its section is enabled), its CLI commands (loaded only when run) and the environment
// variables that override its keys. definePlugin() ties the schema to the plugin's options type, so a section can't
// be handed to the wrong plugin.
import type { Static, TObject } from '@sinclair/typebox'
import type { FastifyInstance, FastifyPluginAsync } from 'fastify'
import type { CommandEntry } from '../core/command.js'
import type { CoreConfig } from '../config/core-schema.js'
import type { DeepReadonly } from '../config/deep-readonly.js'
import type { EnvOverrides } from '../config/load.js'
import type { ProcessRole } from '../core/types.js'

/** A plugin's frozen config section, typed from its schema. */
export type Section<S extends TObject> = DeepReadonly<Static<S>>

export interface PluginOptions<S extends TObject> {
  config: Section<S>
}

/**
 * The checks of a section that its schema can't express and that start-up runs: pure (no I/O), throwing a coded
 * error whose message starts with the key path. The config loader's caller runs it for an enabled section, so
 * `check-config` rejects exactly what `start` would (src/sidecar-config.ts checkConfig).
 */
export type ConfigCheck<S extends TObject> = (section: Section<S>, core: CoreConfig) => void

export interface PluginDefinition<K extends string, S extends TObject> {
  /** The config section (YAML top-level key) the plugin owns. */
  key: K
  /** Human name for start-up messages. */
  title: string
  schema: S
  /** Process roles the plugin runs in. @default ['proxy'] */
  roles?: readonly ProcessRole[]
  /** The Fastify plugin, loaded only when `<key>.enabled` is true. */
  load(): Promise<{ default: FastifyPluginAsync<PluginOptions<S>> }>
  commands?: readonly CommandEntry[]
  env?: EnvOverrides
  /** Loads the section's start-up checks (lazily, like the plugin). */
  check?(): Promise<ConfigCheck<S>>
}

export interface PluginEntry<K extends string = string, S extends TObject = TObject> {
  readonly key: K
  readonly title: string
  readonly schema: S
  readonly roles: readonly ProcessRole[]
  readonly commands: readonly CommandEntry[]
  readonly env: EnvOverrides
  /** Loads and registers the plugin with its section (validated against `schema` by the config loader). */
  mount(app: FastifyInstance, section: unknown): Promise<void>
  /** Runs the section's start-up checks (see ConfigCheck); resolves when there are none. */
  check(section: unknown, core: CoreConfig): Promise<void>
}

export function definePlugin<K extends string, S extends TObject> (def: PluginDefinition<K, S>): PluginEntry<K, S> {
  return {
    key: def.key,
    title: def.title,
    schema: def.schema,
    roles: def.roles ?? ['proxy'],
    commands: def.commands ?? [],
    env: def.env ?? {},
    async check (section, core) {
      if (def.check === undefined) return
      const run = await def.check()
      run(section as Section<S>, core)
    },
    async mount (app, section) {
      const mod = await def.load()
      // The loader validated the whole config against a schema that holds `schema` under `key`.
      await app.register(mod.default, { config: section as Section<S> })
    }
  }
}
