#!/usr/bin/env node
// sipup-sidecar's command line: the core's commands and every plugin's (declared in its registry entry), listed
// without loading any of them, so `--help` starts fast; a command's module (and what it imports: Fastify, ioredis,
// mysql2, the load tester) is loaded only when that command runs.
import { commandList, main } from './main.js'
import { pluginEntries } from '../plugins/registry.js'

// A failed command exits even when something it opened (a Redis socket's reconnect timer) would keep the process
// alive: a systemd unit must see the exit to restart it. The timer itself keeps nothing alive.
const exitSoon = (code: number): void => { setTimeout(() => process.exit(code), 2000).unref() }

main(process.argv.slice(2), commandList(pluginEntries)).then(code => {
  process.exitCode = code
  if (code !== 0) exitSoon(code)
}, (err: unknown) => {
  process.stderr.write(`sipup-sidecar: ${(err as Error).stack ?? String(err)}\n`)
  process.exitCode = 1
  exitSoon(1)
})
