// config/default.yaml, docs/configuration.md and the validators in src/config/generated/ are generated from the
// schemas: fail when they are stale.
import t from '../helpers/cases.js'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { renderConfigDocs, renderDefaultYaml } from '../../src/config/generate.js'
import { renderStandaloneValidator } from '../../src/config/standalone.js'
import { GENERATED_VALIDATORS } from '../../src/generated-validators.js'
import { ConfigSchema, loadConfig } from '../../src/sidecar-config.js'
import { packageRoot } from '../../src/paths.js'

t.test('config/default.yaml matches the schema (run `npm run gen:config`)', async t => {
  t.equal(readFileSync(join(packageRoot, 'config', 'default.yaml'), 'utf8'), renderDefaultYaml(ConfigSchema))
})

t.test('docs/configuration.md matches the schema (run `npm run gen:config`)', async t => {
  t.equal(readFileSync(join(packageRoot, 'docs', 'configuration.md'), 'utf8'), renderConfigDocs(ConfigSchema))
})

for (const v of GENERATED_VALIDATORS) {
  t.test(`${v.file} matches ${v.from} (run \`npm run gen:config\`)`, async t => {
    // Compared as text, not with t.equal: a diff of a 650 KB module would drown the report.
    const same = readFileSync(join(packageRoot, v.file), 'utf8') === renderStandaloneValidator(v.schema, v.from)
    t.ok(same, `${v.file} is stale`)
  })
}

t.test('the defaults file alone is a valid config, equal to the schema defaults', async t => {
  const fromFile = loadConfig({ env: {} }).config
  const fromSchema = loadConfig({ env: {}, defaultsFile: join(t.testdir({ 'empty.yaml': '' }), 'empty.yaml') }).config
  t.same(fromFile, fromSchema)
  t.type(parse(readFileSync(join(packageRoot, 'config', 'default.yaml'), 'utf8')), 'object')
})

t.test('every shipped example config is valid', async t => {
  for (const name of ['demo.yaml']) {
    t.doesNotThrow(() => loadConfig({ env: {}, file: join(packageRoot, 'config', name) }), name)
  }
})
