// Config sections owned by the core (server, upstream, proxy, origin, log, admin, redis, mysql, fleet).
// Capability plugins own their sections in src/plugins/<name>/schema.ts; src/sidecar-config.ts composes both, so
// nothing here (or in src/core) knows which plugins exist.
import { Type, type Static } from '@sinclair/typebox'
import type { DeepReadonly } from './deep-readonly.js'
import { Bytes, Duration } from './units.js'
import { AddressList, Bool, Int, Str, StrList } from './schema-helpers.js'
import { ProxyCompressionSchema } from '../proxy/compression/schema.js'

/** Parameters whose values are never logged, whatever log.query says (names compared case-insensitively). */
export const DEFAULT_REDACT_QUERY: readonly string[] = [
  'token', 'access_token', 'refresh_token', 'id_token', 'auth', 'password', 'passwd', 'pass', 'pwd', 'secret',
  'client_secret', 'key', 'api_key', 'apikey', 'signature', 'sig', 'hash', 'code', 'otp', 'session', 'sid',
  'phpsessid', 'reset', 'nonce'
]

/** Mozilla's "intermediate" cipher list (TLS 1.2; TLS 1.3 suites are always on): https://ssl-config.mozilla.org/ */
export const MOZILLA_INTERMEDIATE_CIPHERS = 'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:' +
  'ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:' +
  'DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305'

export const TlsCertificateSchema = Type.Object({
  cert: Type.String({ minLength: 1, description: 'PEM file of the certificate, followed by its chain (certbot\'s fullchain.pem).' }),
  key: Type.String({ minLength: 1, description: 'PEM file of the certificate\'s private key.' }),
  serverNames: Type.Array(Type.String({ minLength: 1 }), {
    description: 'Host names (SNI) this certificate is for, `*.example.com` for a wildcard; empty = the names in the certificate.',
    default: []
  })
}, { additionalProperties: false })

export const TlsSchema = Type.Object({
  cert: Str('PEM file of the default certificate and its chain (empty with no `certificates` = plain HTTP).', ''),
  key: Str('PEM file of the default certificate\'s private key.', ''),
  certificates: Type.Array(TlsCertificateSchema, {
    description: 'More certificates, chosen by the name the client asks for (SNI); the first is the default when `cert` is empty.',
    default: []
  }),
  minVersion: Type.Union([Type.Literal('TLSv1.2'), Type.Literal('TLSv1.3')], { description: 'Oldest TLS version accepted.', default: 'TLSv1.2' }),
  ciphers: Str('OpenSSL cipher list for TLS 1.2 (Mozilla\'s "intermediate" by default).', MOZILLA_INTERMEDIATE_CIPHERS),
  expiryWarning: Duration({ description: 'A certificate expiring within this time is reported (log warning, `doctor`, the dashboard\'s Health panel).', default: '14d' })
}, { additionalProperties: false, description: 'TLS termination: set `cert` and `key` (or `certificates`) when DNS points at the sidecar. SIGHUP re-reads the files.', default: {} })

export const Http2LimitsSchema = Type.Object({
  maxConcurrentStreams: Int('Streams one HTTP/2 connection may have open at once.', 128, 1, 10_000),
  maxHeaderListSize: Bytes({ description: 'Largest HTTP/2 header list accepted (uncompressed).', default: '32KB' }),
  maxResets: Int('Streams a client may cancel (RST_STREAM) within `resetWindow` before its connection is closed (rapid reset, CVE-2023-44487).', 200, 1),
  resetWindow: Duration({ description: 'The window `maxResets` counts over.', default: '10s', minimum: 1 })
}, { additionalProperties: false, description: 'Limits against HTTP/2 abuse (with `server.http2`).', default: {} })

export const RedirectHttpSchema = Type.Object({
  enabled: Bool('Listen for plain HTTP too and answer every request with a 308 to the same URL on https://.', false),
  host: Str('Address of the plain-HTTP listener (empty = server.host).', ''),
  port: Int('Port of the plain-HTTP listener.', 80, 0, 65535),
  acmeDir: Str('Directory `/.well-known/acme-challenge/<token>` is served from (certbot --webroot -w DIR puts the tokens in ' +
    'DIR/.well-known/acme-challenge). Empty = those requests are forwarded to the origin.', '')
}, { additionalProperties: false, description: 'The plain-HTTP listener that sends browsers to HTTPS (with `server.tls`).', default: {} })

export const HstsSchema = Type.Object({
  maxAge: Duration({ description: 'Strict-Transport-Security max-age sent on HTTPS responses (0 = no header). Browsers then refuse plain HTTP for that long: start short.', default: '0s' }),
  includeSubDomains: Bool('Add includeSubDomains (every subdomain must serve HTTPS too).', false),
  preload: Bool('Add preload (for the browsers\' preload list; hard to undo).', false)
}, { additionalProperties: false, description: 'HTTP Strict Transport Security (with `server.tls`).', default: {} })

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
  backlog: Int('Connections the kernel holds for the sidecar to accept (listen backlog; capped by net.core.somaxconn). ' +
    'Node\'s 511 overflows when thousands of users arrive while the event loop is busy: the client\'s SYN is then ' +
    'dropped and retried after 1 s, 3 s, 7 s.', 4096, 1, 65_535),
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
      'aggregates their metrics. Memory caches and limits are then per worker: use Redis (cache.store tiered/redis). ' +
      '`upstream.maxConcurrent`, its queue and `upstream.autoLimit` stay the node\'s: each worker guards its share.',
    default: 1
  }),
  tls: TlsSchema,
  http2: Bool('Speak HTTP/2 (with HTTP/1.1 for older clients, chosen by ALPN) on the TLS port; needs `server.tls`.', false),
  http2Limits: Http2LimitsSchema,
  redirectHttp: RedirectHttpSchema,
  hsts: HstsSchema
}, { additionalProperties: false, description: 'The listening socket and its protections.', default: {} })

/** Origin protection (src/proxy/origin-guard/): the queue requests wait in while the origin is at its limit. */
export const UpstreamQueueSchema = Type.Object({
  size: Int('Requests that may wait in the sidecar while `upstream.maxConcurrent` are at the origin; a request beyond it is ' +
    'shed at once (a stale copy or 503), a lower-lane one first. With `server.workers` > 1 it is the node\'s, split across the ' +
    'workers like `maxConcurrent`.', 200, 0, 1_000_000),
  timeout: Duration({ description: 'Longest a request waits for an origin slot, counted from its arrival at the sidecar; then ' +
    'it is shed (a stale copy or 503) instead of waiting for a 504. A request whose expected wait (its lane\'s queue at the ' +
    'origin\'s pace, after the more important lanes) plus one slot time would pass that is shed at once, as queue-full; a ' +
    'queued one that more important arrivals overtook so that it can no longer make it is shed then, as queue-timeout.', default: '5s', minimum: 1 })
}, { additionalProperties: false, description: 'The queue in front of the origin (with `upstream.maxConcurrent` > 0).', default: {} })

const LaneName = (description: string, def?: string) => Type.Union([Type.Literal('high'), Type.Literal('normal'), Type.Literal('low')],
  def === undefined ? { description } : { description, default: def })

/** A rule putting the requests it matches in a lane; every condition given must hold, the first matching rule wins. */
export const LaneRuleSchema = Type.Object({
  lane: LaneName('The lane of matching requests.'),
  methods: Type.Array(Type.String({ minLength: 1, pattern: '^[A-Za-z]+$' }), { description: 'Methods, e.g. [POST] (empty = any).', default: [] }),
  paths: Type.Array(Type.String({ pattern: '^/' }), {
    description: 'Path globs (no query): `*` within one segment, `**` across segments, e.g. /checkout/** (empty = any path).', default: []
  }),
  cookie: Str('A cookie that must be present, e.g. the PHP session cookie for "logged in" (empty = no condition).', ''),
  header: Str('A request header that must be present (empty = no condition).', ''),
  headerContains: StrList('With `header`: its value must contain one of these, case-insensitive (e.g. bot, crawler, spider).', []),
  field: Str('A per-request field another capability set, e.g. `cache` (the cache outcome; empty = no condition).', ''),
  fieldIn: StrList('With `field`: the values that match, e.g. [MISS] (a cacheable page not stored yet: one origin request ' +
    'fills the cache for everyone after it).', [])
}, { additionalProperties: false })

export const UpstreamLanesSchema = Type.Object({
  default: LaneName('The lane of requests no rule matches.', 'normal'),
  weights: Type.Object({
    high: Int('Origin slots the high lane gets per round while other lanes wait too.', 6, 1, 1000),
    normal: Int('Origin slots the normal lane gets per round.', 3, 1, 1000),
    low: Int('Origin slots the low lane gets per round: never starved, only outweighed.', 1, 1, 1000)
  }, { additionalProperties: false, description: 'How freed origin slots are shared between waiting lanes (weighted round robin; FIFO within a lane).', default: {} }),
  rules: Type.Array(LaneRuleSchema, {
    description: 'Rules putting requests in the high, normal or low lane, checked in order (first match wins). A full queue ' +
      'sheds the newest request of the lowest lane first.', default: []
  })
}, { additionalProperties: false, description: 'Priority lanes of the origin queue: checkouts and logged-in users before anonymous browsing and bots.', default: {} })

/** The answer to a shed request that has no stale copy. */
export const UpstreamBusySchema = Type.Object({
  retryAfter: Duration({ description: 'Sent as Retry-After, and the busy page reloads itself after it.', default: '5s', minimum: 1000 }),
  title: Str('Title of the busy page browsers get.', 'The shop is busy'),
  message: Str('Text of the busy page (and the JSON problem\'s detail).', 'Very many people are shopping right now. ' +
    'This page refreshes itself in a few seconds.'),
  file: Str('An HTML file sent instead of the built-in page (read at start-up; `{{retryAfter}}` is replaced by the seconds). ' +
    'Empty = the built-in page.', '')
}, { additionalProperties: false, description: 'What a shed request gets when the cache has no copy: 503, Retry-After and a page that refreshes itself (problem details for API clients).', default: {} })

export const UpstreamSchema = Type.Object({
  url: Str('Origin URL of the legacy site (env SIDECAR_UPSTREAM).', 'http://127.0.0.1:8081'),
  connections: Int('Keep-alive connections kept open to the origin (size of the pool).', 128, 1, 100_000),
  pipelining: Int('HTTP/1.1 requests in flight per origin connection (1 = no pipelining, safest for PHP).', 1, 1, 100),
  connectTimeout: Duration({ description: 'Time to open a connection to the origin before answering 504.', default: '5s' }),
  responseTimeout: Duration({ description: 'Time to wait for the origin\'s response headers before answering 504.', default: '30s' }),
  bodyTimeout: Duration({ description: 'Longest pause between two chunks of the origin\'s response body before the response is aborted.', default: '30s' }),
  keepAliveTimeout: Duration({ description: 'How long an idle origin connection is kept for reuse.', default: '4s' }),
  healthPath: Type.String({ description: 'Path requested by the readiness check (/_admin/ready): any answer below 500 means the origin is up.', default: '/', pattern: '^/' }),
  maxConcurrent: Type.Union([Type.Integer({ minimum: 0, maximum: 100_000 }), Type.Literal('auto')], {
    description: 'Most requests at the origin at once (set it to php-fpm\'s pm.max_children); more wait in `upstream.queue`. ' +
      '0 = no limit (every request is forwarded at once). `auto` finds the limit from the origin\'s latency, within `upstream.autoLimit`. ' +
      'It is the node\'s limit: with `server.workers` > 1 each worker guards its share (the shares add up to N, the first workers ' +
      'taking one more where N does not divide; N must be at least the worker count).',
    default: 0
  }),
  autoLimit: Type.Object({
    min: Int('Lowest limit `maxConcurrent: auto` goes down to.', 4, 1, 100_000),
    max: Int('Highest limit `maxConcurrent: auto` goes up to (keep it at or below upstream.connections).', 128, 1, 100_000),
    initial: Int('Limit `maxConcurrent: auto` starts from.', 20, 1, 100_000)
  }, { additionalProperties: false, description: 'Bounds of the adaptive limit (`upstream.maxConcurrent: auto`); with `server.workers` > 1 ' +
    'the node\'s, each worker adapting within its share (at least 1).', default: {} }),
  queue: UpstreamQueueSchema,
  lanes: UpstreamLanesSchema,
  busy: UpstreamBusySchema,
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
  via: Str('Pseudonym added to the Via header of responses (empty = no Via header).', ''),
  compression: ProxyCompressionSchema
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
  url: Str('Redis URL (env REDIS_URL). With `sentinels`, only its password, user name and database number are used; with ' +
    '`nodes`, only its password, user name and `rediss:` (TLS).', 'redis://127.0.0.1:6379'),
  sentinels: Type.Array(Type.Object({
    host: Type.String({ minLength: 1, description: 'Sentinel host.' }),
    port: Type.Integer({ minimum: 1, maximum: 65535, default: 26379, description: 'Sentinel port.' })
  }, { additionalProperties: false }), {
    description: 'Redis Sentinel: the sentinels to ask for the current master of `name` (empty = connect to `url` directly). ' +
      'After a failover the connection follows the new master.',
    default: []
  }),
  name: Str('Sentinel: the monitored master\'s name (`sentinel monitor <name> ...`).', 'mymaster'),
  nodes: Type.Array(Type.String({ minLength: 1, description: 'A cluster node: `host:port` or a `redis://` URL.' }), {
    description: 'Redis Cluster: some of its nodes (`host:port` or URLs; the rest are discovered). Empty = no Cluster. ' +
      'Not together with `sentinels`. Under Cluster every key of this sidecar lives in one hash slot, the one of ' +
      '`keyPrefix` (wrapped in `{...}` unless it holds a hash tag already).',
    default: []
  }),
  keyPrefix: Str('Prefix of every Redis key the sidecar writes; give each shop sharing one Redis its own. Under Cluster ' +
    'it is also the hash tag of every key (`sipup:` becomes `{sipup:}`), so Lua scripts and transactions stay in one slot.', 'sipup:'),
  connectTimeout: Duration({ description: 'Time to connect at start-up before features fall back to memory.', default: '1s' }),
  commandTimeout: Duration({ description: 'Longest wait for one Redis command on the request path before it counts as an outage.', default: '100ms' })
}, { additionalProperties: false, description: 'Shared Redis connection (optional).', default: {} })

export const MysqlSchema = Type.Object({
  url: Str('MySQL/MariaDB URL of the legacy database, e.g. mysql://user:pass@127.0.0.1:3306/shop (env MYSQL_URL). Empty = DB features off.', ''),
  poolSize: Int('Connections in the sidecar\'s own pool (the DB advisor and maintenance); keep it small: the shop\'s PHP has its own.', 4, 1, 100),
  connectTimeout: Duration({ description: 'Time to connect to the database before a DB feature reports it unreachable.', default: '2s', minimum: 100 }),
  queryTimeout: Duration({ description: 'Longest wait for one catalog or statistics query of the sidecar (never applied to DDL, whose wait is bounded by db.lockWaitTimeout).', default: '30s', minimum: 100 })
}, { additionalProperties: false, description: 'The legacy database (optional; used by the DB advisor and `doctor`).', default: {} })

export const OriginSchema = Type.Object({
  caseInsensitivePaths: Bool('The origin treats paths case-insensitively (Windows: XAMPP, IIS), so `/Product.php` runs product.php: ' +
    'cache rules that store then match paths regardless of case. Rate-limit rules and cache bypass rules always do, whatever ' +
    'this says (over-matching a limit or a bypass is the safe side).', false),
  pathInfo: Bool('A rule path whose last segment names a file (`/x.php`, `/api/*.php`) also matches `/x.php/anything`, which ' +
    'Apache and PHP run as x.php with PATH_INFO.', true)
}, {
  additionalProperties: false,
  description: 'How the origin reads request paths, so cache and rate-limit rules match every spelling it runs as the same ' +
    'script. Paths are always matched percent-decoded, with `\\` read as `/`, `//`, `.` and `..` resolved, and `;` parameters, ' +
    'trailing dots and spaces of each segment dropped.',
  default: {}
})

export const FleetSchema = Type.Object({
  heartbeatInterval: Duration({
    description: 'How often each sidecar process writes its heartbeat (host, pid, version, uptime, req/s, hit ratio) to Redis for ' +
      'the dashboard\'s fleet view. A process silent for 3 intervals is shown as stopped reporting; its record is dropped after 60.',
    default: '5s',
    minimum: 1000
  })
}, { additionalProperties: false, description: 'The fleet view: every sidecar instance on the same Redis and key prefix.', default: {} })

/** The core's sections, in the order the generated docs list them. */
export const CoreSections = {
  server: ServerSchema,
  upstream: UpstreamSchema,
  proxy: ProxySchema,
  origin: OriginSchema,
  log: LogSchema,
  admin: AdminSchema,
  redis: RedisSchema,
  mysql: MysqlSchema,
  fleet: FleetSchema
}

const CoreConfigSchema = Type.Object(CoreSections)

/** What the core, the proxy and the admin read: the frozen core sections (the whole config holds the plugins' too). */
export type CoreConfig = DeepReadonly<Static<typeof CoreConfigSchema>>
