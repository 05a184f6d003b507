import { BENCH_HELP, runBenchCli } from '../../loadtest/cli.js'
import type { Command } from '../../core/command.js'

export const command: Command = {
  name: 'bench',
  summary: 'load-test a site: closed, open (--rate) or virtual-user (--users) model, thresholds, --compare',
  usage: BENCH_HELP.trimEnd(),
  run: args => runBenchCli(args)
}
