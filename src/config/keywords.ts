// The config schema's own keywords, `x-unit` and `x-address`, and the one Ajv set-up every config and scenario
// validator is built with, at run time (compileConfigValidator) and ahead of time (standalone.ts).
// They generate code rather than call a `validate` function: only code keywords can go into Ajv's standalone
// modules (https://ajv.js.org/standalone.html#configuration-and-limitations). The generated code calls the same
// parsers as the rest of the sidecar, through the names in STANDALONE_IMPORTS.
import { createRequire } from 'node:module'
import type AjvModule from 'ajv'
import type { KeywordCxt, KeywordDefinition, Options } from 'ajv'
import { isAddressSpec } from './address-list.js'
import { parseBytes, parseDuration } from './units.js'

type AjvLib = typeof AjvModule
type Ajv = InstanceType<AjvLib['default']>

/** The imports the generated modules (src/config/generated/) need for the functions the keywords call. */
export const STANDALONE_IMPORTS: readonly string[] = [
  "import { isAddressSpec } from '../address-list.js'",
  "import { parseBytes, parseDuration } from '../units.js'"
]

/** `verbose` gives every error its parentSchema, which describe() words the expectation from. */
const AJV_OPTIONS: Options = { allErrors: true, useDefaults: true, verbose: true, strict: false }
const STANDALONE_CODE: Options['code'] = { source: true, esm: true, lines: true }

/**
 * `x-unit: duration|bytes`: the value (`30s`, `256MB` or a bare number) is replaced in place by its number of ms or
 * bytes, so the `minimum` beside it (a number keyword, checked after this one) sees the number. A value that does
 * not parse, or parses below `minimum`, fails with params `{unit, value, minimum}`, the original value.
 */
const unitKeyword = ({ _ }: AjvLib): KeywordDefinition => ({
  keyword: 'x-unit',
  schemaType: 'string',
  error: {
    message: 'unit',
    params: ({ schema, data, parentSchema }) =>
      _`{unit: ${schema as string}, value: ${data}, minimum: ${minimumOf(parentSchema) ?? _`undefined`}}`
  },
  code (cxt: KeywordCxt) {
    const { gen, data, it } = cxt
    const unit = cxt.schema as string
    const parse = unit === 'duration'
      ? gen.scopeValue('func', { ref: parseDuration, code: _`parseDuration` })
      : gen.scopeValue('func', { ref: parseBytes, code: _`parseBytes` })
    const parsed = gen.const('parsed', _`${parse}(${data})`)
    const minimum = minimumOf(cxt.parentSchema)
    const bad = minimum === undefined
      ? _`${parsed} === undefined`
      : _`${parsed} === undefined || ${parsed} < ${minimum}`
    gen.if(bad, () => cxt.error(), () => {
      // At the top level there is no parent to write into (a bare value is validated for its errors only).
      gen.if(it.parentData, () => {
        gen.assign(_`${it.parentData}[${it.parentDataProperty}]`, parsed)
        gen.assign(data, parsed)
      })
    })
  }
})

/** `x-address: true`: a string list entry must be an address, a CIDR or a named range (address-list.ts). */
const addressKeyword = ({ _ }: AjvLib): KeywordDefinition => ({
  keyword: 'x-address',
  code (cxt: KeywordCxt) {
    const check = cxt.gen.scopeValue('func', { ref: isAddressSpec, code: _`isAddressSpec` })
    cxt.fail(_`!${check}(${cxt.data})`)
  }
})

function minimumOf (parentSchema: unknown): number | undefined {
  const min = (parentSchema as { minimum?: unknown } | undefined)?.minimum
  return typeof min === 'number' ? min : undefined
}

/**
 * An Ajv instance with the options and keywords of every config validator; `standalone` keeps the code for
 * export, one statement a line.
 * Ajv is loaded here, not imported: a process that runs only generated validators never loads it (~40 ms of CPU).
 */
export function createConfigAjv (standalone = false): Ajv {
  const lib = createRequire(import.meta.url)('ajv') as AjvLib
  const ajv = new lib.default(standalone ? { ...AJV_OPTIONS, code: STANDALONE_CODE } : AJV_OPTIONS)
  // Order matters: errors come out in keyword order, and the first error for a key path is the one shown.
  ajv.addKeyword(unitKeyword(lib))
  ajv.addKeyword(addressKeyword(lib))
  return ajv
}
