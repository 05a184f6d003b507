// One self-overwriting status line on a TTY while a run is going.
import type { Progress } from './engine.js'

export function progressPrinter (stream: NodeJS.WriteStream): { update: (label: string, p: Progress) => void, done: () => void } {
  let shown = false
  return {
    update (label, p) {
      const bar = 20
      const filled = Math.min(bar, Math.round(bar * p.elapsedMs / p.totalMs))
      const line = `[${'#'.repeat(filled)}${'.'.repeat(bar - filled)}] ${(p.elapsedMs / 1000).toFixed(0)}/${(p.totalMs / 1000).toFixed(0)}s ` +
        `${p.measuring ? 'measuring' : 'warm-up'}  ${p.lastSecond.completed} req/s  ${p.lastSecond.errors} err/s  ` +
        `${p.open} open  ${p.inFlight} in flight  level ${Math.round(p.level)}  ${label}`
      stream.write(`\r${line.slice(0, (stream.columns ?? 120) - 1).padEnd(Math.min(line.length, (stream.columns ?? 120) - 1))}\x1b[K`)
      shown = true
    },
    done () {
      if (shown) stream.write('\r\x1b[K')
      shown = false
    }
  }
}
