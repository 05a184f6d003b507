// The one config schema: core sections plus each capability plugin's section. Types derive from it (Static),
// defaults live in it, config/default.yaml and docs/configuration.md are generated from it.
import { Type, type Static } from '@sinclair/typebox'
import { AdminSchema, LogSchema, MysqlSchema, ProxySchema, RedisSchema, ServerSchema, UpstreamSchema } from './core-schema.js'
import { pluginSchemas } from '../plugins/registry.js'
import type { DeepReadonly } from './deep-readonly.js'

export const ConfigSchema = Type.Object({
  server: ServerSchema,
  upstream: UpstreamSchema,
  proxy: ProxySchema,
  log: LogSchema,
  admin: AdminSchema,
  redis: RedisSchema,
  mysql: MysqlSchema,
  ...pluginSchemas
}, { additionalProperties: false })

export type SidecarConfig = Static<typeof ConfigSchema>


/** The validated, defaulted, deep-frozen config handed to every part of the sidecar. */
export type FrozenConfig = DeepReadonly<SidecarConfig>
