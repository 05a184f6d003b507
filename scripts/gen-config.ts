// Writes config/default.yaml, docs/configuration.md and the generated validators (src/config/generated/) from the
// schemas. test/config/generated-files.case.ts fails when any of them is stale.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { renderConfigDocs, renderDefaultYaml } from '../src/config/generate.js'
import { GENERATED_VALIDATORS } from '../src/generated-validators.js'
import { renderStandaloneValidator } from '../src/config/standalone.js'
import { ConfigSchema } from '../src/sidecar-config.js'
import { packageRoot } from '../src/paths.js'

writeFileSync(join(packageRoot, 'config', 'default.yaml'), renderDefaultYaml(ConfigSchema))
writeFileSync(join(packageRoot, 'docs', 'configuration.md'), renderConfigDocs(ConfigSchema))
mkdirSync(join(packageRoot, 'src', 'config', 'generated'), { recursive: true })
for (const v of GENERATED_VALIDATORS) {
  writeFileSync(join(packageRoot, v.file), renderStandaloneValidator(v.schema, v.from))
}
console.log(`wrote config/default.yaml, docs/configuration.md, ${GENERATED_VALIDATORS.map(v => v.file).join(', ')}`)
