import { BENCH_HELP, runBenchCli } from '../../bench/cli.js'
import type { Command } from '../command.js'

export const bench: Command = {
  name: 'bench',
  summary: 'load-test a site: closed, open (--rate) or virtual-user (--users) model, thresholds, --compare',
  usage: BENCH_HELP.trimEnd(),
  run: args => runBenchCli(args)
}
