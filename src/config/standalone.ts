// Renders a schema's validator as a module for src/config/generated/, with Ajv's standalone code (as
// fastify/build/build-validation.js does for fastify's own options): compiling the sidecar's schema takes most of a
// second, loading the generated module and its first call some 50 ms. `npm run gen:config` writes the modules;
// test/config/generated-files.case.ts fails when one differs from what the current schema renders.
import standalone from 'ajv/dist/standalone/index.js'
import type { TSchema } from '@sinclair/typebox'
import { createConfigAjv, STANDALONE_IMPORTS } from './keywords.js'
import { schemaHash } from './validate.js'

const REQUIRE = ["import { createRequire } from 'node:module'", '', 'const require = createRequire(import.meta.url)']
const EXPORTS = /^"use strict";\nexport const validate = (\w+);\nexport default \w+;\n/

/** `from` names the schema in the header, e.g. `ConfigSchema (src/sidecar-config.ts)`. */
export function renderStandaloneValidator (schema: TSchema, from: string): string {
  const ajv = createConfigAjv(true)
  // ajv's CommonJS module: its default export is `.default` of what ESM imports.
  const code = standalone.default(ajv, ajv.compile(schema))
  const m = EXPORTS.exec(code)
  if (m === null) throw new Error('Ajv standalone code lacks its usual exports: update src/config/standalone.ts')
  return [
    `// GENERATED from ${from} by \`npm run gen:config\` (Ajv standalone code, src/config/standalone.ts): do not edit.`,
    "// @ts-nocheck -- Ajv's plain JavaScript; the typed exports are at the end.",
    "import type { SchemaValidate } from '../validate.js'",
    ...STANDALONE_IMPORTS,
    // Ajv's code requires its small runtime helpers (ajv/dist/runtime/*) by name.
    ...(code.includes('require(') ? REQUIRE : []),
    '',
    code.slice(m[0].length).trimEnd(),
    '',
    `export const validate: SchemaValidate = ${m[1]}`,
    `export const schemaHash = '${schemaHash(schema)}'`,
    ''
  ].join('\n')
}
