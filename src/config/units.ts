// Durations and sizes are written for humans in YAML ("30s", "256MB") and handed to code as numbers (ms, bytes).
// The conversion happens once, during validation, through the `x-unit` keyword (see validate.ts).
import { Type, type TSchema, type TUnsafe } from '@sinclair/typebox'

export type Unit = 'duration' | 'bytes'

const DURATION_RE = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/
const DURATION_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }
const BYTES_RE = /^(\d+(?:\.\d+)?)\s*(b|kb|kib|mb|mib|gb|gib)?$/i
const BYTES: Record<string, number> = {
  b: 1, kb: 1024, kib: 1024, mb: 1024 ** 2, mib: 1024 ** 2, gb: 1024 ** 3, gib: 1024 ** 3
}

/** Parses `30s`, `5m`, `1h`, `250ms`, `2d` or a bare number of milliseconds. Returns undefined when unparsable. */
export function parseDuration (value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined
  if (typeof value !== 'string') return undefined
  const m = DURATION_RE.exec(value.trim())
  if (m === null) return undefined
  return Math.round(Number(m[1]) * DURATION_MS[m[2] ?? 'ms'])
}

/** Parses `512`, `16KB`, `256MB`, `1GiB` (binary multiples). Returns undefined when unparsable. */
export function parseBytes (value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : undefined
  if (typeof value !== 'string') return undefined
  const m = BYTES_RE.exec(value.trim())
  if (m === null) return undefined
  return Math.round(Number(m[1]) * BYTES[(m[2] ?? 'b').toLowerCase()])
}

export function formatDuration (ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`
  }
  return `${ms}ms`
}

export function formatBytes (n: number): string {
  for (const [unit, size] of [['GB', 1024 ** 3], ['MB', 1024 ** 2], ['KB', 1024]] as const) {
    if (n >= size && n % size === 0) return `${n / size}${unit}`
  }
  return `${n}`
}

interface UnitOptions { description: string, default: string | number, minimum?: number }

/** A duration in YAML (`30s`), a number of milliseconds in code. */
export function Duration (opts: UnitOptions): TUnsafe<number> {
  return Type.Unsafe<number>({ 'x-unit': 'duration', ...opts })
}

/** A byte size in YAML (`256MB`), a number of bytes in code. */
export function Bytes (opts: UnitOptions): TUnsafe<number> {
  return Type.Unsafe<number>({ 'x-unit': 'bytes', ...opts })
}

export function unitOf (schema: TSchema): Unit | undefined {
  const u = (schema as { 'x-unit'?: unknown })['x-unit']
  return u === 'duration' || u === 'bytes' ? u : undefined
}
