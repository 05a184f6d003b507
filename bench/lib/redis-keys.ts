// Removes every key under a prefix (bench runs and tests each write under their own prefix and clean up after).
import type { Redis } from 'ioredis'

export async function deleteByPrefix (client: Redis, prefix: string): Promise<void> {
  let cursor = '0'
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000)
    cursor = next
    if (keys.length > 0) await client.del(...keys)
  } while (cursor !== '0')
}
