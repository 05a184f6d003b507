// Which Redis the `redis` section names (one server, a Sentinel-watched master, or a Cluster), checked once at
// start-up, and the key prefix that follows from it. Under Cluster every key of one sidecar deployment carries the
// same hash tag (the key prefix), so the rate limiter's batched scripts, the cache's transactions and the fleet
// locks' scripts, each touching several keys, stay in one slot; several shops with their own prefixes still spread
// over the masters. See https://redis.io/docs/latest/operate/oss_and_stack/reference/cluster-spec/#hash-tags
import type { CoreConfig } from '../config/core-schema.js'
import { redactUrl } from '../config/redact.js'
import { SIPUP_ERR_REDIS_CONFIG } from '../errors.js'

export interface RedisNode {
  host: string
  port: number
}

export interface NodeAuth {
  username?: string
  password?: string
}

export type RedisTopology =
  | { kind: 'standalone', keyPrefix: string, describe: string }
  | { kind: 'sentinel', keyPrefix: string, describe: string }
  | { kind: 'cluster', keyPrefix: string, describe: string, nodes: RedisNode[], auth: NodeAuth, tls: boolean }

const DEFAULT_CLUSTER_PORT = 6379
const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[^:/\s[\]]+):(\d{1,5})$/

/** True when Redis Cluster would hash `s` by a `{...}` part of it (the first `{` with a non-empty `}` after it). */
export function hasHashTag (s: string): boolean {
  const open = s.indexOf('{')
  if (open === -1) return false
  const close = s.indexOf('}', open + 1)
  return close > open + 1
}

/** `keyPrefix` under Cluster: kept when it has a hash tag of its own, else wrapped whole (`sipup:` -> `{sipup:}`). */
export function clusterKeyPrefix (keyPrefix: string): string {
  return hasHashTag(keyPrefix) ? keyPrefix : `{${keyPrefix}}`
}

function parseNode (raw: string, i: number): RedisNode & NodeAuth & { tls: boolean } {
  const bad = (): never => {
    throw new SIPUP_ERR_REDIS_CONFIG(`nodes[${i}]`, '`host:port` or a redis:// or rediss:// URL', redactUrl(raw))
  }
  if (raw.includes('://')) {
    let u: URL
    try { u = new URL(raw) } catch { return bad() }
    if ((u.protocol !== 'redis:' && u.protocol !== 'rediss:') || u.hostname === '') return bad()
    const node: RedisNode & NodeAuth & { tls: boolean } = {
      host: u.hostname.replace(/^\[|\]$/g, ''),
      port: u.port === '' ? DEFAULT_CLUSTER_PORT : Number(u.port),
      tls: u.protocol === 'rediss:'
    }
    if (u.username !== '') node.username = decodeURIComponent(u.username)
    if (u.password !== '') node.password = decodeURIComponent(u.password)
    return node
  }
  const m = HOST_PORT.exec(raw.trim())
  if (m === null) return bad()
  const port = Number(m[2])
  if (port < 1 || port > 65535) return bad()
  return { host: m[1].replace(/^\[|\]$/g, ''), port, tls: false }
}

function urlParts (url: string): { auth: NodeAuth, tls: boolean, db: string } {
  const auth: NodeAuth = {}
  try {
    const u = new URL(url)
    if (u.username !== '') auth.username = decodeURIComponent(u.username)
    if (u.password !== '') auth.password = decodeURIComponent(u.password)
    return { auth, tls: u.protocol === 'rediss:', db: u.pathname.slice(1) }
  } catch {
    return { auth, tls: false, db: '' }
  }
}

/**
 * The topology `redis` names; throws SIPUP_ERR_REDIS_CONFIG when it names more than one, or a node that can't be
 * read. `url` is always set (it has a default), so it only counts as the topology when neither list is.
 */
export function redisTopology (config: CoreConfig['redis']): RedisTopology {
  const { sentinels, nodes } = config
  if (sentinels.length > 0 && nodes.length > 0) {
    throw new SIPUP_ERR_REDIS_CONFIG('nodes', 'one topology: `sentinels` (Sentinel) or `nodes` (Cluster), not both',
      `${sentinels.length} sentinels and ${nodes.length} nodes`)
  }
  if (sentinels.length > 0) {
    return { kind: 'sentinel', keyPrefix: config.keyPrefix, describe: `sentinel ${config.name} via ${sentinels.map(s => `${s.host}:${s.port}`).join(',')}` }
  }
  if (nodes.length === 0) return { kind: 'standalone', keyPrefix: config.keyPrefix, describe: redactUrl(config.url) }
  if (config.keyPrefix === '') throw new SIPUP_ERR_REDIS_CONFIG('keyPrefix', 'a non-empty prefix under Cluster (it is the hash tag of every key)', '')
  const fromUrl = urlParts(config.url)
  if (fromUrl.db !== '' && fromUrl.db !== '0') {
    throw new SIPUP_ERR_REDIS_CONFIG('url', 'no database number with `nodes` (Redis Cluster has database 0 only)', `/${fromUrl.db}`)
  }
  const parsed = nodes.map(parseNode)
  const withAuth = parsed.find(n => n.password !== undefined || n.username !== undefined)
  const auth: NodeAuth = withAuth === undefined
    ? fromUrl.auth
    : { ...(withAuth.username === undefined ? {} : { username: withAuth.username }), ...(withAuth.password === undefined ? {} : { password: withAuth.password }) }
  return {
    kind: 'cluster',
    keyPrefix: clusterKeyPrefix(config.keyPrefix),
    describe: `cluster via ${parsed.map(n => `${n.host}:${n.port}`).join(',')}`,
    nodes: parsed.map(n => ({ host: n.host, port: n.port })),
    auth,
    tls: fromUrl.tls || parsed.some(n => n.tls)
  }
}
