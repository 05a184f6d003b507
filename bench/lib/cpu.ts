// CPU time of a process and of the Redis server, for "CPU per request" figures: steadier than rates on a shared
// machine, since they don't depend on who else runs.
import { readFileSync } from 'node:fs'
import type { Redis } from 'ioredis'

/** CPU time (user + system) a process has used, ms (Linux /proc; NaN elsewhere). */
export function cpuMs (pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
    return (Number(fields[11]) + Number(fields[12])) * 10
  } catch {
    return NaN
  }
}

/** Redis server CPU time, ms (shared with anything else using that Redis). */
export async function redisCpuMs (client: Redis): Promise<number> {
  const info = await client.info('cpu')
  const get = (k: string): number => Number(new RegExp(`${k}:([\\d.]+)`).exec(info)?.[1] ?? NaN)
  return (get('used_cpu_user') + get('used_cpu_sys')) * 1000
}
