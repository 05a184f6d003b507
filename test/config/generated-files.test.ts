// config/default.yaml and docs/configuration.md are generated from the schema: fail when they are stale.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { renderConfigDocs, renderDefaultYaml } from '../../src/config/generate.js'
import { ConfigSchema, loadConfig } from '../../src/sidecar-config.js'
import { packageRoot } from '../../src/paths.js'

t.test('config/default.yaml matches the schema (run `npm run gen:config`)', async t => {
  t.equal(readFileSync(join(packageRoot, 'config', 'default.yaml'), 'utf8'), renderDefaultYaml(ConfigSchema))
})

t.test('docs/configuration.md matches the schema (run `npm run gen:config`)', async t => {
  t.equal(readFileSync(join(packageRoot, 'docs', 'configuration.md'), 'utf8'), renderConfigDocs(ConfigSchema))
})

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
