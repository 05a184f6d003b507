// Loaded into every test process (package.json "tap.node-arg": --import): the processes a test starts (the CLI,
// cluster workers, PHP, Redis) are started without tap's process tracker.
// Why: @tapjs/processinfo hooks child_process (through process-on-spawn) and puts itself into every child's
// NODE_OPTIONS, so each Node child also runs its off-thread module loader (one message per loaded module) and writes
// .tap/processinfo at exit. That doubles the CPU of a CLI start (about 0.25 s to 0.5 s for check-config, more for a
// start that loads Fastify). The record is used for coverage and `tap --changed` only; coverage is off here, and a
// test's own file still is tracked, since this runs in the test process after the tracker is installed.
// Plain JavaScript in scripts/ so it runs without a build (`npm run test:src` loads it too).
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
// process-on-spawn keeps its listeners in one process-wide list (a global singleton), so the copy resolved from
// processinfo's own location is the one whose listener we follow.
const onSpawn = createRequire(require.resolve('@tapjs/processinfo'))('process-on-spawn')

const TRACKER = /[\\/]@tapjs[\\/]processinfo[\\/]/

/** NODE_OPTIONS without processinfo's --import/--loader (and the argument a space-separated one takes). */
export function withoutTracker (nodeOptions) {
  const kept = []
  const parts = nodeOptions.trim().split(/\s+/).filter(p => p !== '')
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]
    if (/^"?--(import|loader|experimental-loader)=/.test(p) && TRACKER.test(p)) continue
    if (/^--(import|loader|experimental-loader)$/.test(p) && TRACKER.test(parts[i + 1] ?? '')) { i++; continue }
    kept.push(p)
  }
  return kept.join(' ')
}

// Added after processinfo's listener (this module is imported after its --import), so it sees the env that one made.
onSpawn.addListener(opts => {
  const env = { ...opts.env }
  for (const k of Object.keys(env)) if (k.startsWith('_TAPJS_PROCESSINFO_')) delete env[k]
  if (typeof env.NODE_OPTIONS === 'string') {
    const rest = withoutTracker(env.NODE_OPTIONS)
    if (rest === '') delete env.NODE_OPTIONS
    else env.NODE_OPTIONS = rest
  }
  opts.env = env
})
