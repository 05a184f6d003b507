// The schemas whose validators are generated ahead of time into src/config/generated/ (see src/config/standalone.ts),
// with the module each goes to. Beside the composition root, since it names schemas of several areas; only
// `npm run gen:config` and the drift test import it.
import type { TSchema } from '@sinclair/typebox'
import { ScenarioSchema } from './loadtest/scenario.js'
import { ConfigSchema } from './sidecar-config.js'

export interface GeneratedValidatorSpec {
  /** Path from the package root. */
  readonly file: string
  readonly schema: TSchema
  /** Where the schema is defined, for the generated file's header. */
  readonly from: string
}

export const GENERATED_VALIDATORS: readonly GeneratedValidatorSpec[] = [
  {
    file: 'src/config/generated/config-validator.ts',
    schema: ConfigSchema,
    from: 'ConfigSchema (src/sidecar-config.ts)'
  },
  {
    file: 'src/config/generated/scenario-validator.ts',
    schema: ScenarioSchema,
    from: 'ScenarioSchema (src/loadtest/scenario.ts)'
  }
]
