// Runs wrk against a URL and parses requests/s and latency percentiles (wrk --latency).
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'

const run = promisify(execFile)

export interface WrkResult {
  rps: number
  /** Requests completed in the run (what CPU per request divides by). */
  requests: number
  p50ms: number
  p99ms: number
  errors: number
}

function toMs (value: string, unit: string): number {
  const n = Number(value)
  return unit === 'us' ? n / 1000 : unit === 's' ? n * 1000 : unit === 'm' ? n * 60_000 : n
}

export function parseWrk (out: string): WrkResult {
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN)
  const requests = Number(/(\d+) requests in /.exec(out)?.[1] ?? NaN)
  const pct = (p: string): number => {
    const m = new RegExp(`^\\s*${p}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(out)
    return m === null ? NaN : toMs(m[1], m[2])
  }
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out)
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0)
  const errors = non2xx + (sock === null ? 0 : sock.slice(1).reduce((a, b) => a + Number(b), 0))
  return { rps, requests, p50ms: pct('50'), p99ms: pct('99'), errors }
}

export interface WrkOptions {
  connections: number
  seconds: number
  threads?: number
  /** A wrk Lua script (`-s`), e.g. one that makes every request a POST with a body. */
  script?: string
}

export async function wrk (url: string, opts: WrkOptions): Promise<WrkResult> {
  const script = opts.script === undefined ? [] : ['-s', opts.script]
  const { stdout } = await run('wrk', [`-t${opts.threads ?? 1}`, `-c${opts.connections}`, `-d${opts.seconds}s`, '--latency', ...script, url], { maxBuffer: 1 << 20 })
  return parseWrk(stdout)
}

/** A wrk Lua script sending each request from one of `clients` IPs (X-Forwarded-For, 10.x.y.z), for the rate
 * limiter's benches: a trusted loopback proxy makes every request a client of its own. LuaJIT (Lua 5.1) has no
 * integer division operator. */
export function manyClientsScript (clients: number): string {
  return `
math.randomseed(os.time())
request = function()
  local i = math.random(0, ${clients - 1})
  local ip = "10." .. math.floor(i / 65536) .. "." .. (math.floor(i / 256) % 256) .. "." .. (i % 256)
  return wrk.format(nil, nil, { ["X-Forwarded-For"] = ip })
end
`
}

export function median (xs: number[]): number {
  const s = [...xs].filter(Number.isFinite).sort((a, b) => a - b)
  if (s.length === 0) return NaN
  const m = s.length >> 1
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2
}

export interface Target { name: string, url: string }

/** Rounds interleaved A B C A B C ... so the noise of a shared machine lands on every target alike. */
export async function interleaved (targets: Target[], rounds: number, opts: WrkOptions): Promise<Map<string, WrkResult[]>> {
  const results = new Map<string, WrkResult[]>(targets.map(t => [t.name, []]))
  for (let r = 0; r < rounds; r++) {
    for (const t of targets) {
      const res = await wrk(t.url, opts)
      results.get(t.name)?.push(res)
      process.stderr.write(`  round ${r + 1}/${rounds} ${t.name.padEnd(28)} ${res.rps.toFixed(0).padStart(7)} req/s  p50 ${res.p50ms.toFixed(2)} ms  p99 ${res.p99ms.toFixed(2)} ms${res.errors > 0 ? `  errors ${res.errors}` : ''}\n`)
    }
  }
  return results
}

export function table (results: Map<string, WrkResult[]>): string {
  const lines = [`${'target'.padEnd(30)} ${'req/s'.padStart(9)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'errors'.padStart(7)}`]
  for (const [name, rs] of results) {
    lines.push(`${name.padEnd(30)} ${median(rs.map(r => r.rps)).toFixed(0).padStart(9)} ${median(rs.map(r => r.p50ms)).toFixed(2).padStart(8)} ${median(rs.map(r => r.p99ms)).toFixed(2).padStart(8)} ${String(rs.reduce((a, r) => a + r.errors, 0)).padStart(7)}`)
  }
  return lines.join('\n')
}

export function medianRps (results: Map<string, WrkResult[]>, name: string): number {
  return median((results.get(name) ?? []).map(r => r.rps))
}
