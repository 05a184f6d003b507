// The `hello:` config section: every key with a description and a default (the generated docs come from these).
import { Type } from '@sinclair/typebox'
import { Bool, Str } from '../../../src/config/schema-helpers.js'

export const HelloSchema = Type.Object({
  enabled: Bool('Greet every proxied response.', false),
  greeting: Str('Value of the X-Hello response header.', 'hello from the sidecar')
}, { additionalProperties: false, description: 'An example plugin (examples/plugins/hello).', default: {} })
