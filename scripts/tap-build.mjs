#!/usr/bin/env node
// Rebuilds tap's Test class when it was built with another plugin set than package.json's "tap.plugin" asks for.
// Why before `tap` runs: tap checks the plugin set itself, but only after it has chosen the loaders it passes to
// every test process, so on a fresh checkout (tap ships built with all its plugins) the whole first run would load
// the plugins we turned off, ts-node's loader among them, into each of ~190 test processes.
// Plain JavaScript, so it runs before tsc: `node scripts/tap-build.mjs [--plugin=...]` (extra flags as for tap).
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { TapConfig } from '@tapjs/config'

const require = createRequire(import.meta.url)
const built = require.resolve('@tapjs/test/test-built').replace(/commonjs[\\/]index\.js$/, 'esm/index.js')
// The built class records its plugin list as `export const signature = \`...\``: read it rather than import the
// class (importing would load every built plugin).
const match = /^export const signature = `([^`]*)`/m.exec(readFileSync(built, 'utf8'))
const config = await TapConfig.load()
const wanted = config.pluginSignature
if (match !== null && match[1].trim() === wanted) process.exit(0)

process.stderr.write(`tap-build: tap's Test class was built with another plugin set; rebuilding for:\n${wanted}\n`)
const tap = require.resolve('tap/package.json').replace(/package\.json$/, 'dist/esm/run.mjs')
const run = spawnSync(process.execPath, [tap, 'build', ...process.argv.slice(2)], { stdio: 'inherit' })
process.exit(run.status ?? 1)
