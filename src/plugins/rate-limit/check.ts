// The checks start-up runs on `rateLimit:` that the schema can't express, for `check-config` too: the same
// resolveParams() the plugin calls at registration, so the two can't disagree.
import type { CoreConfig } from '../../config/core-schema.js'
import { resolveParams } from './options.js'
import type { RateLimitSection } from './schema.js'

export function checkRateLimitConfig (section: RateLimitSection, core: CoreConfig): void {
  resolveParams(section, core.origin)
}
