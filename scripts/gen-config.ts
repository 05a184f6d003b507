// Writes config/default.yaml and docs/configuration.md from the schema.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { renderConfigDocs, renderDefaultYaml } from '../src/config/generate.js'
import { ConfigSchema } from '../src/sidecar-config.js'
import { packageRoot } from '../src/paths.js'

writeFileSync(join(packageRoot, 'config', 'default.yaml'), renderDefaultYaml(ConfigSchema))
writeFileSync(join(packageRoot, 'docs', 'configuration.md'), renderConfigDocs(ConfigSchema))
console.log('wrote config/default.yaml and docs/configuration.md')
