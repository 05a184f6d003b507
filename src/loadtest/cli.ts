// `sipup-sidecar bench ...` / `npm run bench -- ...`: parse, run, report. Exit code 0 = thresholds pass,
// 1 = a threshold failed (usable in CI), 2 = bad options or scenario.
import { writeFileSync } from 'node:fs'
import { parseBenchArgs } from './args.js'
import { htmlReport } from './report-html.js'
import { textReport } from './report-text.js'
import { progressPrinter } from './progress.js'
import { runBench } from './run.js'

export const BENCH_HELP = `Usage: sipup-sidecar bench [options]        (or: npm run bench -- [options])

Load-tests a site and tells the truth about latency. Three load models:
  closed (default)  --connections N: each connection sends its next request as soon as the answer arrives.
                    A saturation test: latency is forced to N / throughput and server stalls are under-reported.
  open              --rate R: R requests/s are due whatever the server does; latency counts from the due time
                    (coordinated-omission correction), so a stall shows up in p99.
  virtual users     --users N --think 5s: N users, one keep-alive connection each, each due again after a think
                    time (uniform 0.5-1.5x the mean); latency from the due time. "20,000 users" means this.

Target:
  -u, --url <url>            URL to request (repeatable, one origin; requested in turn)
  -s, --scenario <file>      YAML scenario: weighted requests, virtual users that log in (see README)
  -m, --method <m>           method for --url (default GET)
  -H, --header 'Name: v'     header for --url (repeatable)
  -b, --body <text>          body for --url
      --cookies              keep cookies per connection for --url (scenarios keep them by default)
      --compare <url>        also run against this origin, interleaved in rounds (A B A B), side by side
      --rounds <n>           rounds (default 1, or 3 with --compare); figures are medians over rounds

Load:
  -c, --connections <n>      closed: connections (default 10); open: connection pool (default 100)
  -r, --rate <n>             open model: requests/s
      --users <n>            virtual users
      --think <duration>     mean think time of a virtual user (default 5s)
      --ramp <stages>        e.g. 30s:500,1m:5000: from 0, reach each level linearly, then hold it
  -d, --duration <duration>  measured time at the final level, after the ramp and the warm-up (default 10s)
  -w, --warmup <duration>    unmeasured time from the start (default 0; one think time with --users and
                             no ramp); with a ramp shorter than the warm-up, the ramp is not measured
      --timeout <duration>   per request (default 10s)
      --no-co-correction     open/users models: measure from the actual send time instead
      --source-addresses <x> spread connections over source IPs, e.g. 127.1.0.0/16 (loopback only):
                             more than ~28k connections per target, and distinct client IPs for rate limits

Report:
  -t, --threshold <expr>     pass/fail limit, repeatable: p95<500ms, p99<=1s, success>=99%, rps>=1000,
                             errors<=0, hit>=80% (defaults: p95<500ms, success>=99%; same metric replaces)
      --no-thresholds        no pass/fail
      --json                 print the full report as JSON on stdout
      --html <file>          write a self-contained HTML report (charts: latency over time, histogram)
      --no-progress          no progress line (it is only shown on a TTY anyway)
  -h, --help                 this text

Exit code: 0 all thresholds pass, 1 a threshold failed, 2 bad options or scenario.
`

export interface BenchIo {
  stdout: NodeJS.WritableStream
  stderr: NodeJS.WriteStream | NodeJS.WritableStream
}

export async function runBenchCli (argv: string[], io: BenchIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  let args: ReturnType<typeof parseBenchArgs>
  try {
    args = parseBenchArgs(argv)
  } catch (err) {
    const e = err as Error & { code?: string }
    if (e.code?.startsWith('SIPUP_ERR_') !== true) throw err
    io.stderr.write(`${e.message}\nRun 'sipup-sidecar bench --help' for the options.\n`)
    return 2
  }
  if (args.help) {
    io.stdout.write(BENCH_HELP)
    return 0
  }
  const tty = (io.stderr as NodeJS.WriteStream).isTTY === true && args.progress
  const progress = tty ? progressPrinter(io.stderr as NodeJS.WriteStream) : null
  const abort = new AbortController()
  const onSignal = (): void => abort.abort()
  process.once('SIGINT', onSignal)
  try {
    const report = await runBench({ ...args, onProgress: progress?.update, signal: abort.signal })
    progress?.done()
    io.stdout.write(args.json ? JSON.stringify(report, null, 2) + '\n' : textReport(report))
    if (args.html !== null) {
      writeFileSync(args.html, htmlReport(report))
      if (!args.json) io.stdout.write(`HTML report: ${args.html}\n`)
    }
    return report.pass ? 0 : 1
  } finally {
    process.off('SIGINT', onSignal)
  }
}
