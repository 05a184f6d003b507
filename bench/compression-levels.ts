// bench/compression-levels: CPU per 20 KB HTML page (the bench page of bench/compression) for each gzip level and
// brotli quality, and for zlib's memLevel/windowBits and brotli's window, against the bytes each saves. The figure is
// CPU time of this process (process.cpuUsage, user + system) over a synchronous loop, so another process on the
// machine slows it down but does not add to it; every body is new (a counter in the middle), as for a page the memo
// can't answer. The calls are the ones the sidecar makes for a page it compresses whole (src/proxy/compression/
// codecs.ts): one zlib handle per page, options objects built once.
// CPU time on a shared 2-core machine still varies by 2x between rounds, so `--callgrind` counts instructions instead
// (valgrind): each setting runs in its own process, warmed up uninstrumented, then counted over `--pages` new pages
// (the count is of this process's instructions: zlib's, V8's and the GC's; ~15 s per setting).
// Usage: node dist/bench/compression-levels.js [--pages 400] [--reps 5] | --callgrind [--pages 100]
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { once } from 'node:events'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { brotliCompressSync, constants, gzipSync, type ZlibOptions } from 'node:zlib'
import { benchArgs } from './lib/args.js'
import { benchPage } from './lib/compression-bench.js'
import { brotliWindowFor } from '../src/proxy/compression/codecs.js'

interface Setting { name: string, run: (body: Buffer) => Buffer }

function gzip (level: number, memLevel = 8, windowBits = 15): Setting {
  const opts: ZlibOptions = { level, memLevel, windowBits }
  return { name: `gzip ${level} (memLevel ${memLevel}, windowBits ${windowBits})`, run: b => gzipSync(b, opts) }
}

function brotli (quality: number, lgwin: number | null, text = true): Setting {
  return {
    name: `br ${quality} (lgwin ${lgwin ?? 'fit'}${text ? '' : ', generic mode'})`,
    run: b => {
      const params: Record<number, number> = {
        [constants.BROTLI_PARAM_QUALITY]: quality,
        [constants.BROTLI_PARAM_LGWIN]: lgwin ?? brotliWindowFor(b.length, 24),
        [constants.BROTLI_PARAM_SIZE_HINT]: b.length
      }
      if (text) params[constants.BROTLI_PARAM_MODE] = constants.BROTLI_MODE_TEXT
      return brotliCompressSync(b, { params })
    }
  }
}

function bodiesOf (page: Buffer, mid: number, pages: number): Buffer[] {
  return Array.from({ length: pages }, (_, i) => {
    const b = Buffer.from(page)
    b.write(String(i).padStart(12, '0'), mid - 12, 'latin1')
    return b
  })
}

/** The same call on the first 64 bytes: what a call costs whatever the body (the zlib handle, Node's stream object). */
function onTiny (s: Setting): Setting {
  return { name: `${s.name}, 64 B body`, run: b => s.run(b.subarray(0, 64)) }
}

/** CPU µs per call over one loop of `bodies`, and the last output's size. */
function loop (s: Setting, bodies: Buffer[]): { us: number, bytes: number } {
  let bytes = 0
  const c0 = process.cpuUsage()
  for (const b of bodies) bytes = s.run(b).length
  const c = process.cpuUsage(c0)
  return { us: (c.user + c.system) / bodies.length, bytes }
}

const SELF = fileURLToPath(import.meta.url)
/** Calls before counting starts: enough for V8 to have compiled zlib's JS side (tiering shows in the counts). */
const WARM_UP = 300

/** Instructions callgrind counts in a process running setting `i` over `pages` new pages, after a warm-up: the
 * child says "warm", instrumentation goes on, the child runs the pages and says "done", the counts are dumped. */
async function counted (i: number, pages: number, dir: string): Promise<number> {
  const out = join(dir, `cg.${i}`)
  const child = spawn('valgrind', ['--tool=callgrind', '--instr-atstart=no', `--callgrind-out-file=${out}`, process.execPath,
    SELF, '--setting', String(i), '--pages', String(pages)], { stdio: ['pipe', 'pipe', 'pipe'] })
  const pid = String(child.pid)
  let text = ''
  let errText = ''
  child.stderr.on('data', (c: Buffer) => { errText += c.toString() })
  const exited = new Promise(resolve => child.once('exit', resolve))
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (c: Buffer) => {
        text += c.toString()
        if (text === 'warm\n') {
          execFileSync('callgrind_control', ['-i', 'on', pid], { stdio: 'ignore' })
          child.stdin.write('go\n')
        } else if (text === 'warm\ndone\n') {
          execFileSync('callgrind_control', ['-d', pid], { stdio: 'ignore' })
          resolve()
        }
      })
      child.once('exit', code => reject(new Error(`setting ${i} exited with ${String(code)}: ${errText.slice(-500)}`)))
    })
  } finally {
    child.kill()
    await exited
  }
  const m = /^totals: (\d+)/m.exec(readFileSync(`${out}.1`, 'utf8'))
  if (m === null) throw new Error(`no totals for setting ${i}`)
  return Number(m[1]) / pages
}

async function main (): Promise<void> {
  const values = benchArgs({
    name: 'bench/compression-levels',
    summary: 'CPU per new 20 KB HTML page for each gzip level / memLevel / windowBits and brotli quality / window, against the bytes each saves (process CPU time, or instructions with --callgrind).',
    options: {
      pages: { type: 'int', description: 'pages per setting (default 400, or 100 with --callgrind)' },
      reps: { type: 'int', default: 5, description: 'repetitions per setting; the figure is their median' },
      callgrind: { type: 'boolean', description: 'count instructions under valgrind, one process per setting' },
      setting: { type: 'int', min: 0, internal: true, description: 'run one setting (the --callgrind child)' }
    }
  })
  const pages = values.pages ?? (values.callgrind ? 100 : 400)
  const { reps } = values
  const { page, mid } = await benchPage()
  const settings: Setting[] = [
    ...[1, 2, 3, 4, 5, 6].map(l => gzip(l)),
    gzip(1, 9), gzip(1, 7), gzip(1, 9, 14), gzip(2, 9), gzip(3, 9),
    ...[0, 1, 2, 3, 4, 5].map(q => brotli(q, null)),
    brotli(2, 19), brotli(4, 19), brotli(4, 22),
    onTiny(gzip(1)), onTiny(brotli(2, null))
  ]
  if (values.setting !== undefined) {
    // One setting for --callgrind (see counted).
    const s = settings[values.setting]
    const bodies = bodiesOf(page, mid, pages + WARM_UP)
    for (let i = pages; i < pages + WARM_UP; i++) s.run(bodies[i])
    const lines = createInterface({ input: process.stdin })
    process.stdout.write('warm\n')
    await once(lines, 'line')
    for (let i = 0; i < pages; i++) s.run(bodies[i])
    process.stdout.write('done\n')
    await once(lines, 'line')
    return
  }
  if (values.callgrind === true) {
    console.log(`bench/compression-levels --callgrind: a ${page.length}-byte HTML page (new every time), instructions per ` +
      `page (callgrind, counting ${pages} pages after a warm-up of ${WARM_UP}, one process per setting)`)
    console.log(`${'setting'.padEnd(44)} ${'instr/page'.padStart(10)} ${'bytes'.padStart(7)} ${'ratio'.padStart(6)}`)
    const one = bodiesOf(page, mid, 1)[0]
    const dir = mkdtempSync(join(tmpdir(), 'sipup-levels-'))
    for (const [i, s] of settings.entries()) {
      const ir = await counted(i, pages, dir)
      const bytes = s.run(one).length
      console.log(`${s.name.padEnd(44)} ${(ir / 1000).toFixed(0).padStart(9)}k ${String(bytes).padStart(7)} ` +
        `${(page.length / bytes).toFixed(2).padStart(6)}`)
    }
    rmSync(dir, { recursive: true, force: true })
    return
  }
  console.log(`bench/compression-levels: a ${page.length}-byte HTML page (new every time), CPU µs per page ` +
    `(process.cpuUsage over ${pages} pages, median of ${reps} interleaved rounds; "64 B": the same call on a 64-byte body, the per-call fixed cost)`)
  console.log(`${'setting'.padEnd(44)} ${'µs CPU'.padStart(8)} ${'64 B: µs'.padStart(8)} ${'bytes'.padStart(7)} ${'ratio'.padStart(6)} ${'saved/µs'.padStart(9)}`)
  const bodies = bodiesOf(page, mid, pages)
  const tiny = bodiesOf(page.subarray(0, 64), 32, pages)
  const us = settings.map(() => [] as number[])
  const fixed = settings.map(() => [] as number[])
  const bytes = settings.map(() => 0)
  settings.forEach(s => { for (let i = 0; i < 50; i++) s.run(bodies[i]) })
  // Rounds interleave the settings, so a slow moment of the machine lands on all of them.
  for (let r = 0; r < reps; r++) {
    settings.forEach((s, i) => {
      const x = loop(s, bodies)
      us[i].push(x.us)
      bytes[i] = x.bytes
      fixed[i].push(loop(s, tiny).us)
    })
  }
  const med = (a: number[]): number => [...a].sort((x, y) => x - y)[a.length >> 1]
  settings.forEach((s, i) => {
    const u = med(us[i])
    console.log(`${s.name.padEnd(44)} ${u.toFixed(1).padStart(8)} ${med(fixed[i]).toFixed(1).padStart(8)} ` +
      `${String(bytes[i]).padStart(7)} ${(page.length / bytes[i]).toFixed(2).padStart(6)} ` +
      `${((page.length - bytes[i]) / u).toFixed(0).padStart(9)}`)
  })
}

main().catch(err => { console.error(err); process.exit(1) })
