// The checks start-up runs on `cache:` that the schema can't express (rule combinations, RE2 syntax of pathRegex),
// for `check-config` too: the same compileRules() the plugin's runtime calls.
import type { CoreConfig } from '../../config/core-schema.js'
import type { Section } from '../plugin-entry.js'
import { compileRules } from './rules.js'
import type { CacheConfig, CacheSchema } from './schema.js'

export function checkCacheConfig (section: Section<typeof CacheSchema>, core: CoreConfig): void {
  compileRules(section.rules as CacheConfig['rules'], core.origin)
}
