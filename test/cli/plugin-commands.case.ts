// Plugins declare CLI commands in their registry entry; the CLI lists them without loading them, and `--help`
// loads no heavy module (Fastify, ioredis, mysql2, undici, the load tester).
import t from '../helpers/cases.js'
import { Writable } from 'node:stream'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { EXIT_OK, type Command } from '../../src/core/command.js'
import { commandList, main } from '../../src/cli/main.js'
import { packageRoot } from '../../src/paths.js'
import { testPlugin } from '../helpers/plugin-app.js'
import { CHILD_TIMEOUT_MS } from '../helpers/child.js'

const CLI = join(packageRoot, 'dist', 'src', 'cli', 'index.js')
// Node starts of the whole CLI (each loads every command): past tap's 120 s default on a loaded machine.
t.setTimeout(600_000)
const HEAVY = /node_modules\/(fastify|ioredis|mysql2|undici|hdr-histogram-js|bee-queue|prom-client)\//

/** Collects what is written to it. */
function sink (): { stream: NodeJS.WritableStream, text: () => string } {
  const chunks: string[] = []
  const stream = new Writable({ write (chunk: Buffer, _enc, cb) { chunks.push(chunk.toString()); cb() } })
  return { stream, text: () => chunks.join('') }
}

t.test('a plugin\'s command is listed without loading it, and runs when named', async t => {
  let loads = 0
  const ran: string[][] = []
  const hello: Command = { name: 'hello', summary: 'say hello', usage: 'Usage: sipup-sidecar hello [NAME]', run: async args => { ran.push(args); return 7 } }
  const entry = { ...testPlugin('hello', async () => {}), commands: [{ name: 'hello', summary: 'say hello', load: async () => { loads++; return { command: hello } } }] }
  const commands = commandList([entry])
  const out = sink()
  const io = { stdout: out.stream, stderr: out.stream }
  t.equal(await main(['--help'], commands, io), EXIT_OK)
  t.match(out.text(), /\n {2}hello +say hello\n/)
  t.match(out.text(), /\n {2}start +start the sidecar proxy\n/, 'core commands too')
  t.equal(loads, 0, 'listing loads nothing')
  t.equal(await main(['hello', 'world'], commands, io), 7)
  t.same(ran, [['world']])
  t.equal(await main(['hello', '--help'], commands, io), EXIT_OK)
  t.match(out.text(), /Usage: sipup-sidecar hello \[NAME\]/)
  t.equal(await main(['nope'], commands, io), 2, 'an unknown command is a usage error')
})

t.test('every listed command loads a command of the same name', async t => {
  const { pluginEntries } = await import('../../src/plugins/registry.js')
  for (const entry of commandList(pluginEntries)) {
    const { command } = await entry.load()
    t.equal(command.name, entry.name, entry.name)
    t.equal(command.summary, entry.summary, `${entry.name} summary`)
  }
})

t.test('`sipup-sidecar --help` and `start --help` load no heavy module; `doctor --help` does (so the probe sees loads)', async t => {
  const run = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8', env: { PATH: process.env.PATH, NODE_DEBUG: 'module' }, timeout: CHILD_TIMEOUT_MS
  })
  const help = run(['--help'])
  t.equal(help.status, 0)
  t.notMatch(help.stderr, HEAVY)
  // start loads the app only once the config has passed.
  const start = run(['start', '--help'])
  t.equal(start.status, 0)
  t.notMatch(start.stderr, HEAVY)
  // doctor's module imports the Redis and MySQL clients it probes with.
  const doctor = run(['doctor', '--help'])
  t.equal(doctor.status, 0)
  t.match(doctor.stderr, HEAVY)
})
