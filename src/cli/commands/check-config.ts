import { stringify } from 'yaml'
import { redact } from '../../config/redact.js'
import { CONFIG_USAGE, loadConfigFromArgs } from '../config-args.js'
import { EXIT_OK, EXIT_USAGE, type Command } from '../../core/command.js'

export const command: Command = {
  name: 'check-config',
  summary: 'validate the config and print the effective config (secrets redacted)',
  usage: `Usage: sipup-sidecar check-config [-c FILE]

Validates the merged config (defaults, FILE or $SIDECAR_CONFIG, environment). On success prints the effective
config as YAML with secrets redacted and exits 0; otherwise prints one line per problem
("file: key.path: expected X, got Y") and exits 2. Durations are shown in ms and sizes in bytes.

${CONFIG_USAGE}`,
  async run (args) {
    const loaded = await loadConfigFromArgs(args)
    if (loaded === null) return EXIT_USAGE
    process.stdout.write(`# sources: ${loaded.sources.join(' < ')}\n`)
    process.stdout.write(stringify(redact(loaded.config)))
    return EXIT_OK
  }
}
