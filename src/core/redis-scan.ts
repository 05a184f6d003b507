// SCAN over every key that matches, whatever the topology: a Cluster's keys are spread over its masters and each
// master answers SCAN for its own slots only, so each is walked in turn (replicas hold copies, not more keys).
import { Cluster, type Redis } from 'ioredis'
import type { RedisClient } from './types.js'

/** Keys one SCAN step looks at (a hint to Redis; each step is short, so other clients are served in between). */
const DEFAULT_COUNT = 500

/**
 * Calls `onKeys` with each step's keys matching `match` (a SCAN glob) on every master, until it returns false or
 * the keyspace is walked. A key may be seen twice (SCAN's guarantee), never missed if it lived throughout.
 */
export async function scanEach (client: RedisClient, match: string, onKeys: (keys: string[]) => boolean, count = DEFAULT_COUNT): Promise<void> {
  const servers: Redis[] = client instanceof Cluster ? client.nodes('master') : [client]
  for (const server of servers) {
    let cursor = '0'
    do {
      const [next, keys] = await server.scan(cursor, 'MATCH', match, 'COUNT', count)
      cursor = next
      if (keys.length > 0 && !onKeys(keys)) return
    } while (cursor !== '0')
  }
}
