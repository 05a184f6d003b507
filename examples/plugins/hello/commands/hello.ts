// `sipup-sidecar hello [NAME]`: a plugin's CLI command, loaded only when it runs.
import { parseArgs } from 'node:util'
import { EXIT_OK, type Command } from '../../../../src/core/command.js'

export const command: Command = {
  name: 'hello',
  summary: 'say hello',
  usage: 'Usage: sipup-sidecar hello [NAME]\n\nPrints a greeting (an example of a command a plugin declares).',
  async run (args) {
    const { positionals } = parseArgs({ args, options: {}, allowPositionals: true, strict: true })
    process.stdout.write(`hello, ${positionals[0] ?? 'world'}\n`)
    return EXIT_OK
  }
}
