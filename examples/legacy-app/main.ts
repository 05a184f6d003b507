// CLI for the demo shop: `node dist/examples/legacy-app/main.js --port 8081 [--max-children 20] [--min-delay 30] ...`
import { parseArgs } from 'node:util'
import { startLegacyApp } from './shop.js'

const HELP = `Usage: node dist/examples/legacy-app/main.js [options]

A stand-in for a slow legacy PHP shop (PHP session headers, 30-80 ms pages, php-fpm max_children queueing).

Options:
  --port <n>          port to listen on (default 8081, 0 = any free port)
  --host <addr>       address to bind (default 127.0.0.1)
  --max-children <n>  concurrent PHP requests, like pm.max_children (default 20); the rest wait in a FIFO queue
  --min-delay <ms>    shortest page time (default 30)
  --max-delay <ms>    longest page time (default 80)
  --no-fast           do not serve /fast (4 KB, no delay, no limit)
  -h, --help          show this help
`

function intOption (name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0) {
    process.stderr.write(`--${name}: expected a non-negative integer, got '${value}'\n`)
    process.exit(2)
  }
  return n
}

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    'max-children': { type: 'string' },
    'min-delay': { type: 'string' },
    'max-delay': { type: 'string' },
    'no-fast': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' }
  }
})
if (values.help === true) {
  process.stdout.write(HELP)
  process.exit(0)
}

const app = await startLegacyApp({
  port: intOption('port', values.port),
  host: values.host,
  maxChildren: intOption('max-children', values['max-children']),
  minDelayMs: intOption('min-delay', values['min-delay']),
  maxDelayMs: intOption('max-delay', values['max-delay']),
  fastRoute: values['no-fast'] !== true
})
process.stdout.write(`legacy shop listening on ${app.url} (try ${app.url}/catalog.php, log in as user1 / secret)\n`)

let closing = false
const shutdown = (): void => {
  if (closing) return
  closing = true
  app.close().then(() => process.exit(0), () => process.exit(1))
}
process.on('SIGINT', shutdown)
process.on('SIGTERM', shutdown)
