// Config sections owned by the core (server, upstream, proxy, log, admin, redis, mysql).
// Capability plugins own their sections in src/plugins/<name>/schema.ts; src/sidecar-config.ts composes both, so
// nothing here (or in src/core) knows which plugins exist.
import { Type, type Static } from '@sinclair/typebox'
import type { DeepReadonly } from './deep-readonly.js'
import { Bytes, Duration } from './units.js'
import { AddressList, Bool, Int, Str } from './schema-helpers.js'

/** Parameters whose values are never logged, whatever log.query says (names compared case-insensitively). */
export const DEFAULT_REDACT_QUERY: readonly string[] = [
  'token', 'access_token', 'refresh_token', 'id_token', 'auth', 'password', 'passwd', 'pass', 'pwd', 'secret',
  'client_secret', 'key', 'api_key', 'apikey', 'signature', 'sig', 'hash', 'code', 'otp', 'session', 'sid',
  'phpsessid', 'reset', 'nonce'
]

export const ServerSchema = Type.Object({
  host: Str('Address the sidecar listens on (env SIDECAR_HOST). The loopback default suits nginx on the same machine; ' +
    'say `0.0.0.0` (or `::`) to take traffic from other machines directly.', '127.0.0.1'),
  port: Int('Port the sidecar listens on (0 picks a free one).', 8080, 0, 65535),
  trustProxy: AddressList('Addresses or CIDRs of proxies (nginx, load balancer) whose X-Forwarded-For is believed when deciding ' +
    'the client IP. X-Forwarded-For from any other peer is ignored.', ['127.0.0.1/8', '::1/128']),
  maxHeaderSize: Bytes({ description: 'Largest request header block accepted (431 beyond it).', default: '16KB' }),
  headersTimeout: Duration({ description: 'Time a client has to send its request headers (slowloris guard).', default: '10s' }),
  requestTimeout: Duration({ description: 'Time a client has to send a whole request, body included (0 = no limit).', default: '5m' }),
  keepAliveTimeout: Duration({ description: 'How long an idle client keep-alive connection stays open. Longer than a user\'s think time, so returning users skip the TCP handshake (nginx uses 75s).', default: '75s' }),
  maxConnections: Int('Client connections accepted at once; more are refused (0 = no limit). `doctor` checks the fd limit against it.', 20_000, 0),
  idleTimeout: Duration({ description: 'Time a new client connection has to send its first request\'s headers before it is closed ' +
    '(0 = no limit). Without it a socket that never sends a byte stays open forever (headersTimeout starts with the first byte). ' +
    'Between requests on a kept-alive connection, keepAliveTimeout applies.', default: '10s' }),
  maxConnectionsPerIp: Int('Connections one client address may hold at once; more are answered 429 and closed (0 = no limit). ' +
    'Addresses in trustProxy are exempt: behind nginx every connection comes from it, so limit clients there (limit_conn).', 256, 0),
  maxRequestsPerSocket: Int('Requests served on one client connection before it is closed (0 = no limit).', 0, 0),
  shutdownTimeout: Duration({ description: 'On SIGTERM/SIGINT, how long in-flight requests may take to finish before the process exits.', default: '10s' }),
  workers: Type.Union([Type.Literal('auto'), Type.Integer({ minimum: 1, maximum: 256 })], {
    description: 'Proxy processes sharing the listening socket (node:cluster): `auto` = one per available CPU. With more ' +
      'than one, a primary process restarts crashed workers, forwards SIGTERM, restarts them one by one on SIGHUP and ' +
      'aggregates their metrics. Memory caches and limits are then per worker: use Redis (cache.store tiered/redis).',
    default: 1
  })
}, { additionalProperties: false, description: 'The listening socket and its protections.', default: {} })

export const UpstreamSchema = Type.Object({
  url: Str('Origin URL of the legacy site (env SIDECAR_UPSTREAM).', 'http://127.0.0.1:8081'),
  connections: Int('Keep-alive connections kept open to the origin (size of the pool).', 128, 1, 100_000),
  pipelining: Int('HTTP/1.1 requests in flight per origin connection (1 = no pipelining, safest for PHP).', 1, 1, 100),
  connectTimeout: Duration({ description: 'Time to open a connection to the origin before answering 504.', default: '5s' }),
  responseTimeout: Duration({ description: 'Time to wait for the origin\'s response headers before answering 504.', default: '30s' }),
  bodyTimeout: Duration({ description: 'Longest pause between two chunks of the origin\'s response body before the response is aborted.', default: '30s' }),
  keepAliveTimeout: Duration({ description: 'How long an idle origin connection is kept for reuse.', default: '4s' }),
  healthPath: Type.String({ description: 'Path requested by the readiness check (/_admin/ready): any answer below 500 means the origin is up.', default: '/', pattern: '^/' }),
  preserveHost: Bool('Send the client\'s Host header to the origin (legacy PHP builds absolute URLs from it); false sends the upstream URL\'s host.', true)
}, { additionalProperties: false, description: 'The legacy origin the sidecar forwards to.', default: {} })

export const ProxySchema = Type.Object({
  xForwarded: Bool('Set X-Forwarded-For, X-Forwarded-Proto and X-Forwarded-Host on forwarded requests.', true),
  forwardHost: Bool('Pass a trusted proxy\'s (`server.trustProxy`) X-Forwarded-Host to the origin, and key the cache ' +
    'on it. Off: X-Forwarded-Host from every client is dropped and, with `xForwarded`, set to the Host header, so ' +
    'an nginx that doesn\'t overwrite it can\'t let a client poison the cache.', false),
  dropRequestHeaders: Type.Array(Type.String({ minLength: 1 }), {
    description: 'Request headers removed before forwarding, so a client cannot make the origin build URLs from them ' +
      '(cache poisoning). Names are case-insensitive.',
    default: ['x-original-url', 'x-rewrite-url', 'x-forwarded-scheme', 'x-forwarded-server', 'x-forwarded-port',
      'x-forwarded-prefix', 'x-host', 'x-http-method-override', 'forwarded']
  }),
  maxRequestBody: Bytes({ description: 'Largest request body forwarded (413 beyond it; 0 = no limit), buffered or streamed.', default: '100MB' }),
  requestBuffering: Bool('Read each request body completely before taking an origin connection (as nginx does), so slow uploads ' +
    'cannot hold the origin\'s connections. Off: bodies stream to the origin as they arrive.', true),
  streamPaths: Type.Array(Type.String({ pattern: '^/' }), {
    description: 'Path globs whose request bodies stream to the origin even with requestBuffering on (`*` matches any characters, ' +
      '`?` one), e.g. a long upload the origin reads progressively. Matched against the path without the query.',
    default: []
  }),
  bufferMemory: Bytes({ description: 'Bytes of one buffered body kept in memory; beyond it the body goes to a temporary file.', default: '64KB' }),
  bufferDir: Str('Directory of the temporary files of buffered bodies (created 0600 and unlinked at once); empty = the OS temp directory.', ''),
  bodyTimeout: Duration({ description: 'Longest pause between two chunks of a buffered request body, and the grace before bodyMinRate ' +
    'applies; 408 beyond (0 = no limit).', default: '10s' }),
  bodyMinRate: Bytes({ description: 'Slowest average rate, per second, a buffered request body may arrive at once bodyTimeout has passed; ' +
    '408 below it (0 = no floor).', default: '1KB' }),
  maxUploadsPerIp: Int('Request bodies one client IP may have being received at once; more get 429 (0 = no limit).', 8, 0),
  via: Str('Pseudonym added to the Via header of responses (empty = no Via header).', '')
}, { additionalProperties: false, description: 'How requests and responses are rewritten on the way through.', default: {} })

export const LogSchema = Type.Object({
  level: Type.Union([
    Type.Literal('fatal'), Type.Literal('error'), Type.Literal('warn'), Type.Literal('info'),
    Type.Literal('debug'), Type.Literal('trace'), Type.Literal('silent')
  ], { description: 'Log level (env SIDECAR_LOG_LEVEL).', default: 'info' }),
  requests: Bool('Write one log line per request (method, path, status, ms, upstream ms, cache and rate-limit outcome).', true),
  query: Type.Union([Type.Literal('none'), Type.Literal('keys'), Type.Literal('full')], {
    description: 'What the access log writes of a query string: `none` (the path only; queries carry reset tokens and API keys), ' +
      '`keys` (parameter names, no values) or `full` (values too, except those named in `log.redactQuery`).',
    default: 'none'
  }),
  redactQuery: Type.Array(Type.String({ minLength: 1 }), {
    description: 'Query parameters whose values are never logged, whatever `log.query` says (case-insensitive; `user[password]` counts as `password`).',
    default: [...DEFAULT_REDACT_QUERY]
  })
}, { additionalProperties: false, description: 'Logging (pino, JSON lines on stdout).', default: {} })

export const AdminSchema = Type.Object({
  enabled: Bool('Serve the admin API and dashboard.', true),
  prefix: Type.String({ description: 'URL prefix of the admin routes; change it if the legacy site owns /_admin.', default: '/_admin', pattern: '^/[A-Za-z0-9._~/-]*[^/]$' }),
  token: Str('Bearer token that grants admin access (env SIDECAR_ADMIN_TOKEN). Empty with no users: loopback clients only.', ''),
  secret: Str('Secret the dashboard\'s CSRF tokens are signed with (env SIDECAR_ADMIN_SECRET), the same on every instance behind ' +
    'one load balancer. Empty: one is kept in Redis (shared by the instances on it), or made per process without Redis.', ''),
  users: Type.Array(Type.Object({
    name: Type.String({ minLength: 1, description: 'User name for HTTP Basic auth.' }),
    passwordHash: Type.String({ pattern: '^scrypt\\$', description: 'scrypt hash made by `sipup-sidecar hash-password`.' })
  }, { additionalProperties: false }), { description: 'Users allowed into the admin with HTTP Basic auth.', default: [] })
}, { additionalProperties: false, description: 'The admin API and dashboard.', default: {} })

export const RedisSchema = Type.Object({
  enabled: Bool('Connect to Redis and share caches, limits and jobs across sidecar instances. Without it every feature uses per-instance memory.', true),
  url: Str('Redis URL (env REDIS_URL). With `sentinels`, only its password, user name and database number are used.', 'redis://127.0.0.1:6379'),
  sentinels: Type.Array(Type.Object({
    host: Type.String({ minLength: 1, description: 'Sentinel host.' }),
    port: Type.Integer({ minimum: 1, maximum: 65535, default: 26379, description: 'Sentinel port.' })
  }, { additionalProperties: false }), {
    description: 'Redis Sentinel: the sentinels to ask for the current master of `name` (empty = connect to `url` directly). ' +
      'After a failover the connection follows the new master.',
    default: []
  }),
  name: Str('Sentinel: the monitored master\'s name (`sentinel monitor <name> ...`).', 'mymaster'),
  keyPrefix: Str('Prefix of every Redis key the sidecar writes.', 'sipup:'),
  connectTimeout: Duration({ description: 'Time to connect at start-up before features fall back to memory.', default: '1s' }),
  commandTimeout: Duration({ description: 'Longest wait for one Redis command on the request path before it counts as an outage.', default: '100ms' })
}, { additionalProperties: false, description: 'Shared Redis connection (optional).', default: {} })

export const MysqlSchema = Type.Object({
  url: Str('MySQL/MariaDB URL of the legacy database, e.g. mysql://user:pass@127.0.0.1:3306/shop (env MYSQL_URL). Empty = DB features off.', ''),
  poolSize: Int('Connections in the sidecar\'s own pool (the DB advisor and maintenance); keep it small: the shop\'s PHP has its own.', 4, 1, 100),
  connectTimeout: Duration({ description: 'Time to connect to the database before a DB feature reports it unreachable.', default: '2s', minimum: 100 }),
  queryTimeout: Duration({ description: 'Longest wait for one catalog or statistics query of the sidecar (never applied to DDL, whose wait is bounded by db.lockWaitTimeout).', default: '30s', minimum: 100 })
}, { additionalProperties: false, description: 'The legacy database (optional; used by the DB advisor and `doctor`).', default: {} })

/** The core's sections, in the order the generated docs list them. */
export const CoreSections = {
  server: ServerSchema,
  upstream: UpstreamSchema,
  proxy: ProxySchema,
  log: LogSchema,
  admin: AdminSchema,
  redis: RedisSchema,
  mysql: MysqlSchema
}

const CoreConfigSchema = Type.Object(CoreSections)

/** What the core, the proxy and the admin read: the frozen core sections (the whole config holds the plugins' too). */
export type CoreConfig = DeepReadonly<Static<typeof CoreConfigSchema>>
