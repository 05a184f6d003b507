// Renders config/default.yaml and docs/configuration.md from the schema, so defaults and docs cannot drift from
// the code. `npm run gen:config` writes both; test/config-generated.test.ts fails when they are stale.
import type { TSchema } from '@sinclair/typebox'
import { stringify } from 'yaml'
import { expectation } from './validate.js'

type Node = Record<string, unknown>

const YAML_HEADER = '# GENERATED from the config schema by `npm run gen:config`: do not edit; edit src/**/schema.ts.\n' +
  '# Every key of sipup-sidecar with its default. Your file (-c / SIDECAR_CONFIG) is merged over this one:\n' +
  '# mappings merge key by key, lists and values replace.\n'

function props (schema: TSchema): [string, TSchema][] {
  return Object.entries(((schema as Node).properties ?? {}) as Record<string, TSchema>)
}

function scalar (value: unknown): string {
  return stringify(value, { lineWidth: 0, flowCollectionPadding: false, collectionStyle: 'flow' }).trimEnd()
}

export function renderDefaultYaml (schema: TSchema): string {
  const lines: string[] = [YAML_HEADER]
  const walk = (schema: TSchema, indent: string): void => {
    for (const [key, child] of props(schema)) {
      const c = child as Node
      if (typeof c.description === 'string') lines.push(`${indent}# ${c.description}`)
      if (c.type === 'object' && c.properties !== undefined) {
        lines.push(`${indent}${key}:`)
        walk(child, `${indent}  `)
        if (indent === '') lines.push('')
      } else {
        lines.push(`${indent}${key}: ${scalar(c.default)}`)
      }
    }
  }
  walk(schema, '')
  return lines.join('\n').trimEnd() + '\n'
}

export function renderConfigDocs (schema: TSchema): string {
  const out: string[] = [
    '<!-- GENERATED from the config schema by `npm run gen:config`: do not edit; edit src/**/schema.ts. -->',
    '# Configuration reference',
    '',
    'Every key, its type, its default and what it does. Durations take `250ms`, `30s`, `5m`, `1h`, `1d`; sizes take ' +
      '`512KB`, `16MB`, `1GB`. Unknown keys stop start-up. Environment variables that override a key are named in ' +
      'its description.',
    ''
  ]
  const walk = (schema: TSchema, prefix: string, depth: number): void => {
    for (const [key, child] of props(schema)) {
      const c = child as Node
      const path = prefix === '' ? key : `${prefix}.${key}`
      if (c.type === 'object' && c.properties !== undefined) {
        out.push(`${'#'.repeat(Math.min(depth + 2, 4))} \`${path}\``, '', String(c.description ?? ''), '')
        walk(child, path, depth + 1)
        continue
      }
      const def = c.default === undefined ? 'required' : `\`${JSON.stringify(c.default)}\``
      out.push(`- **\`${path}\`** ${expectation(child)} - Default: ${def} - ${String(c.description ?? '')}`)
      const items = c.items as Node | undefined
      if (c.type === 'array' && items?.type === 'object') {
        for (const [ik, ic] of props(items as TSchema)) {
          const icn = ic as Node
          const idef = icn.default === undefined ? '' : ` - Default: \`${JSON.stringify(icn.default)}\``
          out.push(`  - **\`${path}[].${ik}\`** ${expectation(ic)}${idef} - ${String(icn.description ?? '')}`)
        }
      }
    }
    out.push('')
  }
  walk(schema, '', 0)
  return out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd() + '\n'
}
