// How long a purge on one sidecar takes to reach another's memory cache (tiered store, Redis pub/sub): from the
// purge's answer on A to B's first answer to `Cache-Control: only-if-cached` that is no longer its memory copy,
// polling B every `pollMs`, over several rounds, while both serve a steady background load of cache hits.
// Shared by bench/purge (the 100 ms figure, on a quiet machine) and test/cache/purge-reaches-peers (that the purge
// arrives at all, every round, with a bound a loaded CI machine meets).
import { Agent, request } from 'undici'

export interface PurgeParties {
  /** Base URLs of the two sidecars (same Redis, same key prefix, tiered cache, admin token). */
  a: string
  b: string
  token: string
  /** The Host the pages are cached under. */
  host: string
}

export interface PurgeRound {
  /** B answered the page from its memory cache before the purge. */
  held: boolean
  purgeStatus: number
  /** ms from the purge's answer to B's first miss; Infinity when B still held it at `giveUpMs`. */
  ms: number
}

export interface PurgeOptions { rounds: number, pollMs: number, giveUpMs: number, loaders: number }

export async function measurePurgePropagation (p: PurgeParties, o: PurgeOptions): Promise<PurgeRound[]> {
  const agent = new Agent({ connections: 16 })
  const get = async (base: string, path: string, onlyCached = false): Promise<number> => {
    const res = await request(base + path, {
      dispatcher: agent, headers: onlyCached ? { host: p.host, 'cache-control': 'only-if-cached' } : { host: p.host }
    })
    await res.body.dump()
    return res.statusCode
  }
  let loading = true
  const load = Promise.all(Array.from({ length: o.loaders }, async (_, w) => {
    while (loading) await get(w % 2 === 0 ? p.a : p.b, `/load/${w}`)
  }))
  const rounds: PurgeRound[] = []
  try {
    for (let round = 0; round < o.rounds; round++) {
      const path = `/page.php?round=${round}&t=${Date.now()}`
      await get(p.a, path)
      await get(p.b, path)
      const held = await get(p.b, path, true) === 200
      const res = await request(p.a + '/_admin/api/cache/purge', {
        dispatcher: agent,
        method: 'POST',
        headers: { authorization: `Bearer ${p.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ urls: [`http://${p.host}${path}`] })
      })
      await res.body.dump()
      const answered = performance.now()
      let ms = Infinity
      while (performance.now() - answered < o.giveUpMs) {
        if (await get(p.b, path, true) !== 200) { ms = performance.now() - answered; break }
        await new Promise(resolve => setTimeout(resolve, o.pollMs))
      }
      rounds.push({ held, purgeStatus: res.statusCode, ms })
    }
  } finally {
    loading = false
    await load
    await agent.close()
  }
  return rounds
}
