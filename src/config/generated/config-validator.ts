// GENERATED from ConfigSchema (src/sidecar-config.ts) by `npm run gen:config` (Ajv standalone code, src/config/standalone.ts): do not edit.
// @ts-nocheck -- Ajv's plain JavaScript; the typed exports are at the end.
import type { SchemaValidate } from '../validate.js'
import { isAddressSpec } from '../address-list.js'
import { parseBytes, parseDuration } from '../units.js'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)

const schema11 = {"additionalProperties":false,"type":"object","required":["server","upstream","proxy","origin","log","admin","redis","mysql","fleet","rateLimit","cache","metrics","db","jobs"],"properties":{"server":{"additionalProperties":false,"description":"The listening socket and its protections.","default":{},"type":"object","required":["host","port","trustProxy","maxHeaderSize","headersTimeout","requestTimeout","keepAliveTimeout","maxConnections","backlog","idleTimeout","maxConnectionsPerIp","maxRequestsPerSocket","shutdownTimeout","workers","tls","http2","http2Limits","redirectHttp","hsts"],"properties":{"host":{"description":"Address the sidecar listens on (env SIDECAR_HOST). The loopback default suits nginx on the same machine; say `0.0.0.0` (or `::`) to take traffic from other machines directly.","default":"127.0.0.1","type":"string"},"port":{"description":"Port the sidecar listens on (0 picks a free one).","default":8080,"minimum":0,"maximum":65535,"type":"integer"},"trustProxy":{"description":"Addresses or CIDRs of proxies (nginx, load balancer) whose X-Forwarded-For is believed when deciding the client IP. X-Forwarded-For from any other peer is ignored.","default":["127.0.0.1/8","::1/128"],"type":"array","items":{"minLength":1,"x-address":true,"type":"string"}},"maxHeaderSize":{"x-unit":"bytes","description":"Largest request header block accepted (431 beyond it).","default":"16KB"},"headersTimeout":{"x-unit":"duration","description":"Time a client has to send its request headers (slowloris guard).","default":"10s"},"requestTimeout":{"x-unit":"duration","description":"Time a client has to send a whole request, body included (0 = no limit).","default":"5m"},"keepAliveTimeout":{"x-unit":"duration","description":"How long an idle client keep-alive connection stays open. Longer than a user's think time, so returning users skip the TCP handshake (nginx uses 75s).","default":"75s"},"maxConnections":{"description":"Client connections accepted at once; more are refused (0 = no limit). `doctor` checks the fd limit against it.","default":20000,"minimum":0,"type":"integer"},"backlog":{"description":"Connections the kernel holds for the sidecar to accept (listen backlog; capped by net.core.somaxconn). Node's 511 overflows when thousands of users arrive while the event loop is busy: the client's SYN is then dropped and retried after 1 s, 3 s, 7 s.","default":4096,"minimum":1,"maximum":65535,"type":"integer"},"idleTimeout":{"x-unit":"duration","description":"Time a new client connection has to send its first request's headers before it is closed (0 = no limit). Without it a socket that never sends a byte stays open forever (headersTimeout starts with the first byte). Between requests on a kept-alive connection, keepAliveTimeout applies.","default":"10s"},"maxConnectionsPerIp":{"description":"Connections one client address may hold at once; more are answered 429 and closed (0 = no limit). Addresses in trustProxy are exempt: behind nginx every connection comes from it, so limit clients there (limit_conn).","default":256,"minimum":0,"type":"integer"},"maxRequestsPerSocket":{"description":"Requests served on one client connection before it is closed (0 = no limit).","default":0,"minimum":0,"type":"integer"},"shutdownTimeout":{"x-unit":"duration","description":"On SIGTERM/SIGINT, how long in-flight requests may take to finish before the process exits.","default":"10s"},"workers":{"description":"Proxy processes sharing the listening socket (node:cluster): `auto` = one per available CPU. With more than one, a primary process restarts crashed workers, forwards SIGTERM, restarts them one by one on SIGHUP and aggregates their metrics. Memory caches and limits are then per worker: use Redis (cache.store tiered/redis). `upstream.maxConcurrent`, its queue and `upstream.autoLimit` stay the node's: each worker guards its share.","default":1,"anyOf":[{"const":"auto","type":"string"},{"minimum":1,"maximum":256,"type":"integer"}]},"tls":{"additionalProperties":false,"description":"TLS termination: set `cert` and `key` (or `certificates`) when DNS points at the sidecar. SIGHUP re-reads the files.","default":{},"type":"object","required":["cert","key","certificates","minVersion","ciphers","expiryWarning"],"properties":{"cert":{"description":"PEM file of the default certificate and its chain (empty with no `certificates` = plain HTTP).","default":"","type":"string"},"key":{"description":"PEM file of the default certificate's private key.","default":"","type":"string"},"certificates":{"description":"More certificates, chosen by the name the client asks for (SNI); the first is the default when `cert` is empty.","default":[],"type":"array","items":{"additionalProperties":false,"type":"object","required":["cert","key","serverNames"],"properties":{"cert":{"minLength":1,"description":"PEM file of the certificate, followed by its chain (certbot's fullchain.pem).","type":"string"},"key":{"minLength":1,"description":"PEM file of the certificate's private key.","type":"string"},"serverNames":{"description":"Host names (SNI) this certificate is for, `*.example.com` for a wildcard; empty = the names in the certificate.","default":[],"type":"array","items":{"minLength":1,"type":"string"}}}}},"minVersion":{"description":"Oldest TLS version accepted.","default":"TLSv1.2","anyOf":[{"const":"TLSv1.2","type":"string"},{"const":"TLSv1.3","type":"string"}]},"ciphers":{"description":"OpenSSL cipher list for TLS 1.2 (Mozilla's \"intermediate\" by default).","default":"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305","type":"string"},"expiryWarning":{"x-unit":"duration","description":"A certificate expiring within this time is reported (log warning, `doctor`, the dashboard's Health panel).","default":"14d"}}},"http2":{"description":"Speak HTTP/2 (with HTTP/1.1 for older clients, chosen by ALPN) on the TLS port; needs `server.tls`.","default":false,"type":"boolean"},"http2Limits":{"additionalProperties":false,"description":"Limits against HTTP/2 abuse (with `server.http2`).","default":{},"type":"object","required":["maxConcurrentStreams","maxHeaderListSize","maxResets","resetWindow"],"properties":{"maxConcurrentStreams":{"description":"Streams one HTTP/2 connection may have open at once.","default":128,"minimum":1,"maximum":10000,"type":"integer"},"maxHeaderListSize":{"x-unit":"bytes","description":"Largest HTTP/2 header list accepted (uncompressed).","default":"32KB"},"maxResets":{"description":"Streams a client may cancel (RST_STREAM) within `resetWindow` before its connection is closed (rapid reset, CVE-2023-44487).","default":200,"minimum":1,"type":"integer"},"resetWindow":{"x-unit":"duration","description":"The window `maxResets` counts over.","default":"10s","minimum":1}}},"redirectHttp":{"additionalProperties":false,"description":"The plain-HTTP listener that sends browsers to HTTPS (with `server.tls`).","default":{},"type":"object","required":["enabled","host","port","acmeDir"],"properties":{"enabled":{"description":"Listen for plain HTTP too and answer every request with a 308 to the same URL on https://.","default":false,"type":"boolean"},"host":{"description":"Address of the plain-HTTP listener (empty = server.host).","default":"","type":"string"},"port":{"description":"Port of the plain-HTTP listener.","default":80,"minimum":0,"maximum":65535,"type":"integer"},"acmeDir":{"description":"Directory `/.well-known/acme-challenge/<token>` is served from (certbot --webroot -w DIR puts the tokens in DIR/.well-known/acme-challenge). Empty = those requests are forwarded to the origin.","default":"","type":"string"}}},"hsts":{"additionalProperties":false,"description":"HTTP Strict Transport Security (with `server.tls`).","default":{},"type":"object","required":["maxAge","includeSubDomains","preload"],"properties":{"maxAge":{"x-unit":"duration","description":"Strict-Transport-Security max-age sent on HTTPS responses (0 = no header). Browsers then refuse plain HTTP for that long: start short.","default":"0s"},"includeSubDomains":{"description":"Add includeSubDomains (every subdomain must serve HTTPS too).","default":false,"type":"boolean"},"preload":{"description":"Add preload (for the browsers' preload list; hard to undo).","default":false,"type":"boolean"}}}}},"upstream":{"additionalProperties":false,"description":"The legacy origin the sidecar forwards to.","default":{},"type":"object","required":["url","connections","pipelining","connectTimeout","responseTimeout","bodyTimeout","keepAliveTimeout","healthPath","maxConcurrent","autoLimit","queue","lanes","busy","preserveHost"],"properties":{"url":{"description":"Origin URL of the legacy site (env SIDECAR_UPSTREAM).","default":"http://127.0.0.1:8081","type":"string"},"connections":{"description":"Keep-alive connections kept open to the origin (size of the pool).","default":128,"minimum":1,"maximum":100000,"type":"integer"},"pipelining":{"description":"HTTP/1.1 requests in flight per origin connection (1 = no pipelining, safest for PHP).","default":1,"minimum":1,"maximum":100,"type":"integer"},"connectTimeout":{"x-unit":"duration","description":"Time to open a connection to the origin before answering 504.","default":"5s"},"responseTimeout":{"x-unit":"duration","description":"Time to wait for the origin's response headers before answering 504.","default":"30s"},"bodyTimeout":{"x-unit":"duration","description":"Longest pause between two chunks of the origin's response body before the response is aborted.","default":"30s"},"keepAliveTimeout":{"x-unit":"duration","description":"How long an idle origin connection is kept for reuse.","default":"4s"},"healthPath":{"description":"Path requested by the readiness check (/_admin/ready): any answer below 500 means the origin is up.","default":"/","pattern":"^/","type":"string"},"maxConcurrent":{"description":"Most requests at the origin at once (set it to php-fpm's pm.max_children); more wait in `upstream.queue`. 0 = no limit (every request is forwarded at once). `auto` finds the limit from the origin's latency, within `upstream.autoLimit`. It is the node's limit: with `server.workers` > 1 each worker guards its share (the shares add up to N, the first workers taking one more where N does not divide; N must be at least the worker count).","default":0,"anyOf":[{"minimum":0,"maximum":100000,"type":"integer"},{"const":"auto","type":"string"}]},"autoLimit":{"additionalProperties":false,"description":"Bounds of the adaptive limit (`upstream.maxConcurrent: auto`); with `server.workers` > 1 the node's, each worker adapting within its share (at least 1).","default":{},"type":"object","required":["min","max","initial"],"properties":{"min":{"description":"Lowest limit `maxConcurrent: auto` goes down to.","default":4,"minimum":1,"maximum":100000,"type":"integer"},"max":{"description":"Highest limit `maxConcurrent: auto` goes up to (keep it at or below upstream.connections).","default":128,"minimum":1,"maximum":100000,"type":"integer"},"initial":{"description":"Limit `maxConcurrent: auto` starts from.","default":20,"minimum":1,"maximum":100000,"type":"integer"}}},"queue":{"additionalProperties":false,"description":"The queue in front of the origin (with `upstream.maxConcurrent` > 0).","default":{},"type":"object","required":["size","timeout"],"properties":{"size":{"description":"Requests that may wait in the sidecar while `upstream.maxConcurrent` are at the origin; a request beyond it is shed at once (a stale copy or 503), a lower-lane one first. With `server.workers` > 1 it is the node's, split across the workers like `maxConcurrent`.","default":200,"minimum":0,"maximum":1000000,"type":"integer"},"timeout":{"x-unit":"duration","description":"Longest a request waits for an origin slot, counted from its arrival at the sidecar; then it is shed (a stale copy or 503) instead of waiting for a 504. A request whose expected wait (its lane's queue at the origin's pace, after the more important lanes) plus one slot time would pass that is shed at once, as queue-full; a queued one that more important arrivals overtook so that it can no longer make it is shed then, as queue-timeout.","default":"5s","minimum":1}}},"lanes":{"additionalProperties":false,"description":"Priority lanes of the origin queue: checkouts and logged-in users before anonymous browsing and bots.","default":{},"type":"object","required":["default","weights","rules"],"properties":{"default":{"description":"The lane of requests no rule matches.","default":"normal","anyOf":[{"const":"high","type":"string"},{"const":"normal","type":"string"},{"const":"low","type":"string"}]},"weights":{"additionalProperties":false,"description":"How freed origin slots are shared between waiting lanes (weighted round robin; FIFO within a lane).","default":{},"type":"object","required":["high","normal","low"],"properties":{"high":{"description":"Origin slots the high lane gets per round while other lanes wait too.","default":6,"minimum":1,"maximum":1000,"type":"integer"},"normal":{"description":"Origin slots the normal lane gets per round.","default":3,"minimum":1,"maximum":1000,"type":"integer"},"low":{"description":"Origin slots the low lane gets per round: never starved, only outweighed.","default":1,"minimum":1,"maximum":1000,"type":"integer"}}},"rules":{"description":"Rules putting requests in the high, normal or low lane, checked in order (first match wins). A full queue sheds the newest request of the lowest lane first.","default":[],"type":"array","items":{"additionalProperties":false,"type":"object","required":["lane","methods","paths","cookie","header","headerContains","field","fieldIn"],"properties":{"lane":{"description":"The lane of matching requests.","anyOf":[{"const":"high","type":"string"},{"const":"normal","type":"string"},{"const":"low","type":"string"}]},"methods":{"description":"Methods, e.g. [POST] (empty = any).","default":[],"type":"array","items":{"minLength":1,"pattern":"^[A-Za-z]+$","type":"string"}},"paths":{"description":"Path globs (no query): `*` within one segment, `**` across segments, e.g. /checkout/** (empty = any path).","default":[],"type":"array","items":{"pattern":"^/","type":"string"}},"cookie":{"description":"A cookie that must be present, e.g. the PHP session cookie for \"logged in\" (empty = no condition).","default":"","type":"string"},"header":{"description":"A request header that must be present (empty = no condition).","default":"","type":"string"},"headerContains":{"description":"With `header`: its value must contain one of these, case-insensitive (e.g. bot, crawler, spider).","default":[],"type":"array","items":{"minLength":1,"type":"string"}},"field":{"description":"A per-request field another capability set, e.g. `cache` (the cache outcome; empty = no condition).","default":"","type":"string"},"fieldIn":{"description":"With `field`: the values that match, e.g. [MISS] (a cacheable page not stored yet: one origin request fills the cache for everyone after it).","default":[],"type":"array","items":{"minLength":1,"type":"string"}}}}}}},"busy":{"additionalProperties":false,"description":"What a shed request gets when the cache has no copy: 503, Retry-After and a page that refreshes itself (problem details for API clients).","default":{},"type":"object","required":["retryAfter","title","message","file"],"properties":{"retryAfter":{"x-unit":"duration","description":"Sent as Retry-After, and the busy page reloads itself after it.","default":"5s","minimum":1000},"title":{"description":"Title of the busy page browsers get.","default":"The shop is busy","type":"string"},"message":{"description":"Text of the busy page (and the JSON problem's detail).","default":"Very many people are shopping right now. This page refreshes itself in a few seconds.","type":"string"},"file":{"description":"An HTML file sent instead of the built-in page (read at start-up; `{{retryAfter}}` is replaced by the seconds). Empty = the built-in page.","default":"","type":"string"}}},"preserveHost":{"description":"Send the client's Host header to the origin (legacy PHP builds absolute URLs from it); false sends the upstream URL's host.","default":true,"type":"boolean"}}},"proxy":{"additionalProperties":false,"description":"How requests and responses are rewritten on the way through.","default":{},"type":"object","required":["xForwarded","forwardHost","dropRequestHeaders","maxRequestBody","requestBuffering","streamPaths","bufferMemory","bufferDir","bodyTimeout","bodyMinRate","maxUploadsPerIp","via","compression"],"properties":{"xForwarded":{"description":"Set X-Forwarded-For, X-Forwarded-Proto and X-Forwarded-Host on forwarded requests.","default":true,"type":"boolean"},"forwardHost":{"description":"Pass a trusted proxy's (`server.trustProxy`) X-Forwarded-Host to the origin, and key the cache on it. Off: X-Forwarded-Host from every client is dropped and, with `xForwarded`, set to the Host header, so an nginx that doesn't overwrite it can't let a client poison the cache.","default":false,"type":"boolean"},"dropRequestHeaders":{"description":"Request headers removed before forwarding, so a client cannot make the origin build URLs from them (cache poisoning). Names are case-insensitive.","default":["x-original-url","x-rewrite-url","x-forwarded-scheme","x-forwarded-server","x-forwarded-port","x-forwarded-prefix","x-host","x-http-method-override","forwarded"],"type":"array","items":{"minLength":1,"type":"string"}},"maxRequestBody":{"x-unit":"bytes","description":"Largest request body forwarded (413 beyond it; 0 = no limit), buffered or streamed.","default":"100MB"},"requestBuffering":{"description":"Read each request body completely before taking an origin connection (as nginx does), so slow uploads cannot hold the origin's connections. Off: bodies stream to the origin as they arrive.","default":true,"type":"boolean"},"streamPaths":{"description":"Path globs whose request bodies stream to the origin even with requestBuffering on (`*` matches any characters, `?` one), e.g. a long upload the origin reads progressively. Matched against the path without the query.","default":[],"type":"array","items":{"pattern":"^/","type":"string"}},"bufferMemory":{"x-unit":"bytes","description":"Bytes of one buffered body kept in memory; beyond it the body goes to a temporary file.","default":"64KB"},"bufferDir":{"description":"Directory of the temporary files of buffered bodies (created 0600 and unlinked at once); empty = the OS temp directory.","default":"","type":"string"},"bodyTimeout":{"x-unit":"duration","description":"Longest pause between two chunks of a buffered request body, and the grace before bodyMinRate applies; 408 beyond (0 = no limit).","default":"10s"},"bodyMinRate":{"x-unit":"bytes","description":"Slowest average rate, per second, a buffered request body may arrive at once bodyTimeout has passed; 408 below it (0 = no floor).","default":"1KB"},"maxUploadsPerIp":{"description":"Request bodies one client IP may have being received at once; more get 429 (0 = no limit).","default":8,"minimum":0,"type":"integer"},"via":{"description":"Pseudonym added to the Via header of responses (empty = no Via header).","default":"","type":"string"},"compression":{"additionalProperties":false,"description":"Compression of pass-through responses.","default":{},"type":"object","required":["enabled","encodings","minSize","types","brotliQuality","brotliWindow","gzipLevel","gzipMemLevel","gzipWindowBits","memo"],"properties":{"enabled":{"description":"Compress text responses the origin sent uncompressed (as nginx's `gzip on` / Caddy's `encode`), streamed as they arrive. Responses the origin compressed itself pass untouched; turn off when a server in front compresses instead.","default":true,"type":"boolean"},"encodings":{"description":"Codings offered, in order of preference when the client accepts several equally (zstd is not offered, and has no level key: Node 20's zlib has no zstd). Empty = off.","default":["br","gzip"],"uniqueItems":true,"type":"array","items":{"anyOf":[{"const":"br","type":"string"},{"const":"gzip","type":"string"}]}},"minSize":{"x-unit":"bytes","description":"Smallest body worth compressing: by Content-Length, or, without one, by what arrived before the origin paused or ended.","default":"1KB"},"types":{"description":"Content types compressed (`*` at the end matches a prefix).","default":["text/*","application/json","application/javascript","application/xml","image/svg+xml"],"type":"array","items":{"minLength":1,"type":"string"}},"brotliQuality":{"description":"Brotli quality (0-11). Each step up costs CPU on every response the memo can't answer; chosen by CPU per 20 KB page against bytes saved (README, \"Pass-through compression\"). The cache compresses its stored copies once, at 5.","default":2,"minimum":0,"maximum":11,"type":"integer"},"brotliWindow":{"description":"Largest brotli window, as lgwin (10-24: 2^lgwin - 16 bytes). A body gets the smallest window that holds it, up to this; only longer bodies are compressed with less reach.","default":19,"minimum":10,"maximum":24,"type":"integer"},"gzipLevel":{"description":"gzip level (1-9), for clients that don't accept br.","default":2,"minimum":1,"maximum":9,"type":"integer"},"gzipMemLevel":{"description":"Largest zlib memLevel (1-9): the size of deflate's hash table and block buffer, allocated per response; a body gets the smallest that covers it, up to this.","default":8,"minimum":1,"maximum":9,"type":"integer"},"gzipWindowBits":{"description":"Largest deflate window, as windowBits (9-15: 2^windowBits bytes). A body gets the smallest window that holds it, up to this.","default":15,"minimum":9,"maximum":15,"type":"integer"},"memo":{"additionalProperties":false,"description":"Memo of compressed bodies for bodies that repeat.","default":{},"type":"object","required":["enabled","entries","maxBytes"],"properties":{"enabled":{"description":"Remember the compressed bytes of recent bodies (up to 64 KB, the ones compressed whole) and reuse them when the origin sends a byte-identical body again, e.g. a no-store page every anonymous visitor gets. A body is looked up by its length, the coding and a hash of a few sampled slices, and a stored copy is used only when its whole identity body equals this one byte for byte.","default":true,"type":"boolean"},"entries":{"description":"Most bodies remembered (a body compressed in both codings counts twice).","default":256,"minimum":1,"type":"integer"},"maxBytes":{"x-unit":"bytes","description":"Memory the memo may hold: identity and compressed copies together (the oldest entry not used since it was stored goes first).","default":"8MB"}}}}}}},"origin":{"additionalProperties":false,"description":"How the origin reads request paths, so cache and rate-limit rules match every spelling it runs as the same script. Paths are always matched percent-decoded, with `\\` read as `/`, `//`, `.` and `..` resolved, and `;` parameters, trailing dots and spaces of each segment dropped.","default":{},"type":"object","required":["caseInsensitivePaths","pathInfo"],"properties":{"caseInsensitivePaths":{"description":"The origin treats paths case-insensitively (Windows: XAMPP, IIS), so `/Product.php` runs product.php: cache rules that store then match paths regardless of case. Rate-limit rules and cache bypass rules always do, whatever this says (over-matching a limit or a bypass is the safe side).","default":false,"type":"boolean"},"pathInfo":{"description":"A rule path whose last segment names a file (`/x.php`, `/api/*.php`) also matches `/x.php/anything`, which Apache and PHP run as x.php with PATH_INFO.","default":true,"type":"boolean"}}},"log":{"additionalProperties":false,"description":"Logging (pino, JSON lines on stdout).","default":{},"type":"object","required":["level","requests","query","redactQuery"],"properties":{"level":{"description":"Log level (env SIDECAR_LOG_LEVEL).","default":"info","anyOf":[{"const":"fatal","type":"string"},{"const":"error","type":"string"},{"const":"warn","type":"string"},{"const":"info","type":"string"},{"const":"debug","type":"string"},{"const":"trace","type":"string"},{"const":"silent","type":"string"}]},"requests":{"description":"Write one log line per request (method, path, status, ms, upstream ms, cache and rate-limit outcome).","default":true,"type":"boolean"},"query":{"description":"What the access log writes of a query string: `none` (the path only; queries carry reset tokens and API keys), `keys` (parameter names, no values) or `full` (values too, except those named in `log.redactQuery`).","default":"none","anyOf":[{"const":"none","type":"string"},{"const":"keys","type":"string"},{"const":"full","type":"string"}]},"redactQuery":{"description":"Query parameters whose values are never logged, whatever `log.query` says (case-insensitive; `user[password]` counts as `password`).","default":["token","access_token","refresh_token","id_token","auth","password","passwd","pass","pwd","secret","client_secret","key","api_key","apikey","signature","sig","hash","code","otp","session","sid","phpsessid","reset","nonce"],"type":"array","items":{"minLength":1,"type":"string"}}}},"admin":{"additionalProperties":false,"description":"The admin API and dashboard.","default":{},"type":"object","required":["enabled","prefix","token","secret","users"],"properties":{"enabled":{"description":"Serve the admin API and dashboard.","default":true,"type":"boolean"},"prefix":{"description":"URL prefix of the admin routes; change it if the legacy site owns /_admin.","default":"/_admin","pattern":"^/[A-Za-z0-9._~/-]*[^/]$","type":"string"},"token":{"description":"Bearer token that grants admin access (env SIDECAR_ADMIN_TOKEN). Empty with no users: loopback clients only.","default":"","type":"string"},"secret":{"description":"Secret the dashboard's CSRF tokens are signed with (env SIDECAR_ADMIN_SECRET), the same on every instance behind one load balancer. Empty: one is kept in Redis (shared by the instances on it), or made per process without Redis.","default":"","type":"string"},"users":{"description":"Users allowed into the admin with HTTP Basic auth.","default":[],"type":"array","items":{"additionalProperties":false,"type":"object","required":["name","passwordHash"],"properties":{"name":{"minLength":1,"description":"User name for HTTP Basic auth.","type":"string"},"passwordHash":{"pattern":"^scrypt\\$","description":"scrypt hash made by `sipup-sidecar hash-password`.","type":"string"}}}}}},"redis":{"additionalProperties":false,"description":"Shared Redis connection (optional).","default":{},"type":"object","required":["enabled","url","sentinels","name","nodes","keyPrefix","connectTimeout","commandTimeout"],"properties":{"enabled":{"description":"Connect to Redis and share caches, limits and jobs across sidecar instances. Without it every feature uses per-instance memory.","default":true,"type":"boolean"},"url":{"description":"Redis URL (env REDIS_URL). With `sentinels`, only its password, user name and database number are used; with `nodes`, only its password, user name and `rediss:` (TLS).","default":"redis://127.0.0.1:6379","type":"string"},"sentinels":{"description":"Redis Sentinel: the sentinels to ask for the current master of `name` (empty = connect to `url` directly). After a failover the connection follows the new master.","default":[],"type":"array","items":{"additionalProperties":false,"type":"object","required":["host","port"],"properties":{"host":{"minLength":1,"description":"Sentinel host.","type":"string"},"port":{"minimum":1,"maximum":65535,"default":26379,"description":"Sentinel port.","type":"integer"}}}},"name":{"description":"Sentinel: the monitored master's name (`sentinel monitor <name> ...`).","default":"mymaster","type":"string"},"nodes":{"description":"Redis Cluster: some of its nodes (`host:port` or URLs; the rest are discovered). Empty = no Cluster. Not together with `sentinels`. Under Cluster every key of this sidecar lives in one hash slot, the one of `keyPrefix` (wrapped in `{...}` unless it holds a hash tag already).","default":[],"type":"array","items":{"minLength":1,"description":"A cluster node: `host:port` or a `redis://` URL.","type":"string"}},"keyPrefix":{"description":"Prefix of every Redis key the sidecar writes; give each shop sharing one Redis its own. Under Cluster it is also the hash tag of every key (`sipup:` becomes `{sipup:}`), so Lua scripts and transactions stay in one slot.","default":"sipup:","type":"string"},"connectTimeout":{"x-unit":"duration","description":"Time to connect at start-up before features fall back to memory.","default":"1s"},"commandTimeout":{"x-unit":"duration","description":"Longest wait for one Redis command on the request path before it counts as an outage.","default":"100ms"}}},"mysql":{"additionalProperties":false,"description":"The legacy database (optional; used by the DB advisor and `doctor`).","default":{},"type":"object","required":["url","poolSize","connectTimeout","queryTimeout"],"properties":{"url":{"description":"MySQL/MariaDB URL of the legacy database, e.g. mysql://user:pass@127.0.0.1:3306/shop (env MYSQL_URL). Empty = DB features off.","default":"","type":"string"},"poolSize":{"description":"Connections in the sidecar's own pool (the DB advisor and maintenance); keep it small: the shop's PHP has its own.","default":4,"minimum":1,"maximum":100,"type":"integer"},"connectTimeout":{"x-unit":"duration","description":"Time to connect to the database before a DB feature reports it unreachable.","default":"2s","minimum":100},"queryTimeout":{"x-unit":"duration","description":"Longest wait for one catalog or statistics query of the sidecar (never applied to DDL, whose wait is bounded by db.lockWaitTimeout).","default":"30s","minimum":100}}},"fleet":{"additionalProperties":false,"description":"The fleet view: every sidecar instance on the same Redis and key prefix.","default":{},"type":"object","required":["heartbeatInterval"],"properties":{"heartbeatInterval":{"x-unit":"duration","description":"How often each sidecar process writes its heartbeat (host, pid, version, uptime, req/s, hit ratio) to Redis for the dashboard's fleet view. A process silent for 3 intervals is shown as stopped reporting; its record is dropped after 60.","default":"5s","minimum":1000}}},"rateLimit":{"additionalProperties":false,"description":"Rate limiting (issue 4).","default":{},"type":"object","required":["enabled","store","failClosed","ip","user","rules","identity","ipv6Subnet","allowlist","denylist","bans","headers","legacyHeaders","maxFormBody","memoryKeys","lease"],"properties":{"enabled":{"description":"Limit request rates per client IP, per user and per endpoint before requests reach the cache or the origin.","default":false,"type":"boolean"},"store":{"description":"`redis`: counters shared by every instance (exact across instances; needs `redis.enabled`, otherwise memory is used and the feature reports degraded); `memory`: each instance counts alone.","default":"redis","anyOf":[{"const":"redis","type":"string"},{"const":"memory","type":"string"}]},"failClosed":{"description":"While Redis is unreachable, answer 503 instead of limiting with per-instance memory counters (the default keeps the shop up).","default":false,"type":"boolean"},"ip":{"additionalProperties":false,"description":"The per client IP limit.","default":{},"type":"object","required":["enabled","limit","window","dryRun"],"properties":{"enabled":{"description":"Apply the per client IP limit.","default":true,"type":"boolean"},"limit":{"description":"Requests allowed per client IP per `window` (also the largest burst).","default":100,"minimum":1,"maximum":100000000,"type":"integer"},"window":{"x-unit":"duration","description":"Length of the window (at least 1s, at most 7d).","default":"1m"},"dryRun":{"description":"Only log and count what this limit would reject (metric outcome `dry_run_would_limit`); never reject. Use it to tune a limit on a live site.","default":false,"type":"boolean"}}},"user":{"additionalProperties":false,"description":"The per user limit.","default":{},"type":"object","required":["enabled","limit","window","dryRun"],"properties":{"enabled":{"description":"Apply the per user limit.","default":true,"type":"boolean"},"limit":{"description":"Requests allowed per user per `window` (also the largest burst).","default":1000,"minimum":1,"maximum":100000000,"type":"integer"},"window":{"x-unit":"duration","description":"Length of the window (at least 1s, at most 7d).","default":"1h"},"dryRun":{"description":"Only log and count what this limit would reject (metric outcome `dry_run_would_limit`); never reject. Use it to tune a limit on a live site.","default":false,"type":"boolean"}}},"rules":{"description":"Endpoint limits, each matched by method and path glob and applied on top of the per-IP and per-user limits.","default":[{"name":"login","methods":["POST"],"path":"/login.php","limit":10,"window":"5m","key":"ip","field":"","dryRun":false}],"type":"array","items":{"additionalProperties":false,"type":"object","required":["name","methods","path","limit","window","key","field","cookies","dryRun"],"properties":{"name":{"description":"Name of the rule in metrics, logs and the RateLimit headers (lower case, digits, - and _).","pattern":"^[a-z0-9][a-z0-9_-]{0,31}$","type":"string"},"methods":{"description":"Methods the rule applies to, upper case; `*` = every method.","default":["*"],"type":"array","items":{"pattern":"^([A-Z]+|\\*)$","type":"string"}},"path":{"minLength":1,"pattern":"^/","description":"Glob matched, ignoring case, against the request path as the origin reads it (see `origin`: no query, percent-decoded, dot segments, `;` parameters, trailing dots and spaces removed; `/x.php` also covers its PATH_INFO `/x.php/...`): `*` matches within one segment, `**` across segments.","type":"string"},"limit":{"description":"Requests allowed per `window` for one key.","default":10,"minimum":1,"maximum":100000000,"type":"integer"},"window":{"x-unit":"duration","description":"Length of the window (at least 1s, at most 7d).","default":"5m"},"key":{"description":"What one counter is for: `ip` the client IP, `user` the user identity (anonymous: the IP), `field` the value of the submitted form field `field` (e.g. the username of a login form; requests whose body is not a small urlencoded form, or lacks the field, are keyed on the IP).","default":"ip","anyOf":[{"const":"ip","type":"string"},{"const":"user","type":"string"},{"const":"field","type":"string"}]},"field":{"description":"Form field whose value is the key when `key` is `field` (e.g. `username`).","default":"","type":"string"},"cookies":{"additionalProperties":false,"description":"Cookie conditions: names and globs (`SESS*`, `shop_logged_in_*`), matched as sent and as PHP reads them.","default":{},"type":"object","required":["present","absent"],"properties":{"present":{"description":"The rule applies only when at least one of these cookies (names or globs) is present with a value (empty = no such condition).","default":[],"type":"array","items":{"minLength":1,"type":"string"}},"absent":{"description":"The rule applies only when none of these cookies (names or globs) is present with a value.","default":[],"type":"array","items":{"minLength":1,"type":"string"}}}},"dryRun":{"description":"Only log and count what this rule would reject; never reject.","default":false,"type":"boolean"}}}},"identity":{"additionalProperties":false,"description":"How the per-user limit and `key: user` rules tell users apart. Tried in the order JWT, Basic, header, cookie; the first that yields a value wins; a request with none is anonymous and keyed on its IP.","default":{},"type":"object","required":["cookie","header","basic","jwt"],"properties":{"cookie":{"description":"Session cookie whose value identifies the user: a name (`PHPSESSID`), a glob (`SESS*`) or a list (the first pattern that matches a cookie wins); empty = not used.","default":"PHPSESSID","anyOf":[{"type":"string"},{"type":"array","items":{"minLength":1,"type":"string"}}]},"header":{"description":"Request header whose value identifies the user (e.g. `X-Api-Key`; empty = not used).","default":"","type":"string"},"basic":{"description":"Identify users by HTTP Basic credentials (the bucket is per user name and password, so a client without the password cannot use up a user's quota).","default":false,"type":"boolean"},"jwt":{"additionalProperties":false,"description":"JWT identity.","default":{},"type":"object","required":["enabled","header","cookie","algorithms","secret","publicKey","issuer","audience"],"properties":{"enabled":{"description":"Take the user identity from a JWT's `sub` claim. A token that fails verification (signature, `exp`/`nbf`, issuer, audience, algorithm) is ignored and the request counts as anonymous.","default":false,"type":"boolean"},"header":{"description":"Header carrying the token as `Bearer <token>` (empty = none).","default":"authorization","type":"string"},"cookie":{"description":"Cookie carrying the token instead (an exact name; empty = none).","default":"","pattern":"^[^*?]*$","type":"string"},"algorithms":{"description":"Accepted signing algorithms (HS* need `secret`, the others `publicKey`).","default":["HS256"],"type":"array","items":{"anyOf":[{"const":"HS256","type":"string"},{"const":"HS384","type":"string"},{"const":"HS512","type":"string"},{"const":"RS256","type":"string"},{"const":"RS384","type":"string"},{"const":"RS512","type":"string"},{"const":"PS256","type":"string"},{"const":"PS384","type":"string"},{"const":"PS512","type":"string"},{"const":"ES256","type":"string"},{"const":"ES384","type":"string"},{"const":"EdDSA","type":"string"}]}},"secret":{"description":"Shared secret for HS* tokens. Keep the file holding it private.","default":"","type":"string"},"publicKey":{"description":"PEM public key (SPKI, `-----BEGIN PUBLIC KEY-----`) for RS*, PS*, ES* and EdDSA tokens.","default":"","type":"string"},"issuer":{"description":"Required `iss` claim (empty = not checked).","default":"","type":"string"},"audience":{"description":"Required `aud` claim (empty = not checked).","default":"","type":"string"}}}}},"ipv6Subnet":{"description":"IPv6 clients are counted per subnet of this prefix length (one host usually holds a /64).","default":64,"minimum":1,"maximum":128,"type":"integer"},"allowlist":{"description":"Addresses or CIDRs never limited (monitoring, office).","default":[],"type":"array","items":{"minLength":1,"x-address":true,"type":"string"}},"denylist":{"description":"Addresses or CIDRs always answered 403.","default":[],"type":"array","items":{"minLength":1,"x-address":true,"type":"string"}},"bans":{"additionalProperties":false,"description":"Ban escalation for clients that ignore 429s.","default":{},"type":"object","required":["enabled","strikes","within","duration","exempt"],"properties":{"enabled":{"description":"Ban a client IP that keeps getting 429s: after `strikes` 429 answers within `within` it gets 403 for `duration`, on every instance (shared through Redis).","default":false,"type":"boolean"},"strikes":{"description":"429 answers that trigger a ban.","default":5,"minimum":1,"maximum":1000000,"type":"integer"},"within":{"x-unit":"duration","description":"Period the strikes must fall in (at least 1s).","default":"10m"},"duration":{"x-unit":"duration","description":"How long a ban lasts (at least 1s).","default":"1h"},"exempt":{"description":"Addresses or CIDRs never banned: their 429s count no strike and a ban already stored for them is ignored. They are still limited (use `allowlist` to skip limits too). List bans with `sipup-sidecar limits bans`, lift one with `limits unban IP` or the dashboard.","default":[],"type":"array","items":{"minLength":1,"x-address":true,"type":"string"}}}},"headers":{"description":"Send `RateLimit-Policy` and `RateLimit` (draft-ietf-httpapi-ratelimit-headers) on limited routes.","default":true,"type":"boolean"},"legacyHeaders":{"description":"Also send `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset` (seconds) for the tier closest to its limit.","default":false,"type":"boolean"},"maxFormBody":{"x-unit":"bytes","description":"Largest urlencoded body read to find a `key: field` value; larger or chunked bodies are not read and are keyed on the IP.","default":"8KB"},"memoryKeys":{"description":"Clients (an IP or a user) whose counters are kept per instance by the memory store and the outage fallback, each with one counter per tier it uses (least recently used dropped first).","default":100000,"minimum":100,"maximum":10000000,"type":"integer"},"lease":{"additionalProperties":false,"description":"Token leasing for large limits: an instance reserves a chunk of a counter in one Redis call and spends it locally, so requests whose tiers all hold a lease skip Redis. Never admits more than the limit; may admit a little less, since a lease another instance holds is not usable here.","default":{},"type":"object","required":["minLimit","fraction"],"properties":{"minLimit":{"description":"Only limits at least this large lease (0 = never lease). Smaller limits take one Redis round trip per allowed request, so they stay exact.","default":0,"minimum":0,"maximum":100000000,"type":"integer"},"fraction":{"description":"Share of a limit one lease reserves (e.g. 0.01 = 1 %).","default":0.01,"minimum":0.0001,"maximum":0.5,"type":"number"}}}}},"cache":{"additionalProperties":false,"description":"Response cache.","default":{},"type":"object","required":["enabled","store","maxBytes","maxObjectSize","sessionCookie","loggedIn","query","compression","coalescing","context","purge","targetedHeader","cdnCacheControl","invalidate","xCache","statusName","grace","rules"],"properties":{"enabled":{"description":"Cache origin responses (RFC 9111 shared cache plus rules).","default":false,"type":"boolean"},"store":{"description":"`memory`: per instance; `redis`: shared by all instances; `tiered`: memory in front of Redis, purges broadcast to every instance. Without Redis, `redis` and `tiered` run from memory.","default":"tiered","anyOf":[{"const":"memory","type":"string"},{"const":"redis","type":"string"},{"const":"tiered","type":"string"}]},"maxBytes":{"x-unit":"bytes","description":"Memory the in-process store may use for bodies and headers (least recently used entries are evicted beyond it).","default":"256MB"},"maxObjectSize":{"x-unit":"bytes","description":"Largest response body stored; larger ones stream through uncached.","default":"4MB"},"sessionCookie":{"description":"Session cookie: a name, a glob (`SESS*`, `wordpress_logged_in_*`) or a list of them. Its value keys per-user and context scopes (the first pattern that matches a cookie wins), and, unless `loggedIn` says otherwise, its presence makes a visitor logged in for anonymousOnly rules.","default":"PHPSESSID","anyOf":[{"type":"string"},{"type":"array","items":{"minLength":1,"type":"string"}}]},"loggedIn":{"additionalProperties":false,"description":"What marks a logged-in visitor for `anonymousOnly` rules (either marker counts). With both empty, the session cookie (`sessionCookie`) does, so every PHP visitor who has seen a page counts as logged in.","default":{},"type":"object","required":["cookies","anonymousContext"],"properties":{"cookies":{"description":"Cookies (names or globs) whose presence marks a logged-in visitor, e.g. a `logged_in` flag the app sets at login (`setcookie('logged_in', '1')`) or the app's own login cookie. A visitor with only the session cookie (PHP gives every visitor one) is then anonymous.","default":[],"type":"array","items":{"minLength":1,"type":"string"}},"anonymousContext":{"description":"The context hash (`cache.context`) the endpoint answers for anonymous sessions: a session whose hash is this one is anonymous; any other hash, or an endpoint failure, is logged in. Empty = not asked.","default":"","type":"string"}}},"query":{"additionalProperties":false,"description":"Query normalization in the cache key.","default":{},"type":"object","required":["sort","drop"],"properties":{"sort":{"description":"Sort query parameters by name in the cache key, so `?a=1&b=2` and `?b=2&a=1` share an entry; parameters of one name keep their order (`?id=1&id=2` is not `?id=2&id=1`: PHP uses the last).","default":true,"type":"boolean"},"drop":{"description":"Query parameters left out of the cache key and removed from every request sent to the origin, so a page reflecting them can't store one visitor's value for all (`*` at the end matches a prefix).","default":["utm_*","gclid","fbclid"],"type":"array","items":{"minLength":1,"type":"string"}}}},"compression":{"additionalProperties":false,"description":"Compression of stored responses.","default":{},"type":"object","required":["enabled","minSize","types"],"properties":{"enabled":{"description":"Store text responses the origin did not compress as brotli and gzip too, served by Accept-Encoding.","default":true,"type":"boolean"},"minSize":{"x-unit":"bytes","description":"Smallest body worth compressing.","default":"1KB"},"types":{"description":"Content types compressed (`*` at the end matches a prefix).","default":["text/*","application/json","application/javascript","application/xml","image/svg+xml"],"type":"array","items":{"minLength":1,"type":"string"}}}},"coalescing":{"additionalProperties":false,"description":"Request coalescing (collapsed forwarding).","default":{},"type":"object","required":["enabled","maxWait","hitForMiss"],"properties":{"enabled":{"description":"Make one origin request for concurrent misses of one key; the others wait for it.","default":true,"type":"boolean"},"maxWait":{"x-unit":"duration","description":"Longest wait for the first request before a waiter goes to the origin itself.","default":"10s"},"hitForMiss":{"x-unit":"duration","description":"How long a key whose response was not cacheable skips coalescing.","default":"30s"}}},"context":{"additionalProperties":false,"description":"Context-keyed caching for rules with `scope: context`.","default":{},"type":"object","required":["endpoint","header","ttl","timeout","maxSessions"],"properties":{"endpoint":{"description":"Origin path asked (GET, with the user's cookies) for the context hash of a session.","default":"/sidecar-context.php","type":"string"},"header":{"description":"Response header of the endpoint that carries the context hash.","default":"X-User-Context-Hash","type":"string"},"ttl":{"x-unit":"duration","description":"How long a session's context hash is reused before it is asked again.","default":"5m"},"timeout":{"x-unit":"duration","description":"Longest wait for the context endpoint before the request bypasses the cache.","default":"2s"},"maxSessions":{"description":"Sessions whose context hash is remembered (least recently used are forgotten).","default":50000,"minimum":1,"type":"integer"}}},"purge":{"additionalProperties":false,"description":"Purging (the admin API is always on when the cache is).","default":{},"type":"object","required":["method","allow"],"properties":{"method":{"description":"Accept the `PURGE` method on a URL from `purge.allow` addresses.","default":true,"type":"boolean"},"allow":{"description":"Addresses or CIDRs allowed to send PURGE.","default":["127.0.0.1/8","::1/128"],"type":"array","items":{"minLength":1,"x-address":true,"type":"string"}}}},"targetedHeader":{"description":"Response header the origin uses to tell the sidecar alone how to cache (RFC 9213 targeted field, e.g. `Sipup-Cache-Control: max-age=600`): it wins over CDN-Cache-Control and Cache-Control/Expires for the cache and is removed before the response reaches the client. Empty = off.","default":"Sipup-Cache-Control","type":"string"},"cdnCacheControl":{"description":"Obey the origin's RFC 9213 `CDN-Cache-Control` (over Cache-Control and Expires) and remove it before the response reaches the client. Turn off when a CDN in front of the sidecar should see it.","default":true,"type":"boolean"},"invalidate":{"description":"Purges applied after a successful unsafe request through the proxy (an edit in the app's admin or REST API), on top of the RFC 9111 invalidation of the request's own URL and its Location. Every matching rule applies; the response reaches the client once the purge is done (at most 2 s later).","default":[],"type":"array","items":{"additionalProperties":false,"type":"object","required":["methods","path","purge"],"properties":{"methods":{"minItems":1,"description":"Methods whose successful (2xx/3xx) response triggers the purge.","default":["POST","PUT","PATCH","DELETE"],"type":"array","items":{"anyOf":[{"const":"POST","type":"string"},{"const":"PUT","type":"string"},{"const":"PATCH","type":"string"},{"const":"DELETE","type":"string"}]}},"path":{"minLength":1,"pattern":"^/","description":"Glob matched against the request path (no query): `*` matches any run of characters, `?` one. Each `*` is captured: `$1`..`$9` in `purge` stand for what the stars matched (e.g. the product id).","type":"string"},"purge":{"additionalProperties":false,"description":"What the edit makes stale (at least one entry).","default":{},"type":"object","required":["prefixes","urls","tags"],"properties":{"prefixes":{"description":"Path prefixes purged (every host, scope and variant), e.g. `/` for the whole site or `/catalog.php`.","default":[],"type":"array","items":{"minLength":1,"type":"string"}},"urls":{"description":"URLs purged (a path with its query, or an absolute http(s) URL), e.g. `/product.php?id=$1`.","default":[],"type":"array","items":{"minLength":1,"type":"string"}},"tags":{"description":"Surrogate-Key / Cache-Tag values purged.","default":[],"type":"array","items":{"minLength":1,"type":"string"}}}}}}},"xCache":{"description":"Add an `X-Cache: HIT|MISS|STALE|BYPASS|REVALIDATED` response header.","default":true,"type":"boolean"},"statusName":{"description":"Cache name in the RFC 9211 `Cache-Status` header.","default":"sipup","type":"string"},"grace":{"x-unit":"duration","description":"Grace for responses that match no rule (see rules[].grace).","default":0},"rules":{"description":"Rules for pages that need them, first match wins; requests that match none follow the origin's headers (RFC 9111).","default":[],"type":"array","items":{"additionalProperties":false,"type":"object","required":["name","path","pathRegex","methods","host","query","cookies","ttl","override","statuses","notFoundTtl","anonymousOnly","stripSetCookie","vary","scope","bypass","grace"],"properties":{"name":{"description":"Label of the rule in metrics, logs and `Cache-Status` (empty = `rule<N>`, N counted from 1).","default":"","type":"string"},"path":{"description":"Glob matched against the request path as the origin reads it (see `origin`; `/x.php` also covers its PATH_INFO): `*` matches any run of characters, `?` one. Bypass rules ignore case; rules that store follow `origin.caseInsensitivePaths`. Empty = any path.","default":"","type":"string"},"pathRegex":{"description":"Regular expression (RE2 syntax, matched in linear time: no lookaround or backreferences) matched against the path (as `path` sees it) instead of `path` (empty = not used).","default":"","type":"string"},"methods":{"description":"Methods the rule matches (only GET and HEAD are ever served from the cache).","default":["GET","HEAD"],"type":"array","items":{"anyOf":[{"const":"GET","type":"string"},{"const":"HEAD","type":"string"}]}},"host":{"description":"Glob matched against the Host header, lower-cased (empty = any host).","default":"","type":"string"},"query":{"description":"Query parameters the request must carry, name to glob of the value (`*` = any value).","default":{},"type":"object","patternProperties":{"^(.*)$":{"type":"string"}}},"cookies":{"additionalProperties":false,"description":"Cookie conditions: names and globs (`SESS*`, `shop_logged_in_*`), matched as sent and as PHP reads them.","default":{},"type":"object","required":["present","absent"],"properties":{"present":{"description":"The rule applies only when at least one of these cookies (names or globs) is present with a value (empty = no such condition).","default":[],"type":"array","items":{"minLength":1,"type":"string"}},"absent":{"description":"The rule applies only when none of these cookies (names or globs) is present with a value.","default":[],"type":"array","items":{"minLength":1,"type":"string"}}}},"ttl":{"x-unit":"duration","description":"Freshness lifetime. Without `override` it only applies when the origin gives no explicit freshness (max-age, s-maxage, Expires); 0 = the origin headers alone decide.","default":0},"override":{"description":"Ignore the origin's no-store, no-cache, private, max-age and Expires and cache for `ttl` (for legacy pages that send PHP's no-cache headers). Needs `ttl` > 0. Applies only to the `statuses` listed.","default":false,"type":"boolean"},"statuses":{"description":"Response statuses an `override` rule stores (any of 200, 203, 204, 300, 301, 308, 404, 405, 410, 414; never a 5xx or a 302/303/307 redirect); other statuses are not stored by the rule.","default":[200,203,301,404,410],"type":"array","items":{"type":"integer"}},"notFoundTtl":{"x-unit":"duration","description":"Freshness of a 404 stored by an `override` rule (at most `ttl`): a missing page may be created soon.","default":"1m"},"anonymousOnly":{"description":"Match only anonymous visitors: no Authorization, and not logged in by `cache.loggedIn` (by default: no session cookie); other requests go on to the next rule.","default":false,"type":"boolean"},"stripSetCookie":{"description":"Remove Set-Cookie from responses of this rule, so they can be stored and shared. Only allowed with `anonymousOnly`.","default":false,"type":"boolean"},"vary":{"additionalProperties":false,"description":"Extra request parts the cached page depends on.","default":{},"type":"object","required":["cookies","headers"],"properties":{"cookies":{"description":"Cookie names or globs (`comment_author_*`): every present cookie that matches joins the cache key with its name and value.","default":[],"type":"array","items":{"minLength":1,"type":"string"}},"headers":{"description":"Request header names whose values become part of the cache key.","default":[],"type":"array","items":{"minLength":1,"type":"string"}}}},"scope":{"description":"`shared`: one entry for everyone; `per-user`: keyed on the session cookie, never shared (requests without it bypass); `context`: keyed on the context hash the origin's context endpoint gives for the session (see `cache.context`).","default":"shared","anyOf":[{"const":"shared","type":"string"},{"const":"per-user","type":"string"},{"const":"context","type":"string"}]},"bypass":{"description":"Never serve or store matching requests.","default":false,"type":"boolean"},"grace":{"x-unit":"duration","description":"After an entry goes stale, how long it may still be served while it is refreshed in the background, or when the origin is down or answers 5xx.","default":0}}}}}},"metrics":{"additionalProperties":false,"description":"Prometheus metrics and the dashboard's live history.","default":{},"type":"object","required":["enabled","port","host","processMetrics","maxRoutes","history","buckets"],"properties":{"enabled":{"description":"Record HTTP and process metrics, keep the dashboard's live history and serve them at <admin.prefix>/metrics.","default":true,"type":"boolean"},"port":{"description":"Also serve /metrics (no auth) on this separate port for Prometheus (0 = only under the admin prefix, behind admin auth).","default":0,"minimum":0,"maximum":65535,"type":"integer"},"host":{"description":"Address of the separate metrics port; keep it on a private interface, it has no auth.","default":"127.0.0.1","type":"string"},"processMetrics":{"description":"Add Node process metrics (CPU, memory, event-loop lag, GC, handles) with the standard Prometheus names.","default":true,"type":"boolean"},"maxRoutes":{"description":"Distinct `route` label values kept; later ones are counted under `other` so a misbehaving rule cannot explode Prometheus.","default":200,"minimum":10,"maximum":10000,"type":"integer"},"history":{"x-unit":"duration","description":"How much per-second history the dashboard keeps in memory (1 s resolution, clamped to 1m..1h).","default":"15m"},"buckets":{"description":"Upper bounds (seconds) of the request and upstream duration histogram buckets.","default":[0.005,0.01,0.025,0.05,0.1,0.25,0.5,1,2.5,5,10],"minItems":1,"maxItems":30,"type":"array","items":{"exclusiveMinimum":0,"type":"number"}}}},"db":{"additionalProperties":false,"description":"The DB advisor: finds missing and redundant indexes from the real workload, applies them online, proves the gain, undoes.","default":{},"type":"object","required":["enabled","schemas","auditSchema","sources","processlistWindow","processlistInterval","slowLogFile","slowLogMaxAge","slowLogMaxBytes","maxShapes","analyzeStatements","statementTimeout","explainConcurrency","lockWaitTimeout","maxOnlineTableSize","verifyRuns","minGain","coveringMaxColumns","coveringMaxBytes","partitionMinRows","maintenance"],"properties":{"enabled":{"description":"Serve the DB advisor in the admin API and dashboard, and run its maintenance (needs `mysql.url`).","default":false,"type":"boolean"},"schemas":{"description":"Databases whose workload is analysed; empty = the database named in `mysql.url`.","default":[],"type":"array","items":{"minLength":1,"type":"string"}},"auditSchema":{"description":"The sidecar's own database, created if missing: it holds the audit table of applied changes (so `db undo` drops exactly what the sidecar added) and the latest analyses.","default":"sipup_sidecar","type":"string"},"sources":{"description":"Workload sources used by `db analyze --source all` and the dashboard, each skipped with the setting that would enable it when the server can't provide it: `digest` (performance_schema), `slowlog` (mysql.slow_log or the slow log file), `processlist` (sampling, needs no server setting).","default":["digest","slowlog","processlist"],"type":"array","items":{"anyOf":[{"const":"digest","type":"string"},{"const":"slowlog","type":"string"},{"const":"processlist","type":"string"}]}},"processlistWindow":{"x-unit":"duration","description":"How long the processlist source samples running statements.","default":"60s"},"processlistInterval":{"x-unit":"duration","description":"Time between two processlist samples.","default":"100ms"},"slowLogFile":{"description":"Path of the slow query log file to read when `log_output` is FILE; empty = the server's `slow_query_log_file` when it is an absolute path readable by the sidecar.","default":"","type":"string"},"slowLogMaxAge":{"x-unit":"duration","description":"Slow log entries older than this are ignored.","default":"24h"},"slowLogMaxBytes":{"x-unit":"bytes","description":"Only the last this many bytes of a slow log file are read.","default":"64MB"},"maxShapes":{"description":"Query shapes kept per analysis (the most expensive by total time).","default":200,"minimum":1,"maximum":10000,"type":"integer"},"analyzeStatements":{"description":"Run a SELECT shape's sample with MariaDB `ANALYZE FORMAT=JSON` (it executes the query) to get real row counts; off = `EXPLAIN FORMAT=JSON` estimates only. Never used for other statements.","default":true,"type":"boolean"},"statementTimeout":{"x-unit":"duration","description":"Longest an EXPLAIN, ANALYZE or timing run of one sample may take (server-side `max_statement_time` on MariaDB).","default":"10s"},"explainConcurrency":{"description":"Statements the advisor EXPLAINs or times at once, so analysis never crowds the shop.","default":2,"minimum":1,"maximum":16,"type":"integer"},"lockWaitTimeout":{"x-unit":"duration","description":"Session `lock_wait_timeout` for DDL: how long an index build may wait for the table's metadata lock before giving up (the server default, 1 day, would block every later query on the table behind a long transaction).","default":"5s"},"maxOnlineTableSize":{"x-unit":"bytes","description":"Tables larger than this (data + indexes) need `--allow-large` (`allowLarge: true`) before an index is built on them.","default":"1GB"},"verifyRuns":{"description":"Times each helped SELECT shape is run before and after a change to measure it (median).","default":5,"minimum":1,"maximum":50,"type":"integer"},"minGain":{"description":"Speed-up (before / after median time) below which an applied index is reported as not helping and offered for undo.","default":1.5,"minimum":1,"type":"number"},"coveringMaxColumns":{"description":"Extra columns an index may carry to cover a query (skip the table lookup).","default":2,"minimum":0,"maximum":8,"type":"integer"},"coveringMaxBytes":{"description":"Largest total width in bytes of those extra columns.","default":16,"minimum":0,"maximum":256,"type":"integer"},"partitionMinRows":{"description":"Tables with at least this many rows and a date column that range queries filter on are reported as monthly RANGE partitioning candidates (report only).","default":5000000,"minimum":1,"type":"integer"},"maintenance":{"additionalProperties":false,"description":"Scheduled index-statistics maintenance.","default":{},"type":"object","required":["enabled","interval"],"properties":{"enabled":{"description":"Run `ANALYZE TABLE` on the tables the analysed workload touches, once per `interval` across the fleet (a shared lock picks one instance).","default":true,"type":"boolean"},"interval":{"x-unit":"duration","description":"How often index statistics are refreshed.","default":"7d"}}}}},"jobs":{"additionalProperties":false,"description":"Background jobs (bee-queue workers).","default":{},"type":"object","required":["enabled","prefix","inline","secret","bearer","replayWindow","maxPayload","batch","idempotencyTtl","concurrency","fairness","stallInterval","stallLimit","shutdownTimeout","keepFailed","keepSucceeded","heartbeat","workerTtl","timezone","redis","http","email","types","schedules"],"properties":{"enabled":{"description":"Accept background jobs from the legacy app and run them with bee-queue workers (needs Redis).","default":false,"type":"boolean"},"prefix":{"description":"URL prefix of the job endpoint (`POST <prefix>/<type>`, `GET`/`DELETE <prefix>/<id>`). Never cached, never forwarded to the origin.","default":"/_jobs","pattern":"^/[A-Za-z0-9._~/-]*[^/]$","type":"string"},"inline":{"description":"Run the workers inside the proxy process too (small sites); otherwise run `sipup-sidecar worker`.","default":false,"type":"boolean"},"secret":{"description":"Shared secret of the job endpoint (env SIDECAR_JOBS_SECRET): `Authorization: Bearer <secret>` or an HMAC-SHA256 `X-Sidecar-Signature`. Empty: every enqueue is refused (401).","default":"","type":"string"},"bearer":{"description":"Accept the secret as a bearer token; false = only HMAC signatures (the secret never crosses the wire).","default":true,"type":"boolean"},"replayWindow":{"x-unit":"duration","description":"How far a signed request's `X-Sidecar-Timestamp` may be from the sidecar's clock; a signature is accepted once within it.","default":"5m"},"maxPayload":{"x-unit":"bytes","description":"Largest job payload accepted (413 beyond it).","default":"256KB"},"batch":{"additionalProperties":false,"description":"Batch enqueue (`POST <prefix>/<type>/batch`): many jobs in one request, stored all or none in one Redis step.","default":{},"type":"object","required":["maxItems","maxBody"],"properties":{"maxItems":{"description":"Most jobs one `POST <prefix>/<type>/batch` may carry (413 beyond it).","default":100,"minimum":1,"maximum":10000,"type":"integer"},"maxBody":{"x-unit":"bytes","description":"Largest batch body accepted (413 beyond it); each job in it is also held to `maxPayload`.","default":"1MB"}}},"idempotencyTtl":{"x-unit":"duration","description":"How long an `Idempotency-Key` maps to its first job.","default":"24h"},"concurrency":{"description":"Jobs one worker process runs at once, over every type.","default":10,"minimum":1,"maximum":10000,"type":"integer"},"fairness":{"additionalProperties":false,"description":"Workers take `high` jobs first, `normal` next, `low` last, but never starve a lower queue: each gets at least this share of the slots while it has work.","default":{},"type":"object","required":["normal","low"],"properties":{"normal":{"description":"Least share of worker slots `normal` jobs get while `high` jobs wait.","default":0.2,"minimum":0.01,"maximum":1,"type":"number"},"low":{"description":"Least share of worker slots `low` jobs get while higher ones wait (never starved).","default":0.05,"minimum":0.01,"maximum":1,"type":"number"}}},"stallInterval":{"x-unit":"duration","description":"A running job whose worker stops renewing it for this long is re-run elsewhere (bee-queue stallInterval; the check is scheduled automatically).","default":"5s"},"stallLimit":{"description":"A job that stalled this many times (it crashes its worker) fails instead of running again.","default":3,"minimum":1,"maximum":100,"type":"integer"},"shutdownTimeout":{"x-unit":"duration","description":"On SIGTERM, how long running jobs may take to finish; the rest are aborted and re-run by another worker.","default":"30s"},"keepFailed":{"x-unit":"duration","description":"How long dead-lettered jobs are kept for retry.","default":"7d"},"keepSucceeded":{"x-unit":"duration","description":"How long finished jobs (their status and result) are kept.","default":"1h"},"heartbeat":{"x-unit":"duration","description":"How often a worker tells Redis it is alive.","default":"5s"},"workerTtl":{"x-unit":"duration","description":"Health check `jobs`: a worker not heard from for this long counts as gone.","default":"30s"},"timezone":{"description":"Default IANA time zone of the schedules.","default":"UTC","type":"string"},"redis":{"additionalProperties":false,"description":"A jobs-only Redis instead of the shared `redis` section.","default":{},"type":"object","required":["url","keyPrefix"],"properties":{"url":{"description":"Standalone Redis for the jobs alone (redis:// or rediss://, env SIDECAR_JOBS_REDIS_URL); empty = the shared `redis` section. bee-queue's client follows neither Sentinel nor Cluster: set this when `redis` uses `sentinels` or `nodes`, and the job endpoint, producers and workers use this server while cache, rate limit and locks keep the shared section.","default":"","type":"string"},"keyPrefix":{"description":"Key prefix of the jobs on that server (empty = `redis.keyPrefix`).","default":"","type":"string"}}},"http":{"additionalProperties":false,"description":"The `http` handler (callbacks into the legacy app).","default":{},"type":"object","required":["baseUrl","maxErrorBody"],"properties":{"baseUrl":{"description":"Base of `http` handler URLs given as a path (empty = `upstream.url`).","default":"","type":"string"},"maxErrorBody":{"x-unit":"bytes","description":"Bytes of a failed callback's response body kept as the job's error.","default":"1KB"}}},"email":{"additionalProperties":false,"description":"The `email` handler.","default":{},"type":"object","required":["url","from"],"properties":{"url":{"description":"SMTP relay, e.g. smtp://user:pass@127.0.0.1:25 or smtps://... (env SIDECAR_JOBS_SMTP_URL).","default":"smtp://127.0.0.1:25","type":"string"},"from":{"description":"Sender when the payload gives no `from`.","default":"shop@localhost","type":"string"}}},"types":{"description":"Job types the endpoint accepts.","default":[],"type":"array","items":{"additionalProperties":false,"type":"object","required":["name","handler","url","module","schema","priority","attempts","backoff","maxBackoff","jitter","timeout","concurrency","rateLimit","rateWindow","secret","secretEnv"],"properties":{"name":{"description":"Name of the job type: the path of `POST <prefix>/<name>` and the label in metrics (lower case, digits, - and _).","pattern":"^[a-z][a-z0-9_-]{0,63}$","type":"string"},"handler":{"description":"`http`: POST the payload (signed, with job id and attempt) to `url`, 2xx = done; `email`: send the payload (`to`, `subject`, `text`/`html`) through `jobs.email`; `module`: call the default export `async (payload, ctx) => result` of the JS module `module`.","default":"http","anyOf":[{"const":"http","type":"string"},{"const":"email","type":"string"},{"const":"module","type":"string"}]},"url":{"description":"For `http`: URL the payload is POSTed to; a path (`/jobs/report.php`) is resolved against `jobs.http.baseUrl`.","default":"","type":"string"},"module":{"description":"For `module`: path of the JS module (relative paths from the working directory).","default":"","type":"string"},"schema":{"description":"JSON schema (draft-07, checked by Ajv with formats such as email, date-time, uri) the payload must match; `{}` accepts any JSON object. A payload that fails it is answered 400 naming the field, and never stored.","default":{},"type":"object","patternProperties":{"^(.*)$":{}}},"priority":{"description":"Queue the jobs go to unless the request asks for another (`?priority=`).","default":"normal","anyOf":[{"const":"high","type":"string"},{"const":"normal","type":"string"},{"const":"low","type":"string"}]},"attempts":{"description":"Runs a job gets before it is dead-lettered (1 = no retry).","default":3,"minimum":1,"maximum":100,"type":"integer"},"backoff":{"x-unit":"duration","description":"Delay before the first retry; each further retry doubles it.","default":"5s"},"maxBackoff":{"x-unit":"duration","description":"Longest delay between two attempts.","default":"10m"},"jitter":{"description":"Share of each backoff delay taken off at random (0 = none, 0.5 = up to half), so retries of jobs that failed together do not arrive together.","default":0.2,"minimum":0,"maximum":1,"type":"number"},"timeout":{"x-unit":"duration","description":"Longest run of one attempt; then it fails (the module handler's signal is aborted, the HTTP request cut).","default":"2m"},"concurrency":{"description":"Jobs of this type one worker process runs at once (within `jobs.concurrency`).","default":5,"minimum":1,"maximum":1000,"type":"integer"},"rateLimit":{"description":"Jobs of this type started per `rateWindow` across every worker (0 = no limit), e.g. 5 e-mails a second for the SMTP relay.","default":0,"minimum":0,"maximum":1000000,"type":"integer"},"rateWindow":{"x-unit":"duration","description":"Window of `rateLimit`.","default":"1s"},"secret":{"description":"Secret for this type instead of `jobs.secret`: enqueue requests must use it, and `http` callbacks are signed with it.","default":"","type":"string"},"secretEnv":{"description":"Environment variable holding this type's secret (read at start-up; wins over `secret`).","default":"","type":"string"}}}},"schedules":{"description":"Recurring jobs: each tick enqueues one job, once across every worker and instance.","default":[],"type":"array","items":{"additionalProperties":false,"type":"object","required":["name","cron","type","payload","timezone","catchUp"],"properties":{"name":{"description":"Name of the schedule (lower case, digits, - and _).","pattern":"^[a-z][a-z0-9_-]{0,63}$","type":"string"},"cron":{"minLength":1,"description":"Cron expression: 5 fields (minute hour day month weekday) or 6 with seconds first; `@daily`, `@weekly`... work too.","type":"string"},"type":{"minLength":1,"description":"Job type (one of `jobs.types`) enqueued on each tick.","type":"string"},"payload":{"description":"Payload of the enqueued job (checked against the type's schema at start-up).","default":{},"type":"object","patternProperties":{"^(.*)$":{}}},"timezone":{"description":"IANA time zone the expression is read in (empty = `jobs.timezone`).","default":"","type":"string"},"catchUp":{"description":"A tick missed while no worker ran: `one` runs it once when a worker comes back, `none` skips it.","default":"one","anyOf":[{"const":"one","type":"string"},{"const":"none","type":"string"}]}}}}}}}};
const func2 = Object.prototype.hasOwnProperty;
const func4 = isAddressSpec;
const func5 = require("ajv/dist/runtime/ucs2length").default;
const func6 = parseBytes;
const func7 = parseDuration;
const func0 = require("ajv/dist/runtime/equal").default;
const pattern0 = new RegExp("^/", "u");
const pattern1 = new RegExp("^[A-Za-z]+$", "u");
const pattern4 = new RegExp("^/[A-Za-z0-9._~/-]*[^/]$", "u");
const pattern5 = new RegExp("^scrypt\\$", "u");
const pattern6 = new RegExp("^[a-z0-9][a-z0-9_-]{0,31}$", "u");
const pattern7 = new RegExp("^([A-Z]+|\\*)$", "u");
const pattern9 = new RegExp("^[^*?]*$", "u");
const pattern11 = new RegExp("^(.*)$", "u");
const pattern13 = new RegExp("^[a-z][a-z0-9_-]{0,63}$", "u");

function validate10(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(data && typeof data == "object" && !Array.isArray(data)){
if(data.server === undefined){
data.server = {};
}
if(data.upstream === undefined){
data.upstream = {};
}
if(data.proxy === undefined){
data.proxy = {};
}
if(data.origin === undefined){
data.origin = {};
}
if(data.log === undefined){
data.log = {};
}
if(data.admin === undefined){
data.admin = {};
}
if(data.redis === undefined){
data.redis = {};
}
if(data.mysql === undefined){
data.mysql = {};
}
if(data.fleet === undefined){
data.fleet = {};
}
if(data.rateLimit === undefined){
data.rateLimit = {};
}
if(data.cache === undefined){
data.cache = {};
}
if(data.metrics === undefined){
data.metrics = {};
}
if(data.db === undefined){
data.db = {};
}
if(data.jobs === undefined){
data.jobs = {};
}
if(data.server === undefined){
const err0 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "server"},message:"must have required property '"+"server"+"'",schema:schema11.required,parentSchema:schema11,data};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
if(data.upstream === undefined){
const err1 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "upstream"},message:"must have required property '"+"upstream"+"'",schema:schema11.required,parentSchema:schema11,data};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
if(data.proxy === undefined){
const err2 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "proxy"},message:"must have required property '"+"proxy"+"'",schema:schema11.required,parentSchema:schema11,data};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
if(data.origin === undefined){
const err3 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "origin"},message:"must have required property '"+"origin"+"'",schema:schema11.required,parentSchema:schema11,data};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
if(data.log === undefined){
const err4 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "log"},message:"must have required property '"+"log"+"'",schema:schema11.required,parentSchema:schema11,data};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
if(data.admin === undefined){
const err5 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "admin"},message:"must have required property '"+"admin"+"'",schema:schema11.required,parentSchema:schema11,data};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
}
if(data.redis === undefined){
const err6 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "redis"},message:"must have required property '"+"redis"+"'",schema:schema11.required,parentSchema:schema11,data};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
}
if(data.mysql === undefined){
const err7 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "mysql"},message:"must have required property '"+"mysql"+"'",schema:schema11.required,parentSchema:schema11,data};
if(vErrors === null){
vErrors = [err7];
}
else {
vErrors.push(err7);
}
errors++;
}
if(data.fleet === undefined){
const err8 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "fleet"},message:"must have required property '"+"fleet"+"'",schema:schema11.required,parentSchema:schema11,data};
if(vErrors === null){
vErrors = [err8];
}
else {
vErrors.push(err8);
}
errors++;
}
if(data.rateLimit === undefined){
const err9 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "rateLimit"},message:"must have required property '"+"rateLimit"+"'",schema:schema11.required,parentSchema:schema11,data};
if(vErrors === null){
vErrors = [err9];
}
else {
vErrors.push(err9);
}
errors++;
}
if(data.cache === undefined){
const err10 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "cache"},message:"must have required property '"+"cache"+"'",schema:schema11.required,parentSchema:schema11,data};
if(vErrors === null){
vErrors = [err10];
}
else {
vErrors.push(err10);
}
errors++;
}
if(data.metrics === undefined){
const err11 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "metrics"},message:"must have required property '"+"metrics"+"'",schema:schema11.required,parentSchema:schema11,data};
if(vErrors === null){
vErrors = [err11];
}
else {
vErrors.push(err11);
}
errors++;
}
if(data.db === undefined){
const err12 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "db"},message:"must have required property '"+"db"+"'",schema:schema11.required,parentSchema:schema11,data};
if(vErrors === null){
vErrors = [err12];
}
else {
vErrors.push(err12);
}
errors++;
}
if(data.jobs === undefined){
const err13 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "jobs"},message:"must have required property '"+"jobs"+"'",schema:schema11.required,parentSchema:schema11,data};
if(vErrors === null){
vErrors = [err13];
}
else {
vErrors.push(err13);
}
errors++;
}
for(const key0 in data){
if(!(func2.call(schema11.properties, key0))){
const err14 = {instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties",schema:false,parentSchema:schema11,data};
if(vErrors === null){
vErrors = [err14];
}
else {
vErrors.push(err14);
}
errors++;
}
}
let data0 = data.server;
if(data0 && typeof data0 == "object" && !Array.isArray(data0)){
if(data0.host === undefined){
data0.host = "127.0.0.1";
}
if(data0.port === undefined){
data0.port = 8080;
}
if(data0.trustProxy === undefined){
data0.trustProxy = ["127.0.0.1/8","::1/128"];
}
if(data0.maxHeaderSize === undefined){
data0.maxHeaderSize = "16KB";
}
if(data0.headersTimeout === undefined){
data0.headersTimeout = "10s";
}
if(data0.requestTimeout === undefined){
data0.requestTimeout = "5m";
}
if(data0.keepAliveTimeout === undefined){
data0.keepAliveTimeout = "75s";
}
if(data0.maxConnections === undefined){
data0.maxConnections = 20000;
}
if(data0.backlog === undefined){
data0.backlog = 4096;
}
if(data0.idleTimeout === undefined){
data0.idleTimeout = "10s";
}
if(data0.maxConnectionsPerIp === undefined){
data0.maxConnectionsPerIp = 256;
}
if(data0.maxRequestsPerSocket === undefined){
data0.maxRequestsPerSocket = 0;
}
if(data0.shutdownTimeout === undefined){
data0.shutdownTimeout = "10s";
}
if(data0.workers === undefined){
data0.workers = 1;
}
if(data0.tls === undefined){
data0.tls = {};
}
if(data0.http2 === undefined){
data0.http2 = false;
}
if(data0.http2Limits === undefined){
data0.http2Limits = {};
}
if(data0.redirectHttp === undefined){
data0.redirectHttp = {};
}
if(data0.hsts === undefined){
data0.hsts = {};
}
if(data0.host === undefined){
const err15 = {instancePath:instancePath+"/server",schemaPath:"#/properties/server/required",keyword:"required",params:{missingProperty: "host"},message:"must have required property '"+"host"+"'",schema:schema11.properties.server.required,parentSchema:schema11.properties.server,data:data0};
if(vErrors === null){
vErrors = [err15];
}
else {
vErrors.push(err15);
}
errors++;
}
if(data0.port === undefined){
const err16 = {instancePath:instancePath+"/server",schemaPath:"#/properties/server/required",keyword:"required",params:{missingProperty: "port"},message:"must have required property '"+"port"+"'",schema:schema11.properties.server.required,parentSchema:schema11.properties.server,data:data0};
if(vErrors === null){
vErrors = [err16];
}
else {
vErrors.push(err16);
}
errors++;
}
if(data0.trustProxy === undefined){
const err17 = {instancePath:instancePath+"/server",schemaPath:"#/properties/server/required",keyword:"required",params:{missingProperty: "trustProxy"},message:"must have required property '"+"trustProxy"+"'",schema:schema11.properties.server.required,parentSchema:schema11.properties.server,data:data0};
if(vErrors === null){
vErrors = [err17];
}
else {
vErrors.push(err17);
}
errors++;
}
if(data0.maxHeaderSize === undefined){
const err18 = {instancePath:instancePath+"/server",schemaPath:"#/properties/server/required",keyword:"required",params:{missingProperty: "maxHeaderSize"},message:"must have required property '"+"maxHeaderSize"+"'",schema:schema11.properties.server.required,parentSchema:schema11.properties.server,data:data0};
if(vErrors === null){
vErrors = [err18];
}
else {
vErrors.push(err18);
}
errors++;
}
if(data0.headersTimeout === undefined){
const err19 = {instancePath:instancePath+"/server",schemaPath:"#/properties/server/required",keyword:"required",params:{missingProperty: "headersTimeout"},message:"must have required property '"+"headersTimeout"+"'",schema:schema11.properties.server.required,parentSchema:schema11.properties.server,data:data0};
if(vErrors === null){
vErrors = [err19];
}
else {
vErrors.push(err19);
}
errors++;
}
if(data0.requestTimeout === undefined){
const err20 = {instancePath:instancePath+"/server",schemaPath:"#/properties/server/required",keyword:"required",params:{missingProperty: "requestTimeout"},message:"must have required property '"+"requestTimeout"+"'",schema:schema11.properties.server.required,parentSchema:schema11.properties.server,data:data0};
if(vErrors === null){
vErrors = [err20];
}
else {
vErrors.push(err20);
}
errors++;
}
if(data0.keepAliveTimeout === undefined){
const err21 = {instancePath:instancePath+"/server",schemaPath:"#/properties/server/required",keyword:"required",params:{missingProperty: "keepAliveTimeout"},message:"must have required property '"+"keepAliveTimeout"+"'",schema:schema11.properties.server.required,parentSchema:schema11.properties.server,data:data0};
if(vErrors === null){
vErrors = [err21];
}
else {
vErrors.push(err21);
}
errors++;
}
if(data0.maxConnections === undefined){
const err22 = {instancePath:instancePath+"/server",schemaPath:"#/properties/server/required",keyword:"required",params:{missingProperty: "maxConnections"},message:"must have required property '"+"maxConnections"+"'",schema:schema11.properties.server.required,parentSchema:schema11.properties.server,data:data0};
if(vErrors === null){
vErrors = [err22];
}
else {
vErrors.push(err22);
}
errors++;
}
if(data0.backlog === undefined){
const err23 = {instancePath:instancePath+"/server",schemaPath:"#/properties/server/required",keyword:"required",params:{missingProperty: "backlog"},message:"must have required property '"+"backlog"+"'",schema:schema11.properties.server.required,parentSchema:schema11.properties.server,data:data0};
if(vErrors === null){
vErrors = [err23];
}
else {
vErrors.push(err23);
}
errors++;
}
if(data0.idleTimeout === undefined){
const err24 = {instancePath:instancePath+"/server",schemaPath:"#/properties/server/required",keyword:"required",params:{missingProperty: "idleTimeout"},message:"must have required property '"+"idleTimeout"+"'",schema:schema11.properties.server.required,parentSchema:schema11.properties.server,data:data0};
if(vErrors === null){
vErrors = [err24];
}
else {
vErrors.push(err24);
}
errors++;
}
if(data0.maxConnectionsPerIp === undefined){
const err25 = {instancePath:instancePath+"/server",schemaPath:"#/properties/server/required",keyword:"required",params:{missingProperty: "maxConnectionsPerIp"},message:"must have required property '"+"maxConnectionsPerIp"+"'",schema:schema11.properties.server.required,parentSchema:schema11.properties.server,data:data0};
if(vErrors === null){
vErrors = [err25];
}
else {
vErrors.push(err25);
}
errors++;
}
if(data0.maxRequestsPerSocket === undefined){
const err26 = {instancePath:instancePath+"/server",schemaPath:"#/properties/server/required",keyword:"required",params:{missingProperty: "maxRequestsPerSocket"},message:"must have required property '"+"maxRequestsPerSocket"+"'",schema:schema11.properties.server.required,parentSchema:schema11.properties.server,data:data0};
if(vErrors === null){
vErrors = [err26];
}
else {
vErrors.push(err26);
}
errors++;
}
if(data0.shutdownTimeout === undefined){
const err27 = {instancePath:instancePath+"/server",schemaPath:"#/properties/server/required",keyword:"required",params:{missingProperty: "shutdownTimeout"},message:"must have required property '"+"shutdownTimeout"+"'",schema:schema11.properties.server.required,parentSchema:schema11.properties.server,data:data0};
if(vErrors === null){
vErrors = [err27];
}
else {
vErrors.push(err27);
}
errors++;
}
if(data0.workers === undefined){
const err28 = {instancePath:instancePath+"/server",schemaPath:"#/properties/server/required",keyword:"required",params:{missingProperty: "workers"},message:"must have required property '"+"workers"+"'",schema:schema11.properties.server.required,parentSchema:schema11.properties.server,data:data0};
if(vErrors === null){
vErrors = [err28];
}
else {
vErrors.push(err28);
}
errors++;
}
if(data0.tls === undefined){
const err29 = {instancePath:instancePath+"/server",schemaPath:"#/properties/server/required",keyword:"required",params:{missingProperty: "tls"},message:"must have required property '"+"tls"+"'",schema:schema11.properties.server.required,parentSchema:schema11.properties.server,data:data0};
if(vErrors === null){
vErrors = [err29];
}
else {
vErrors.push(err29);
}
errors++;
}
if(data0.http2 === undefined){
const err30 = {instancePath:instancePath+"/server",schemaPath:"#/properties/server/required",keyword:"required",params:{missingProperty: "http2"},message:"must have required property '"+"http2"+"'",schema:schema11.properties.server.required,parentSchema:schema11.properties.server,data:data0};
if(vErrors === null){
vErrors = [err30];
}
else {
vErrors.push(err30);
}
errors++;
}
if(data0.http2Limits === undefined){
const err31 = {instancePath:instancePath+"/server",schemaPath:"#/properties/server/required",keyword:"required",params:{missingProperty: "http2Limits"},message:"must have required property '"+"http2Limits"+"'",schema:schema11.properties.server.required,parentSchema:schema11.properties.server,data:data0};
if(vErrors === null){
vErrors = [err31];
}
else {
vErrors.push(err31);
}
errors++;
}
if(data0.redirectHttp === undefined){
const err32 = {instancePath:instancePath+"/server",schemaPath:"#/properties/server/required",keyword:"required",params:{missingProperty: "redirectHttp"},message:"must have required property '"+"redirectHttp"+"'",schema:schema11.properties.server.required,parentSchema:schema11.properties.server,data:data0};
if(vErrors === null){
vErrors = [err32];
}
else {
vErrors.push(err32);
}
errors++;
}
if(data0.hsts === undefined){
const err33 = {instancePath:instancePath+"/server",schemaPath:"#/properties/server/required",keyword:"required",params:{missingProperty: "hsts"},message:"must have required property '"+"hsts"+"'",schema:schema11.properties.server.required,parentSchema:schema11.properties.server,data:data0};
if(vErrors === null){
vErrors = [err33];
}
else {
vErrors.push(err33);
}
errors++;
}
for(const key1 in data0){
if(!(func2.call(schema11.properties.server.properties, key1))){
const err34 = {instancePath:instancePath+"/server",schemaPath:"#/properties/server/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key1},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.server,data:data0};
if(vErrors === null){
vErrors = [err34];
}
else {
vErrors.push(err34);
}
errors++;
}
}
let data1 = data0.host;
if(typeof data1 !== "string"){
const err35 = {instancePath:instancePath+"/server/host",schemaPath:"#/properties/server/properties/host/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.server.properties.host.type,parentSchema:schema11.properties.server.properties.host,data:data1};
if(vErrors === null){
vErrors = [err35];
}
else {
vErrors.push(err35);
}
errors++;
}
let data2 = data0.port;
if(!((typeof data2 == "number") && (!(data2 % 1) && !isNaN(data2)))){
const err36 = {instancePath:instancePath+"/server/port",schemaPath:"#/properties/server/properties/port/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.server.properties.port.type,parentSchema:schema11.properties.server.properties.port,data:data2};
if(vErrors === null){
vErrors = [err36];
}
else {
vErrors.push(err36);
}
errors++;
}
if(typeof data2 == "number"){
if(data2 > 65535 || isNaN(data2)){
const err37 = {instancePath:instancePath+"/server/port",schemaPath:"#/properties/server/properties/port/maximum",keyword:"maximum",params:{comparison: "<=", limit: 65535},message:"must be <= 65535",schema:65535,parentSchema:schema11.properties.server.properties.port,data:data2};
if(vErrors === null){
vErrors = [err37];
}
else {
vErrors.push(err37);
}
errors++;
}
if(data2 < 0 || isNaN(data2)){
const err38 = {instancePath:instancePath+"/server/port",schemaPath:"#/properties/server/properties/port/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0",schema:0,parentSchema:schema11.properties.server.properties.port,data:data2};
if(vErrors === null){
vErrors = [err38];
}
else {
vErrors.push(err38);
}
errors++;
}
}
let data3 = data0.trustProxy;
if(Array.isArray(data3)){
const len0 = data3.length;
for(let i0=0; i0<len0; i0++){
let data4 = data3[i0];
if(!func4(data4)){
const err39 = {instancePath:instancePath+"/server/trustProxy/" + i0,schemaPath:"#/properties/server/properties/trustProxy/items/x-address",keyword:"x-address",params:{},message:"must pass \"x-address\" keyword validation",schema:true,parentSchema:schema11.properties.server.properties.trustProxy.items,data:data4};
if(vErrors === null){
vErrors = [err39];
}
else {
vErrors.push(err39);
}
errors++;
}
if(typeof data4 === "string"){
if(func5(data4) < 1){
const err40 = {instancePath:instancePath+"/server/trustProxy/" + i0,schemaPath:"#/properties/server/properties/trustProxy/items/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.server.properties.trustProxy.items,data:data4};
if(vErrors === null){
vErrors = [err40];
}
else {
vErrors.push(err40);
}
errors++;
}
}
else {
const err41 = {instancePath:instancePath+"/server/trustProxy/" + i0,schemaPath:"#/properties/server/properties/trustProxy/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.server.properties.trustProxy.items.type,parentSchema:schema11.properties.server.properties.trustProxy.items,data:data4};
if(vErrors === null){
vErrors = [err41];
}
else {
vErrors.push(err41);
}
errors++;
}
}
}
else {
const err42 = {instancePath:instancePath+"/server/trustProxy",schemaPath:"#/properties/server/properties/trustProxy/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.server.properties.trustProxy.type,parentSchema:schema11.properties.server.properties.trustProxy,data:data3};
if(vErrors === null){
vErrors = [err42];
}
else {
vErrors.push(err42);
}
errors++;
}
let data5 = data0.maxHeaderSize;
const parsed0 = func6(data5);
if(parsed0 === undefined){
const err43 = {instancePath:instancePath+"/server/maxHeaderSize",schemaPath:"#/properties/server/properties/maxHeaderSize/x-unit",keyword:"x-unit",params:{unit: "bytes", value: data5, minimum: undefined},message:"unit",schema:"bytes",parentSchema:schema11.properties.server.properties.maxHeaderSize,data:data5};
if(vErrors === null){
vErrors = [err43];
}
else {
vErrors.push(err43);
}
errors++;
}
else {
if(data0){
data0["maxHeaderSize"] = parsed0;
data5 = parsed0;
}
}
let data6 = data0.headersTimeout;
const parsed1 = func7(data6);
if(parsed1 === undefined){
const err44 = {instancePath:instancePath+"/server/headersTimeout",schemaPath:"#/properties/server/properties/headersTimeout/x-unit",keyword:"x-unit",params:{unit: "duration", value: data6, minimum: undefined},message:"unit",schema:"duration",parentSchema:schema11.properties.server.properties.headersTimeout,data:data6};
if(vErrors === null){
vErrors = [err44];
}
else {
vErrors.push(err44);
}
errors++;
}
else {
if(data0){
data0["headersTimeout"] = parsed1;
data6 = parsed1;
}
}
let data7 = data0.requestTimeout;
const parsed2 = func7(data7);
if(parsed2 === undefined){
const err45 = {instancePath:instancePath+"/server/requestTimeout",schemaPath:"#/properties/server/properties/requestTimeout/x-unit",keyword:"x-unit",params:{unit: "duration", value: data7, minimum: undefined},message:"unit",schema:"duration",parentSchema:schema11.properties.server.properties.requestTimeout,data:data7};
if(vErrors === null){
vErrors = [err45];
}
else {
vErrors.push(err45);
}
errors++;
}
else {
if(data0){
data0["requestTimeout"] = parsed2;
data7 = parsed2;
}
}
let data8 = data0.keepAliveTimeout;
const parsed3 = func7(data8);
if(parsed3 === undefined){
const err46 = {instancePath:instancePath+"/server/keepAliveTimeout",schemaPath:"#/properties/server/properties/keepAliveTimeout/x-unit",keyword:"x-unit",params:{unit: "duration", value: data8, minimum: undefined},message:"unit",schema:"duration",parentSchema:schema11.properties.server.properties.keepAliveTimeout,data:data8};
if(vErrors === null){
vErrors = [err46];
}
else {
vErrors.push(err46);
}
errors++;
}
else {
if(data0){
data0["keepAliveTimeout"] = parsed3;
data8 = parsed3;
}
}
let data9 = data0.maxConnections;
if(!((typeof data9 == "number") && (!(data9 % 1) && !isNaN(data9)))){
const err47 = {instancePath:instancePath+"/server/maxConnections",schemaPath:"#/properties/server/properties/maxConnections/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.server.properties.maxConnections.type,parentSchema:schema11.properties.server.properties.maxConnections,data:data9};
if(vErrors === null){
vErrors = [err47];
}
else {
vErrors.push(err47);
}
errors++;
}
if(typeof data9 == "number"){
if(data9 < 0 || isNaN(data9)){
const err48 = {instancePath:instancePath+"/server/maxConnections",schemaPath:"#/properties/server/properties/maxConnections/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0",schema:0,parentSchema:schema11.properties.server.properties.maxConnections,data:data9};
if(vErrors === null){
vErrors = [err48];
}
else {
vErrors.push(err48);
}
errors++;
}
}
let data10 = data0.backlog;
if(!((typeof data10 == "number") && (!(data10 % 1) && !isNaN(data10)))){
const err49 = {instancePath:instancePath+"/server/backlog",schemaPath:"#/properties/server/properties/backlog/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.server.properties.backlog.type,parentSchema:schema11.properties.server.properties.backlog,data:data10};
if(vErrors === null){
vErrors = [err49];
}
else {
vErrors.push(err49);
}
errors++;
}
if(typeof data10 == "number"){
if(data10 > 65535 || isNaN(data10)){
const err50 = {instancePath:instancePath+"/server/backlog",schemaPath:"#/properties/server/properties/backlog/maximum",keyword:"maximum",params:{comparison: "<=", limit: 65535},message:"must be <= 65535",schema:65535,parentSchema:schema11.properties.server.properties.backlog,data:data10};
if(vErrors === null){
vErrors = [err50];
}
else {
vErrors.push(err50);
}
errors++;
}
if(data10 < 1 || isNaN(data10)){
const err51 = {instancePath:instancePath+"/server/backlog",schemaPath:"#/properties/server/properties/backlog/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema11.properties.server.properties.backlog,data:data10};
if(vErrors === null){
vErrors = [err51];
}
else {
vErrors.push(err51);
}
errors++;
}
}
let data11 = data0.idleTimeout;
const parsed4 = func7(data11);
if(parsed4 === undefined){
const err52 = {instancePath:instancePath+"/server/idleTimeout",schemaPath:"#/properties/server/properties/idleTimeout/x-unit",keyword:"x-unit",params:{unit: "duration", value: data11, minimum: undefined},message:"unit",schema:"duration",parentSchema:schema11.properties.server.properties.idleTimeout,data:data11};
if(vErrors === null){
vErrors = [err52];
}
else {
vErrors.push(err52);
}
errors++;
}
else {
if(data0){
data0["idleTimeout"] = parsed4;
data11 = parsed4;
}
}
let data12 = data0.maxConnectionsPerIp;
if(!((typeof data12 == "number") && (!(data12 % 1) && !isNaN(data12)))){
const err53 = {instancePath:instancePath+"/server/maxConnectionsPerIp",schemaPath:"#/properties/server/properties/maxConnectionsPerIp/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.server.properties.maxConnectionsPerIp.type,parentSchema:schema11.properties.server.properties.maxConnectionsPerIp,data:data12};
if(vErrors === null){
vErrors = [err53];
}
else {
vErrors.push(err53);
}
errors++;
}
if(typeof data12 == "number"){
if(data12 < 0 || isNaN(data12)){
const err54 = {instancePath:instancePath+"/server/maxConnectionsPerIp",schemaPath:"#/properties/server/properties/maxConnectionsPerIp/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0",schema:0,parentSchema:schema11.properties.server.properties.maxConnectionsPerIp,data:data12};
if(vErrors === null){
vErrors = [err54];
}
else {
vErrors.push(err54);
}
errors++;
}
}
let data13 = data0.maxRequestsPerSocket;
if(!((typeof data13 == "number") && (!(data13 % 1) && !isNaN(data13)))){
const err55 = {instancePath:instancePath+"/server/maxRequestsPerSocket",schemaPath:"#/properties/server/properties/maxRequestsPerSocket/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.server.properties.maxRequestsPerSocket.type,parentSchema:schema11.properties.server.properties.maxRequestsPerSocket,data:data13};
if(vErrors === null){
vErrors = [err55];
}
else {
vErrors.push(err55);
}
errors++;
}
if(typeof data13 == "number"){
if(data13 < 0 || isNaN(data13)){
const err56 = {instancePath:instancePath+"/server/maxRequestsPerSocket",schemaPath:"#/properties/server/properties/maxRequestsPerSocket/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0",schema:0,parentSchema:schema11.properties.server.properties.maxRequestsPerSocket,data:data13};
if(vErrors === null){
vErrors = [err56];
}
else {
vErrors.push(err56);
}
errors++;
}
}
let data14 = data0.shutdownTimeout;
const parsed5 = func7(data14);
if(parsed5 === undefined){
const err57 = {instancePath:instancePath+"/server/shutdownTimeout",schemaPath:"#/properties/server/properties/shutdownTimeout/x-unit",keyword:"x-unit",params:{unit: "duration", value: data14, minimum: undefined},message:"unit",schema:"duration",parentSchema:schema11.properties.server.properties.shutdownTimeout,data:data14};
if(vErrors === null){
vErrors = [err57];
}
else {
vErrors.push(err57);
}
errors++;
}
else {
if(data0){
data0["shutdownTimeout"] = parsed5;
data14 = parsed5;
}
}
let data15 = data0.workers;
const _errs28 = errors;
let valid4 = false;
const _errs29 = errors;
if(typeof data15 !== "string"){
const err58 = {instancePath:instancePath+"/server/workers",schemaPath:"#/properties/server/properties/workers/anyOf/0/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.server.properties.workers.anyOf[0].type,parentSchema:schema11.properties.server.properties.workers.anyOf[0],data:data15};
if(vErrors === null){
vErrors = [err58];
}
else {
vErrors.push(err58);
}
errors++;
}
if("auto" !== data15){
const err59 = {instancePath:instancePath+"/server/workers",schemaPath:"#/properties/server/properties/workers/anyOf/0/const",keyword:"const",params:{allowedValue: "auto"},message:"must be equal to constant",schema:"auto",parentSchema:schema11.properties.server.properties.workers.anyOf[0],data:data15};
if(vErrors === null){
vErrors = [err59];
}
else {
vErrors.push(err59);
}
errors++;
}
var _valid0 = _errs29 === errors;
valid4 = valid4 || _valid0;
if(!valid4){
const _errs31 = errors;
if(!((typeof data15 == "number") && (!(data15 % 1) && !isNaN(data15)))){
const err60 = {instancePath:instancePath+"/server/workers",schemaPath:"#/properties/server/properties/workers/anyOf/1/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.server.properties.workers.anyOf[1].type,parentSchema:schema11.properties.server.properties.workers.anyOf[1],data:data15};
if(vErrors === null){
vErrors = [err60];
}
else {
vErrors.push(err60);
}
errors++;
}
if(typeof data15 == "number"){
if(data15 > 256 || isNaN(data15)){
const err61 = {instancePath:instancePath+"/server/workers",schemaPath:"#/properties/server/properties/workers/anyOf/1/maximum",keyword:"maximum",params:{comparison: "<=", limit: 256},message:"must be <= 256",schema:256,parentSchema:schema11.properties.server.properties.workers.anyOf[1],data:data15};
if(vErrors === null){
vErrors = [err61];
}
else {
vErrors.push(err61);
}
errors++;
}
if(data15 < 1 || isNaN(data15)){
const err62 = {instancePath:instancePath+"/server/workers",schemaPath:"#/properties/server/properties/workers/anyOf/1/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema11.properties.server.properties.workers.anyOf[1],data:data15};
if(vErrors === null){
vErrors = [err62];
}
else {
vErrors.push(err62);
}
errors++;
}
}
var _valid0 = _errs31 === errors;
valid4 = valid4 || _valid0;
}
if(!valid4){
const err63 = {instancePath:instancePath+"/server/workers",schemaPath:"#/properties/server/properties/workers/anyOf",keyword:"anyOf",params:{},message:"must match a schema in anyOf",schema:schema11.properties.server.properties.workers.anyOf,parentSchema:schema11.properties.server.properties.workers,data:data15};
if(vErrors === null){
vErrors = [err63];
}
else {
vErrors.push(err63);
}
errors++;
}
else {
errors = _errs28;
if(vErrors !== null){
if(_errs28){
vErrors.length = _errs28;
}
else {
vErrors = null;
}
}
}
let data16 = data0.tls;
if(data16 && typeof data16 == "object" && !Array.isArray(data16)){
if(data16.cert === undefined){
data16.cert = "";
}
if(data16.key === undefined){
data16.key = "";
}
if(data16.certificates === undefined){
data16.certificates = [];
}
if(data16.minVersion === undefined){
data16.minVersion = "TLSv1.2";
}
if(data16.ciphers === undefined){
data16.ciphers = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305";
}
if(data16.expiryWarning === undefined){
data16.expiryWarning = "14d";
}
if(data16.cert === undefined){
const err64 = {instancePath:instancePath+"/server/tls",schemaPath:"#/properties/server/properties/tls/required",keyword:"required",params:{missingProperty: "cert"},message:"must have required property '"+"cert"+"'",schema:schema11.properties.server.properties.tls.required,parentSchema:schema11.properties.server.properties.tls,data:data16};
if(vErrors === null){
vErrors = [err64];
}
else {
vErrors.push(err64);
}
errors++;
}
if(data16.key === undefined){
const err65 = {instancePath:instancePath+"/server/tls",schemaPath:"#/properties/server/properties/tls/required",keyword:"required",params:{missingProperty: "key"},message:"must have required property '"+"key"+"'",schema:schema11.properties.server.properties.tls.required,parentSchema:schema11.properties.server.properties.tls,data:data16};
if(vErrors === null){
vErrors = [err65];
}
else {
vErrors.push(err65);
}
errors++;
}
if(data16.certificates === undefined){
const err66 = {instancePath:instancePath+"/server/tls",schemaPath:"#/properties/server/properties/tls/required",keyword:"required",params:{missingProperty: "certificates"},message:"must have required property '"+"certificates"+"'",schema:schema11.properties.server.properties.tls.required,parentSchema:schema11.properties.server.properties.tls,data:data16};
if(vErrors === null){
vErrors = [err66];
}
else {
vErrors.push(err66);
}
errors++;
}
if(data16.minVersion === undefined){
const err67 = {instancePath:instancePath+"/server/tls",schemaPath:"#/properties/server/properties/tls/required",keyword:"required",params:{missingProperty: "minVersion"},message:"must have required property '"+"minVersion"+"'",schema:schema11.properties.server.properties.tls.required,parentSchema:schema11.properties.server.properties.tls,data:data16};
if(vErrors === null){
vErrors = [err67];
}
else {
vErrors.push(err67);
}
errors++;
}
if(data16.ciphers === undefined){
const err68 = {instancePath:instancePath+"/server/tls",schemaPath:"#/properties/server/properties/tls/required",keyword:"required",params:{missingProperty: "ciphers"},message:"must have required property '"+"ciphers"+"'",schema:schema11.properties.server.properties.tls.required,parentSchema:schema11.properties.server.properties.tls,data:data16};
if(vErrors === null){
vErrors = [err68];
}
else {
vErrors.push(err68);
}
errors++;
}
if(data16.expiryWarning === undefined){
const err69 = {instancePath:instancePath+"/server/tls",schemaPath:"#/properties/server/properties/tls/required",keyword:"required",params:{missingProperty: "expiryWarning"},message:"must have required property '"+"expiryWarning"+"'",schema:schema11.properties.server.properties.tls.required,parentSchema:schema11.properties.server.properties.tls,data:data16};
if(vErrors === null){
vErrors = [err69];
}
else {
vErrors.push(err69);
}
errors++;
}
for(const key2 in data16){
if(!((((((key2 === "cert") || (key2 === "key")) || (key2 === "certificates")) || (key2 === "minVersion")) || (key2 === "ciphers")) || (key2 === "expiryWarning"))){
const err70 = {instancePath:instancePath+"/server/tls",schemaPath:"#/properties/server/properties/tls/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key2},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.server.properties.tls,data:data16};
if(vErrors === null){
vErrors = [err70];
}
else {
vErrors.push(err70);
}
errors++;
}
}
let data17 = data16.cert;
if(typeof data17 !== "string"){
const err71 = {instancePath:instancePath+"/server/tls/cert",schemaPath:"#/properties/server/properties/tls/properties/cert/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.server.properties.tls.properties.cert.type,parentSchema:schema11.properties.server.properties.tls.properties.cert,data:data17};
if(vErrors === null){
vErrors = [err71];
}
else {
vErrors.push(err71);
}
errors++;
}
let data18 = data16.key;
if(typeof data18 !== "string"){
const err72 = {instancePath:instancePath+"/server/tls/key",schemaPath:"#/properties/server/properties/tls/properties/key/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.server.properties.tls.properties.key.type,parentSchema:schema11.properties.server.properties.tls.properties.key,data:data18};
if(vErrors === null){
vErrors = [err72];
}
else {
vErrors.push(err72);
}
errors++;
}
let data19 = data16.certificates;
if(Array.isArray(data19)){
const len1 = data19.length;
for(let i1=0; i1<len1; i1++){
let data20 = data19[i1];
if(data20 && typeof data20 == "object" && !Array.isArray(data20)){
if(data20.serverNames === undefined){
data20.serverNames = [];
}
if(data20.cert === undefined){
const err73 = {instancePath:instancePath+"/server/tls/certificates/" + i1,schemaPath:"#/properties/server/properties/tls/properties/certificates/items/required",keyword:"required",params:{missingProperty: "cert"},message:"must have required property '"+"cert"+"'",schema:schema11.properties.server.properties.tls.properties.certificates.items.required,parentSchema:schema11.properties.server.properties.tls.properties.certificates.items,data:data20};
if(vErrors === null){
vErrors = [err73];
}
else {
vErrors.push(err73);
}
errors++;
}
if(data20.key === undefined){
const err74 = {instancePath:instancePath+"/server/tls/certificates/" + i1,schemaPath:"#/properties/server/properties/tls/properties/certificates/items/required",keyword:"required",params:{missingProperty: "key"},message:"must have required property '"+"key"+"'",schema:schema11.properties.server.properties.tls.properties.certificates.items.required,parentSchema:schema11.properties.server.properties.tls.properties.certificates.items,data:data20};
if(vErrors === null){
vErrors = [err74];
}
else {
vErrors.push(err74);
}
errors++;
}
if(data20.serverNames === undefined){
const err75 = {instancePath:instancePath+"/server/tls/certificates/" + i1,schemaPath:"#/properties/server/properties/tls/properties/certificates/items/required",keyword:"required",params:{missingProperty: "serverNames"},message:"must have required property '"+"serverNames"+"'",schema:schema11.properties.server.properties.tls.properties.certificates.items.required,parentSchema:schema11.properties.server.properties.tls.properties.certificates.items,data:data20};
if(vErrors === null){
vErrors = [err75];
}
else {
vErrors.push(err75);
}
errors++;
}
for(const key3 in data20){
if(!(((key3 === "cert") || (key3 === "key")) || (key3 === "serverNames"))){
const err76 = {instancePath:instancePath+"/server/tls/certificates/" + i1,schemaPath:"#/properties/server/properties/tls/properties/certificates/items/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key3},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.server.properties.tls.properties.certificates.items,data:data20};
if(vErrors === null){
vErrors = [err76];
}
else {
vErrors.push(err76);
}
errors++;
}
}
if(data20.cert !== undefined){
let data21 = data20.cert;
if(typeof data21 === "string"){
if(func5(data21) < 1){
const err77 = {instancePath:instancePath+"/server/tls/certificates/" + i1+"/cert",schemaPath:"#/properties/server/properties/tls/properties/certificates/items/properties/cert/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.server.properties.tls.properties.certificates.items.properties.cert,data:data21};
if(vErrors === null){
vErrors = [err77];
}
else {
vErrors.push(err77);
}
errors++;
}
}
else {
const err78 = {instancePath:instancePath+"/server/tls/certificates/" + i1+"/cert",schemaPath:"#/properties/server/properties/tls/properties/certificates/items/properties/cert/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.server.properties.tls.properties.certificates.items.properties.cert.type,parentSchema:schema11.properties.server.properties.tls.properties.certificates.items.properties.cert,data:data21};
if(vErrors === null){
vErrors = [err78];
}
else {
vErrors.push(err78);
}
errors++;
}
}
if(data20.key !== undefined){
let data22 = data20.key;
if(typeof data22 === "string"){
if(func5(data22) < 1){
const err79 = {instancePath:instancePath+"/server/tls/certificates/" + i1+"/key",schemaPath:"#/properties/server/properties/tls/properties/certificates/items/properties/key/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.server.properties.tls.properties.certificates.items.properties.key,data:data22};
if(vErrors === null){
vErrors = [err79];
}
else {
vErrors.push(err79);
}
errors++;
}
}
else {
const err80 = {instancePath:instancePath+"/server/tls/certificates/" + i1+"/key",schemaPath:"#/properties/server/properties/tls/properties/certificates/items/properties/key/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.server.properties.tls.properties.certificates.items.properties.key.type,parentSchema:schema11.properties.server.properties.tls.properties.certificates.items.properties.key,data:data22};
if(vErrors === null){
vErrors = [err80];
}
else {
vErrors.push(err80);
}
errors++;
}
}
let data23 = data20.serverNames;
if(Array.isArray(data23)){
const len2 = data23.length;
for(let i2=0; i2<len2; i2++){
let data24 = data23[i2];
if(typeof data24 === "string"){
if(func5(data24) < 1){
const err81 = {instancePath:instancePath+"/server/tls/certificates/" + i1+"/serverNames/" + i2,schemaPath:"#/properties/server/properties/tls/properties/certificates/items/properties/serverNames/items/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.server.properties.tls.properties.certificates.items.properties.serverNames.items,data:data24};
if(vErrors === null){
vErrors = [err81];
}
else {
vErrors.push(err81);
}
errors++;
}
}
else {
const err82 = {instancePath:instancePath+"/server/tls/certificates/" + i1+"/serverNames/" + i2,schemaPath:"#/properties/server/properties/tls/properties/certificates/items/properties/serverNames/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.server.properties.tls.properties.certificates.items.properties.serverNames.items.type,parentSchema:schema11.properties.server.properties.tls.properties.certificates.items.properties.serverNames.items,data:data24};
if(vErrors === null){
vErrors = [err82];
}
else {
vErrors.push(err82);
}
errors++;
}
}
}
else {
const err83 = {instancePath:instancePath+"/server/tls/certificates/" + i1+"/serverNames",schemaPath:"#/properties/server/properties/tls/properties/certificates/items/properties/serverNames/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.server.properties.tls.properties.certificates.items.properties.serverNames.type,parentSchema:schema11.properties.server.properties.tls.properties.certificates.items.properties.serverNames,data:data23};
if(vErrors === null){
vErrors = [err83];
}
else {
vErrors.push(err83);
}
errors++;
}
}
else {
const err84 = {instancePath:instancePath+"/server/tls/certificates/" + i1,schemaPath:"#/properties/server/properties/tls/properties/certificates/items/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.server.properties.tls.properties.certificates.items.type,parentSchema:schema11.properties.server.properties.tls.properties.certificates.items,data:data20};
if(vErrors === null){
vErrors = [err84];
}
else {
vErrors.push(err84);
}
errors++;
}
}
}
else {
const err85 = {instancePath:instancePath+"/server/tls/certificates",schemaPath:"#/properties/server/properties/tls/properties/certificates/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.server.properties.tls.properties.certificates.type,parentSchema:schema11.properties.server.properties.tls.properties.certificates,data:data19};
if(vErrors === null){
vErrors = [err85];
}
else {
vErrors.push(err85);
}
errors++;
}
let data25 = data16.minVersion;
const _errs54 = errors;
let valid11 = false;
const _errs55 = errors;
if(typeof data25 !== "string"){
const err86 = {instancePath:instancePath+"/server/tls/minVersion",schemaPath:"#/properties/server/properties/tls/properties/minVersion/anyOf/0/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.server.properties.tls.properties.minVersion.anyOf[0].type,parentSchema:schema11.properties.server.properties.tls.properties.minVersion.anyOf[0],data:data25};
if(vErrors === null){
vErrors = [err86];
}
else {
vErrors.push(err86);
}
errors++;
}
if("TLSv1.2" !== data25){
const err87 = {instancePath:instancePath+"/server/tls/minVersion",schemaPath:"#/properties/server/properties/tls/properties/minVersion/anyOf/0/const",keyword:"const",params:{allowedValue: "TLSv1.2"},message:"must be equal to constant",schema:"TLSv1.2",parentSchema:schema11.properties.server.properties.tls.properties.minVersion.anyOf[0],data:data25};
if(vErrors === null){
vErrors = [err87];
}
else {
vErrors.push(err87);
}
errors++;
}
var _valid1 = _errs55 === errors;
valid11 = valid11 || _valid1;
if(!valid11){
const _errs57 = errors;
if(typeof data25 !== "string"){
const err88 = {instancePath:instancePath+"/server/tls/minVersion",schemaPath:"#/properties/server/properties/tls/properties/minVersion/anyOf/1/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.server.properties.tls.properties.minVersion.anyOf[1].type,parentSchema:schema11.properties.server.properties.tls.properties.minVersion.anyOf[1],data:data25};
if(vErrors === null){
vErrors = [err88];
}
else {
vErrors.push(err88);
}
errors++;
}
if("TLSv1.3" !== data25){
const err89 = {instancePath:instancePath+"/server/tls/minVersion",schemaPath:"#/properties/server/properties/tls/properties/minVersion/anyOf/1/const",keyword:"const",params:{allowedValue: "TLSv1.3"},message:"must be equal to constant",schema:"TLSv1.3",parentSchema:schema11.properties.server.properties.tls.properties.minVersion.anyOf[1],data:data25};
if(vErrors === null){
vErrors = [err89];
}
else {
vErrors.push(err89);
}
errors++;
}
var _valid1 = _errs57 === errors;
valid11 = valid11 || _valid1;
}
if(!valid11){
const err90 = {instancePath:instancePath+"/server/tls/minVersion",schemaPath:"#/properties/server/properties/tls/properties/minVersion/anyOf",keyword:"anyOf",params:{},message:"must match a schema in anyOf",schema:schema11.properties.server.properties.tls.properties.minVersion.anyOf,parentSchema:schema11.properties.server.properties.tls.properties.minVersion,data:data25};
if(vErrors === null){
vErrors = [err90];
}
else {
vErrors.push(err90);
}
errors++;
}
else {
errors = _errs54;
if(vErrors !== null){
if(_errs54){
vErrors.length = _errs54;
}
else {
vErrors = null;
}
}
}
let data26 = data16.ciphers;
if(typeof data26 !== "string"){
const err91 = {instancePath:instancePath+"/server/tls/ciphers",schemaPath:"#/properties/server/properties/tls/properties/ciphers/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.server.properties.tls.properties.ciphers.type,parentSchema:schema11.properties.server.properties.tls.properties.ciphers,data:data26};
if(vErrors === null){
vErrors = [err91];
}
else {
vErrors.push(err91);
}
errors++;
}
let data27 = data16.expiryWarning;
const parsed6 = func7(data27);
if(parsed6 === undefined){
const err92 = {instancePath:instancePath+"/server/tls/expiryWarning",schemaPath:"#/properties/server/properties/tls/properties/expiryWarning/x-unit",keyword:"x-unit",params:{unit: "duration", value: data27, minimum: undefined},message:"unit",schema:"duration",parentSchema:schema11.properties.server.properties.tls.properties.expiryWarning,data:data27};
if(vErrors === null){
vErrors = [err92];
}
else {
vErrors.push(err92);
}
errors++;
}
else {
if(data16){
data16["expiryWarning"] = parsed6;
data27 = parsed6;
}
}
}
else {
const err93 = {instancePath:instancePath+"/server/tls",schemaPath:"#/properties/server/properties/tls/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.server.properties.tls.type,parentSchema:schema11.properties.server.properties.tls,data:data16};
if(vErrors === null){
vErrors = [err93];
}
else {
vErrors.push(err93);
}
errors++;
}
let data28 = data0.http2;
if(typeof data28 !== "boolean"){
const err94 = {instancePath:instancePath+"/server/http2",schemaPath:"#/properties/server/properties/http2/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema11.properties.server.properties.http2.type,parentSchema:schema11.properties.server.properties.http2,data:data28};
if(vErrors === null){
vErrors = [err94];
}
else {
vErrors.push(err94);
}
errors++;
}
let data29 = data0.http2Limits;
if(data29 && typeof data29 == "object" && !Array.isArray(data29)){
if(data29.maxConcurrentStreams === undefined){
data29.maxConcurrentStreams = 128;
}
if(data29.maxHeaderListSize === undefined){
data29.maxHeaderListSize = "32KB";
}
if(data29.maxResets === undefined){
data29.maxResets = 200;
}
if(data29.resetWindow === undefined){
data29.resetWindow = "10s";
}
if(data29.maxConcurrentStreams === undefined){
const err95 = {instancePath:instancePath+"/server/http2Limits",schemaPath:"#/properties/server/properties/http2Limits/required",keyword:"required",params:{missingProperty: "maxConcurrentStreams"},message:"must have required property '"+"maxConcurrentStreams"+"'",schema:schema11.properties.server.properties.http2Limits.required,parentSchema:schema11.properties.server.properties.http2Limits,data:data29};
if(vErrors === null){
vErrors = [err95];
}
else {
vErrors.push(err95);
}
errors++;
}
if(data29.maxHeaderListSize === undefined){
const err96 = {instancePath:instancePath+"/server/http2Limits",schemaPath:"#/properties/server/properties/http2Limits/required",keyword:"required",params:{missingProperty: "maxHeaderListSize"},message:"must have required property '"+"maxHeaderListSize"+"'",schema:schema11.properties.server.properties.http2Limits.required,parentSchema:schema11.properties.server.properties.http2Limits,data:data29};
if(vErrors === null){
vErrors = [err96];
}
else {
vErrors.push(err96);
}
errors++;
}
if(data29.maxResets === undefined){
const err97 = {instancePath:instancePath+"/server/http2Limits",schemaPath:"#/properties/server/properties/http2Limits/required",keyword:"required",params:{missingProperty: "maxResets"},message:"must have required property '"+"maxResets"+"'",schema:schema11.properties.server.properties.http2Limits.required,parentSchema:schema11.properties.server.properties.http2Limits,data:data29};
if(vErrors === null){
vErrors = [err97];
}
else {
vErrors.push(err97);
}
errors++;
}
if(data29.resetWindow === undefined){
const err98 = {instancePath:instancePath+"/server/http2Limits",schemaPath:"#/properties/server/properties/http2Limits/required",keyword:"required",params:{missingProperty: "resetWindow"},message:"must have required property '"+"resetWindow"+"'",schema:schema11.properties.server.properties.http2Limits.required,parentSchema:schema11.properties.server.properties.http2Limits,data:data29};
if(vErrors === null){
vErrors = [err98];
}
else {
vErrors.push(err98);
}
errors++;
}
for(const key4 in data29){
if(!((((key4 === "maxConcurrentStreams") || (key4 === "maxHeaderListSize")) || (key4 === "maxResets")) || (key4 === "resetWindow"))){
const err99 = {instancePath:instancePath+"/server/http2Limits",schemaPath:"#/properties/server/properties/http2Limits/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key4},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.server.properties.http2Limits,data:data29};
if(vErrors === null){
vErrors = [err99];
}
else {
vErrors.push(err99);
}
errors++;
}
}
let data30 = data29.maxConcurrentStreams;
if(!((typeof data30 == "number") && (!(data30 % 1) && !isNaN(data30)))){
const err100 = {instancePath:instancePath+"/server/http2Limits/maxConcurrentStreams",schemaPath:"#/properties/server/properties/http2Limits/properties/maxConcurrentStreams/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.server.properties.http2Limits.properties.maxConcurrentStreams.type,parentSchema:schema11.properties.server.properties.http2Limits.properties.maxConcurrentStreams,data:data30};
if(vErrors === null){
vErrors = [err100];
}
else {
vErrors.push(err100);
}
errors++;
}
if(typeof data30 == "number"){
if(data30 > 10000 || isNaN(data30)){
const err101 = {instancePath:instancePath+"/server/http2Limits/maxConcurrentStreams",schemaPath:"#/properties/server/properties/http2Limits/properties/maxConcurrentStreams/maximum",keyword:"maximum",params:{comparison: "<=", limit: 10000},message:"must be <= 10000",schema:10000,parentSchema:schema11.properties.server.properties.http2Limits.properties.maxConcurrentStreams,data:data30};
if(vErrors === null){
vErrors = [err101];
}
else {
vErrors.push(err101);
}
errors++;
}
if(data30 < 1 || isNaN(data30)){
const err102 = {instancePath:instancePath+"/server/http2Limits/maxConcurrentStreams",schemaPath:"#/properties/server/properties/http2Limits/properties/maxConcurrentStreams/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema11.properties.server.properties.http2Limits.properties.maxConcurrentStreams,data:data30};
if(vErrors === null){
vErrors = [err102];
}
else {
vErrors.push(err102);
}
errors++;
}
}
let data31 = data29.maxHeaderListSize;
const parsed7 = func6(data31);
if(parsed7 === undefined){
const err103 = {instancePath:instancePath+"/server/http2Limits/maxHeaderListSize",schemaPath:"#/properties/server/properties/http2Limits/properties/maxHeaderListSize/x-unit",keyword:"x-unit",params:{unit: "bytes", value: data31, minimum: undefined},message:"unit",schema:"bytes",parentSchema:schema11.properties.server.properties.http2Limits.properties.maxHeaderListSize,data:data31};
if(vErrors === null){
vErrors = [err103];
}
else {
vErrors.push(err103);
}
errors++;
}
else {
if(data29){
data29["maxHeaderListSize"] = parsed7;
data31 = parsed7;
}
}
let data32 = data29.maxResets;
if(!((typeof data32 == "number") && (!(data32 % 1) && !isNaN(data32)))){
const err104 = {instancePath:instancePath+"/server/http2Limits/maxResets",schemaPath:"#/properties/server/properties/http2Limits/properties/maxResets/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.server.properties.http2Limits.properties.maxResets.type,parentSchema:schema11.properties.server.properties.http2Limits.properties.maxResets,data:data32};
if(vErrors === null){
vErrors = [err104];
}
else {
vErrors.push(err104);
}
errors++;
}
if(typeof data32 == "number"){
if(data32 < 1 || isNaN(data32)){
const err105 = {instancePath:instancePath+"/server/http2Limits/maxResets",schemaPath:"#/properties/server/properties/http2Limits/properties/maxResets/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema11.properties.server.properties.http2Limits.properties.maxResets,data:data32};
if(vErrors === null){
vErrors = [err105];
}
else {
vErrors.push(err105);
}
errors++;
}
}
let data33 = data29.resetWindow;
const parsed8 = func7(data33);
if(parsed8 === undefined || parsed8 < 1){
const err106 = {instancePath:instancePath+"/server/http2Limits/resetWindow",schemaPath:"#/properties/server/properties/http2Limits/properties/resetWindow/x-unit",keyword:"x-unit",params:{unit: "duration", value: data33, minimum: 1},message:"unit",schema:"duration",parentSchema:schema11.properties.server.properties.http2Limits.properties.resetWindow,data:data33};
if(vErrors === null){
vErrors = [err106];
}
else {
vErrors.push(err106);
}
errors++;
}
else {
if(data29){
data29["resetWindow"] = parsed8;
data33 = parsed8;
}
}
if(typeof data33 == "number"){
if(data33 < 1 || isNaN(data33)){
const err107 = {instancePath:instancePath+"/server/http2Limits/resetWindow",schemaPath:"#/properties/server/properties/http2Limits/properties/resetWindow/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema11.properties.server.properties.http2Limits.properties.resetWindow,data:data33};
if(vErrors === null){
vErrors = [err107];
}
else {
vErrors.push(err107);
}
errors++;
}
}
}
else {
const err108 = {instancePath:instancePath+"/server/http2Limits",schemaPath:"#/properties/server/properties/http2Limits/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.server.properties.http2Limits.type,parentSchema:schema11.properties.server.properties.http2Limits,data:data29};
if(vErrors === null){
vErrors = [err108];
}
else {
vErrors.push(err108);
}
errors++;
}
let data34 = data0.redirectHttp;
if(data34 && typeof data34 == "object" && !Array.isArray(data34)){
if(data34.enabled === undefined){
data34.enabled = false;
}
if(data34.host === undefined){
data34.host = "";
}
if(data34.port === undefined){
data34.port = 80;
}
if(data34.acmeDir === undefined){
data34.acmeDir = "";
}
if(data34.enabled === undefined){
const err109 = {instancePath:instancePath+"/server/redirectHttp",schemaPath:"#/properties/server/properties/redirectHttp/required",keyword:"required",params:{missingProperty: "enabled"},message:"must have required property '"+"enabled"+"'",schema:schema11.properties.server.properties.redirectHttp.required,parentSchema:schema11.properties.server.properties.redirectHttp,data:data34};
if(vErrors === null){
vErrors = [err109];
}
else {
vErrors.push(err109);
}
errors++;
}
if(data34.host === undefined){
const err110 = {instancePath:instancePath+"/server/redirectHttp",schemaPath:"#/properties/server/properties/redirectHttp/required",keyword:"required",params:{missingProperty: "host"},message:"must have required property '"+"host"+"'",schema:schema11.properties.server.properties.redirectHttp.required,parentSchema:schema11.properties.server.properties.redirectHttp,data:data34};
if(vErrors === null){
vErrors = [err110];
}
else {
vErrors.push(err110);
}
errors++;
}
if(data34.port === undefined){
const err111 = {instancePath:instancePath+"/server/redirectHttp",schemaPath:"#/properties/server/properties/redirectHttp/required",keyword:"required",params:{missingProperty: "port"},message:"must have required property '"+"port"+"'",schema:schema11.properties.server.properties.redirectHttp.required,parentSchema:schema11.properties.server.properties.redirectHttp,data:data34};
if(vErrors === null){
vErrors = [err111];
}
else {
vErrors.push(err111);
}
errors++;
}
if(data34.acmeDir === undefined){
const err112 = {instancePath:instancePath+"/server/redirectHttp",schemaPath:"#/properties/server/properties/redirectHttp/required",keyword:"required",params:{missingProperty: "acmeDir"},message:"must have required property '"+"acmeDir"+"'",schema:schema11.properties.server.properties.redirectHttp.required,parentSchema:schema11.properties.server.properties.redirectHttp,data:data34};
if(vErrors === null){
vErrors = [err112];
}
else {
vErrors.push(err112);
}
errors++;
}
for(const key5 in data34){
if(!((((key5 === "enabled") || (key5 === "host")) || (key5 === "port")) || (key5 === "acmeDir"))){
const err113 = {instancePath:instancePath+"/server/redirectHttp",schemaPath:"#/properties/server/properties/redirectHttp/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key5},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.server.properties.redirectHttp,data:data34};
if(vErrors === null){
vErrors = [err113];
}
else {
vErrors.push(err113);
}
errors++;
}
}
let data35 = data34.enabled;
if(typeof data35 !== "boolean"){
const err114 = {instancePath:instancePath+"/server/redirectHttp/enabled",schemaPath:"#/properties/server/properties/redirectHttp/properties/enabled/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema11.properties.server.properties.redirectHttp.properties.enabled.type,parentSchema:schema11.properties.server.properties.redirectHttp.properties.enabled,data:data35};
if(vErrors === null){
vErrors = [err114];
}
else {
vErrors.push(err114);
}
errors++;
}
let data36 = data34.host;
if(typeof data36 !== "string"){
const err115 = {instancePath:instancePath+"/server/redirectHttp/host",schemaPath:"#/properties/server/properties/redirectHttp/properties/host/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.server.properties.redirectHttp.properties.host.type,parentSchema:schema11.properties.server.properties.redirectHttp.properties.host,data:data36};
if(vErrors === null){
vErrors = [err115];
}
else {
vErrors.push(err115);
}
errors++;
}
let data37 = data34.port;
if(!((typeof data37 == "number") && (!(data37 % 1) && !isNaN(data37)))){
const err116 = {instancePath:instancePath+"/server/redirectHttp/port",schemaPath:"#/properties/server/properties/redirectHttp/properties/port/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.server.properties.redirectHttp.properties.port.type,parentSchema:schema11.properties.server.properties.redirectHttp.properties.port,data:data37};
if(vErrors === null){
vErrors = [err116];
}
else {
vErrors.push(err116);
}
errors++;
}
if(typeof data37 == "number"){
if(data37 > 65535 || isNaN(data37)){
const err117 = {instancePath:instancePath+"/server/redirectHttp/port",schemaPath:"#/properties/server/properties/redirectHttp/properties/port/maximum",keyword:"maximum",params:{comparison: "<=", limit: 65535},message:"must be <= 65535",schema:65535,parentSchema:schema11.properties.server.properties.redirectHttp.properties.port,data:data37};
if(vErrors === null){
vErrors = [err117];
}
else {
vErrors.push(err117);
}
errors++;
}
if(data37 < 0 || isNaN(data37)){
const err118 = {instancePath:instancePath+"/server/redirectHttp/port",schemaPath:"#/properties/server/properties/redirectHttp/properties/port/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0",schema:0,parentSchema:schema11.properties.server.properties.redirectHttp.properties.port,data:data37};
if(vErrors === null){
vErrors = [err118];
}
else {
vErrors.push(err118);
}
errors++;
}
}
let data38 = data34.acmeDir;
if(typeof data38 !== "string"){
const err119 = {instancePath:instancePath+"/server/redirectHttp/acmeDir",schemaPath:"#/properties/server/properties/redirectHttp/properties/acmeDir/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.server.properties.redirectHttp.properties.acmeDir.type,parentSchema:schema11.properties.server.properties.redirectHttp.properties.acmeDir,data:data38};
if(vErrors === null){
vErrors = [err119];
}
else {
vErrors.push(err119);
}
errors++;
}
}
else {
const err120 = {instancePath:instancePath+"/server/redirectHttp",schemaPath:"#/properties/server/properties/redirectHttp/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.server.properties.redirectHttp.type,parentSchema:schema11.properties.server.properties.redirectHttp,data:data34};
if(vErrors === null){
vErrors = [err120];
}
else {
vErrors.push(err120);
}
errors++;
}
let data39 = data0.hsts;
if(data39 && typeof data39 == "object" && !Array.isArray(data39)){
if(data39.maxAge === undefined){
data39.maxAge = "0s";
}
if(data39.includeSubDomains === undefined){
data39.includeSubDomains = false;
}
if(data39.preload === undefined){
data39.preload = false;
}
if(data39.maxAge === undefined){
const err121 = {instancePath:instancePath+"/server/hsts",schemaPath:"#/properties/server/properties/hsts/required",keyword:"required",params:{missingProperty: "maxAge"},message:"must have required property '"+"maxAge"+"'",schema:schema11.properties.server.properties.hsts.required,parentSchema:schema11.properties.server.properties.hsts,data:data39};
if(vErrors === null){
vErrors = [err121];
}
else {
vErrors.push(err121);
}
errors++;
}
if(data39.includeSubDomains === undefined){
const err122 = {instancePath:instancePath+"/server/hsts",schemaPath:"#/properties/server/properties/hsts/required",keyword:"required",params:{missingProperty: "includeSubDomains"},message:"must have required property '"+"includeSubDomains"+"'",schema:schema11.properties.server.properties.hsts.required,parentSchema:schema11.properties.server.properties.hsts,data:data39};
if(vErrors === null){
vErrors = [err122];
}
else {
vErrors.push(err122);
}
errors++;
}
if(data39.preload === undefined){
const err123 = {instancePath:instancePath+"/server/hsts",schemaPath:"#/properties/server/properties/hsts/required",keyword:"required",params:{missingProperty: "preload"},message:"must have required property '"+"preload"+"'",schema:schema11.properties.server.properties.hsts.required,parentSchema:schema11.properties.server.properties.hsts,data:data39};
if(vErrors === null){
vErrors = [err123];
}
else {
vErrors.push(err123);
}
errors++;
}
for(const key6 in data39){
if(!(((key6 === "maxAge") || (key6 === "includeSubDomains")) || (key6 === "preload"))){
const err124 = {instancePath:instancePath+"/server/hsts",schemaPath:"#/properties/server/properties/hsts/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key6},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.server.properties.hsts,data:data39};
if(vErrors === null){
vErrors = [err124];
}
else {
vErrors.push(err124);
}
errors++;
}
}
let data40 = data39.maxAge;
const parsed9 = func7(data40);
if(parsed9 === undefined){
const err125 = {instancePath:instancePath+"/server/hsts/maxAge",schemaPath:"#/properties/server/properties/hsts/properties/maxAge/x-unit",keyword:"x-unit",params:{unit: "duration", value: data40, minimum: undefined},message:"unit",schema:"duration",parentSchema:schema11.properties.server.properties.hsts.properties.maxAge,data:data40};
if(vErrors === null){
vErrors = [err125];
}
else {
vErrors.push(err125);
}
errors++;
}
else {
if(data39){
data39["maxAge"] = parsed9;
data40 = parsed9;
}
}
let data41 = data39.includeSubDomains;
if(typeof data41 !== "boolean"){
const err126 = {instancePath:instancePath+"/server/hsts/includeSubDomains",schemaPath:"#/properties/server/properties/hsts/properties/includeSubDomains/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema11.properties.server.properties.hsts.properties.includeSubDomains.type,parentSchema:schema11.properties.server.properties.hsts.properties.includeSubDomains,data:data41};
if(vErrors === null){
vErrors = [err126];
}
else {
vErrors.push(err126);
}
errors++;
}
let data42 = data39.preload;
if(typeof data42 !== "boolean"){
const err127 = {instancePath:instancePath+"/server/hsts/preload",schemaPath:"#/properties/server/properties/hsts/properties/preload/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema11.properties.server.properties.hsts.properties.preload.type,parentSchema:schema11.properties.server.properties.hsts.properties.preload,data:data42};
if(vErrors === null){
vErrors = [err127];
}
else {
vErrors.push(err127);
}
errors++;
}
}
else {
const err128 = {instancePath:instancePath+"/server/hsts",schemaPath:"#/properties/server/properties/hsts/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.server.properties.hsts.type,parentSchema:schema11.properties.server.properties.hsts,data:data39};
if(vErrors === null){
vErrors = [err128];
}
else {
vErrors.push(err128);
}
errors++;
}
}
else {
const err129 = {instancePath:instancePath+"/server",schemaPath:"#/properties/server/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.server.type,parentSchema:schema11.properties.server,data:data0};
if(vErrors === null){
vErrors = [err129];
}
else {
vErrors.push(err129);
}
errors++;
}
let data43 = data.upstream;
if(data43 && typeof data43 == "object" && !Array.isArray(data43)){
if(data43.url === undefined){
data43.url = "http://127.0.0.1:8081";
}
if(data43.connections === undefined){
data43.connections = 128;
}
if(data43.pipelining === undefined){
data43.pipelining = 1;
}
if(data43.connectTimeout === undefined){
data43.connectTimeout = "5s";
}
if(data43.responseTimeout === undefined){
data43.responseTimeout = "30s";
}
if(data43.bodyTimeout === undefined){
data43.bodyTimeout = "30s";
}
if(data43.keepAliveTimeout === undefined){
data43.keepAliveTimeout = "4s";
}
if(data43.healthPath === undefined){
data43.healthPath = "/";
}
if(data43.maxConcurrent === undefined){
data43.maxConcurrent = 0;
}
if(data43.autoLimit === undefined){
data43.autoLimit = {};
}
if(data43.queue === undefined){
data43.queue = {};
}
if(data43.lanes === undefined){
data43.lanes = {};
}
if(data43.busy === undefined){
data43.busy = {};
}
if(data43.preserveHost === undefined){
data43.preserveHost = true;
}
if(data43.url === undefined){
const err130 = {instancePath:instancePath+"/upstream",schemaPath:"#/properties/upstream/required",keyword:"required",params:{missingProperty: "url"},message:"must have required property '"+"url"+"'",schema:schema11.properties.upstream.required,parentSchema:schema11.properties.upstream,data:data43};
if(vErrors === null){
vErrors = [err130];
}
else {
vErrors.push(err130);
}
errors++;
}
if(data43.connections === undefined){
const err131 = {instancePath:instancePath+"/upstream",schemaPath:"#/properties/upstream/required",keyword:"required",params:{missingProperty: "connections"},message:"must have required property '"+"connections"+"'",schema:schema11.properties.upstream.required,parentSchema:schema11.properties.upstream,data:data43};
if(vErrors === null){
vErrors = [err131];
}
else {
vErrors.push(err131);
}
errors++;
}
if(data43.pipelining === undefined){
const err132 = {instancePath:instancePath+"/upstream",schemaPath:"#/properties/upstream/required",keyword:"required",params:{missingProperty: "pipelining"},message:"must have required property '"+"pipelining"+"'",schema:schema11.properties.upstream.required,parentSchema:schema11.properties.upstream,data:data43};
if(vErrors === null){
vErrors = [err132];
}
else {
vErrors.push(err132);
}
errors++;
}
if(data43.connectTimeout === undefined){
const err133 = {instancePath:instancePath+"/upstream",schemaPath:"#/properties/upstream/required",keyword:"required",params:{missingProperty: "connectTimeout"},message:"must have required property '"+"connectTimeout"+"'",schema:schema11.properties.upstream.required,parentSchema:schema11.properties.upstream,data:data43};
if(vErrors === null){
vErrors = [err133];
}
else {
vErrors.push(err133);
}
errors++;
}
if(data43.responseTimeout === undefined){
const err134 = {instancePath:instancePath+"/upstream",schemaPath:"#/properties/upstream/required",keyword:"required",params:{missingProperty: "responseTimeout"},message:"must have required property '"+"responseTimeout"+"'",schema:schema11.properties.upstream.required,parentSchema:schema11.properties.upstream,data:data43};
if(vErrors === null){
vErrors = [err134];
}
else {
vErrors.push(err134);
}
errors++;
}
if(data43.bodyTimeout === undefined){
const err135 = {instancePath:instancePath+"/upstream",schemaPath:"#/properties/upstream/required",keyword:"required",params:{missingProperty: "bodyTimeout"},message:"must have required property '"+"bodyTimeout"+"'",schema:schema11.properties.upstream.required,parentSchema:schema11.properties.upstream,data:data43};
if(vErrors === null){
vErrors = [err135];
}
else {
vErrors.push(err135);
}
errors++;
}
if(data43.keepAliveTimeout === undefined){
const err136 = {instancePath:instancePath+"/upstream",schemaPath:"#/properties/upstream/required",keyword:"required",params:{missingProperty: "keepAliveTimeout"},message:"must have required property '"+"keepAliveTimeout"+"'",schema:schema11.properties.upstream.required,parentSchema:schema11.properties.upstream,data:data43};
if(vErrors === null){
vErrors = [err136];
}
else {
vErrors.push(err136);
}
errors++;
}
if(data43.healthPath === undefined){
const err137 = {instancePath:instancePath+"/upstream",schemaPath:"#/properties/upstream/required",keyword:"required",params:{missingProperty: "healthPath"},message:"must have required property '"+"healthPath"+"'",schema:schema11.properties.upstream.required,parentSchema:schema11.properties.upstream,data:data43};
if(vErrors === null){
vErrors = [err137];
}
else {
vErrors.push(err137);
}
errors++;
}
if(data43.maxConcurrent === undefined){
const err138 = {instancePath:instancePath+"/upstream",schemaPath:"#/properties/upstream/required",keyword:"required",params:{missingProperty: "maxConcurrent"},message:"must have required property '"+"maxConcurrent"+"'",schema:schema11.properties.upstream.required,parentSchema:schema11.properties.upstream,data:data43};
if(vErrors === null){
vErrors = [err138];
}
else {
vErrors.push(err138);
}
errors++;
}
if(data43.autoLimit === undefined){
const err139 = {instancePath:instancePath+"/upstream",schemaPath:"#/properties/upstream/required",keyword:"required",params:{missingProperty: "autoLimit"},message:"must have required property '"+"autoLimit"+"'",schema:schema11.properties.upstream.required,parentSchema:schema11.properties.upstream,data:data43};
if(vErrors === null){
vErrors = [err139];
}
else {
vErrors.push(err139);
}
errors++;
}
if(data43.queue === undefined){
const err140 = {instancePath:instancePath+"/upstream",schemaPath:"#/properties/upstream/required",keyword:"required",params:{missingProperty: "queue"},message:"must have required property '"+"queue"+"'",schema:schema11.properties.upstream.required,parentSchema:schema11.properties.upstream,data:data43};
if(vErrors === null){
vErrors = [err140];
}
else {
vErrors.push(err140);
}
errors++;
}
if(data43.lanes === undefined){
const err141 = {instancePath:instancePath+"/upstream",schemaPath:"#/properties/upstream/required",keyword:"required",params:{missingProperty: "lanes"},message:"must have required property '"+"lanes"+"'",schema:schema11.properties.upstream.required,parentSchema:schema11.properties.upstream,data:data43};
if(vErrors === null){
vErrors = [err141];
}
else {
vErrors.push(err141);
}
errors++;
}
if(data43.busy === undefined){
const err142 = {instancePath:instancePath+"/upstream",schemaPath:"#/properties/upstream/required",keyword:"required",params:{missingProperty: "busy"},message:"must have required property '"+"busy"+"'",schema:schema11.properties.upstream.required,parentSchema:schema11.properties.upstream,data:data43};
if(vErrors === null){
vErrors = [err142];
}
else {
vErrors.push(err142);
}
errors++;
}
if(data43.preserveHost === undefined){
const err143 = {instancePath:instancePath+"/upstream",schemaPath:"#/properties/upstream/required",keyword:"required",params:{missingProperty: "preserveHost"},message:"must have required property '"+"preserveHost"+"'",schema:schema11.properties.upstream.required,parentSchema:schema11.properties.upstream,data:data43};
if(vErrors === null){
vErrors = [err143];
}
else {
vErrors.push(err143);
}
errors++;
}
for(const key7 in data43){
if(!(func2.call(schema11.properties.upstream.properties, key7))){
const err144 = {instancePath:instancePath+"/upstream",schemaPath:"#/properties/upstream/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key7},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.upstream,data:data43};
if(vErrors === null){
vErrors = [err144];
}
else {
vErrors.push(err144);
}
errors++;
}
}
let data44 = data43.url;
if(typeof data44 !== "string"){
const err145 = {instancePath:instancePath+"/upstream/url",schemaPath:"#/properties/upstream/properties/url/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.upstream.properties.url.type,parentSchema:schema11.properties.upstream.properties.url,data:data44};
if(vErrors === null){
vErrors = [err145];
}
else {
vErrors.push(err145);
}
errors++;
}
let data45 = data43.connections;
if(!((typeof data45 == "number") && (!(data45 % 1) && !isNaN(data45)))){
const err146 = {instancePath:instancePath+"/upstream/connections",schemaPath:"#/properties/upstream/properties/connections/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.upstream.properties.connections.type,parentSchema:schema11.properties.upstream.properties.connections,data:data45};
if(vErrors === null){
vErrors = [err146];
}
else {
vErrors.push(err146);
}
errors++;
}
if(typeof data45 == "number"){
if(data45 > 100000 || isNaN(data45)){
const err147 = {instancePath:instancePath+"/upstream/connections",schemaPath:"#/properties/upstream/properties/connections/maximum",keyword:"maximum",params:{comparison: "<=", limit: 100000},message:"must be <= 100000",schema:100000,parentSchema:schema11.properties.upstream.properties.connections,data:data45};
if(vErrors === null){
vErrors = [err147];
}
else {
vErrors.push(err147);
}
errors++;
}
if(data45 < 1 || isNaN(data45)){
const err148 = {instancePath:instancePath+"/upstream/connections",schemaPath:"#/properties/upstream/properties/connections/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema11.properties.upstream.properties.connections,data:data45};
if(vErrors === null){
vErrors = [err148];
}
else {
vErrors.push(err148);
}
errors++;
}
}
let data46 = data43.pipelining;
if(!((typeof data46 == "number") && (!(data46 % 1) && !isNaN(data46)))){
const err149 = {instancePath:instancePath+"/upstream/pipelining",schemaPath:"#/properties/upstream/properties/pipelining/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.upstream.properties.pipelining.type,parentSchema:schema11.properties.upstream.properties.pipelining,data:data46};
if(vErrors === null){
vErrors = [err149];
}
else {
vErrors.push(err149);
}
errors++;
}
if(typeof data46 == "number"){
if(data46 > 100 || isNaN(data46)){
const err150 = {instancePath:instancePath+"/upstream/pipelining",schemaPath:"#/properties/upstream/properties/pipelining/maximum",keyword:"maximum",params:{comparison: "<=", limit: 100},message:"must be <= 100",schema:100,parentSchema:schema11.properties.upstream.properties.pipelining,data:data46};
if(vErrors === null){
vErrors = [err150];
}
else {
vErrors.push(err150);
}
errors++;
}
if(data46 < 1 || isNaN(data46)){
const err151 = {instancePath:instancePath+"/upstream/pipelining",schemaPath:"#/properties/upstream/properties/pipelining/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema11.properties.upstream.properties.pipelining,data:data46};
if(vErrors === null){
vErrors = [err151];
}
else {
vErrors.push(err151);
}
errors++;
}
}
let data47 = data43.connectTimeout;
const parsed10 = func7(data47);
if(parsed10 === undefined){
const err152 = {instancePath:instancePath+"/upstream/connectTimeout",schemaPath:"#/properties/upstream/properties/connectTimeout/x-unit",keyword:"x-unit",params:{unit: "duration", value: data47, minimum: undefined},message:"unit",schema:"duration",parentSchema:schema11.properties.upstream.properties.connectTimeout,data:data47};
if(vErrors === null){
vErrors = [err152];
}
else {
vErrors.push(err152);
}
errors++;
}
else {
if(data43){
data43["connectTimeout"] = parsed10;
data47 = parsed10;
}
}
let data48 = data43.responseTimeout;
const parsed11 = func7(data48);
if(parsed11 === undefined){
const err153 = {instancePath:instancePath+"/upstream/responseTimeout",schemaPath:"#/properties/upstream/properties/responseTimeout/x-unit",keyword:"x-unit",params:{unit: "duration", value: data48, minimum: undefined},message:"unit",schema:"duration",parentSchema:schema11.properties.upstream.properties.responseTimeout,data:data48};
if(vErrors === null){
vErrors = [err153];
}
else {
vErrors.push(err153);
}
errors++;
}
else {
if(data43){
data43["responseTimeout"] = parsed11;
data48 = parsed11;
}
}
let data49 = data43.bodyTimeout;
const parsed12 = func7(data49);
if(parsed12 === undefined){
const err154 = {instancePath:instancePath+"/upstream/bodyTimeout",schemaPath:"#/properties/upstream/properties/bodyTimeout/x-unit",keyword:"x-unit",params:{unit: "duration", value: data49, minimum: undefined},message:"unit",schema:"duration",parentSchema:schema11.properties.upstream.properties.bodyTimeout,data:data49};
if(vErrors === null){
vErrors = [err154];
}
else {
vErrors.push(err154);
}
errors++;
}
else {
if(data43){
data43["bodyTimeout"] = parsed12;
data49 = parsed12;
}
}
let data50 = data43.keepAliveTimeout;
const parsed13 = func7(data50);
if(parsed13 === undefined){
const err155 = {instancePath:instancePath+"/upstream/keepAliveTimeout",schemaPath:"#/properties/upstream/properties/keepAliveTimeout/x-unit",keyword:"x-unit",params:{unit: "duration", value: data50, minimum: undefined},message:"unit",schema:"duration",parentSchema:schema11.properties.upstream.properties.keepAliveTimeout,data:data50};
if(vErrors === null){
vErrors = [err155];
}
else {
vErrors.push(err155);
}
errors++;
}
else {
if(data43){
data43["keepAliveTimeout"] = parsed13;
data50 = parsed13;
}
}
let data51 = data43.healthPath;
if(typeof data51 === "string"){
if(!pattern0.test(data51)){
const err156 = {instancePath:instancePath+"/upstream/healthPath",schemaPath:"#/properties/upstream/properties/healthPath/pattern",keyword:"pattern",params:{pattern: "^/"},message:"must match pattern \""+"^/"+"\"",schema:"^/",parentSchema:schema11.properties.upstream.properties.healthPath,data:data51};
if(vErrors === null){
vErrors = [err156];
}
else {
vErrors.push(err156);
}
errors++;
}
}
else {
const err157 = {instancePath:instancePath+"/upstream/healthPath",schemaPath:"#/properties/upstream/properties/healthPath/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.upstream.properties.healthPath.type,parentSchema:schema11.properties.upstream.properties.healthPath,data:data51};
if(vErrors === null){
vErrors = [err157];
}
else {
vErrors.push(err157);
}
errors++;
}
let data52 = data43.maxConcurrent;
const _errs108 = errors;
let valid16 = false;
const _errs109 = errors;
if(!((typeof data52 == "number") && (!(data52 % 1) && !isNaN(data52)))){
const err158 = {instancePath:instancePath+"/upstream/maxConcurrent",schemaPath:"#/properties/upstream/properties/maxConcurrent/anyOf/0/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.upstream.properties.maxConcurrent.anyOf[0].type,parentSchema:schema11.properties.upstream.properties.maxConcurrent.anyOf[0],data:data52};
if(vErrors === null){
vErrors = [err158];
}
else {
vErrors.push(err158);
}
errors++;
}
if(typeof data52 == "number"){
if(data52 > 100000 || isNaN(data52)){
const err159 = {instancePath:instancePath+"/upstream/maxConcurrent",schemaPath:"#/properties/upstream/properties/maxConcurrent/anyOf/0/maximum",keyword:"maximum",params:{comparison: "<=", limit: 100000},message:"must be <= 100000",schema:100000,parentSchema:schema11.properties.upstream.properties.maxConcurrent.anyOf[0],data:data52};
if(vErrors === null){
vErrors = [err159];
}
else {
vErrors.push(err159);
}
errors++;
}
if(data52 < 0 || isNaN(data52)){
const err160 = {instancePath:instancePath+"/upstream/maxConcurrent",schemaPath:"#/properties/upstream/properties/maxConcurrent/anyOf/0/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0",schema:0,parentSchema:schema11.properties.upstream.properties.maxConcurrent.anyOf[0],data:data52};
if(vErrors === null){
vErrors = [err160];
}
else {
vErrors.push(err160);
}
errors++;
}
}
var _valid2 = _errs109 === errors;
valid16 = valid16 || _valid2;
if(!valid16){
const _errs111 = errors;
if(typeof data52 !== "string"){
const err161 = {instancePath:instancePath+"/upstream/maxConcurrent",schemaPath:"#/properties/upstream/properties/maxConcurrent/anyOf/1/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.upstream.properties.maxConcurrent.anyOf[1].type,parentSchema:schema11.properties.upstream.properties.maxConcurrent.anyOf[1],data:data52};
if(vErrors === null){
vErrors = [err161];
}
else {
vErrors.push(err161);
}
errors++;
}
if("auto" !== data52){
const err162 = {instancePath:instancePath+"/upstream/maxConcurrent",schemaPath:"#/properties/upstream/properties/maxConcurrent/anyOf/1/const",keyword:"const",params:{allowedValue: "auto"},message:"must be equal to constant",schema:"auto",parentSchema:schema11.properties.upstream.properties.maxConcurrent.anyOf[1],data:data52};
if(vErrors === null){
vErrors = [err162];
}
else {
vErrors.push(err162);
}
errors++;
}
var _valid2 = _errs111 === errors;
valid16 = valid16 || _valid2;
}
if(!valid16){
const err163 = {instancePath:instancePath+"/upstream/maxConcurrent",schemaPath:"#/properties/upstream/properties/maxConcurrent/anyOf",keyword:"anyOf",params:{},message:"must match a schema in anyOf",schema:schema11.properties.upstream.properties.maxConcurrent.anyOf,parentSchema:schema11.properties.upstream.properties.maxConcurrent,data:data52};
if(vErrors === null){
vErrors = [err163];
}
else {
vErrors.push(err163);
}
errors++;
}
else {
errors = _errs108;
if(vErrors !== null){
if(_errs108){
vErrors.length = _errs108;
}
else {
vErrors = null;
}
}
}
let data53 = data43.autoLimit;
if(data53 && typeof data53 == "object" && !Array.isArray(data53)){
if(data53.min === undefined){
data53.min = 4;
}
if(data53.max === undefined){
data53.max = 128;
}
if(data53.initial === undefined){
data53.initial = 20;
}
if(data53.min === undefined){
const err164 = {instancePath:instancePath+"/upstream/autoLimit",schemaPath:"#/properties/upstream/properties/autoLimit/required",keyword:"required",params:{missingProperty: "min"},message:"must have required property '"+"min"+"'",schema:schema11.properties.upstream.properties.autoLimit.required,parentSchema:schema11.properties.upstream.properties.autoLimit,data:data53};
if(vErrors === null){
vErrors = [err164];
}
else {
vErrors.push(err164);
}
errors++;
}
if(data53.max === undefined){
const err165 = {instancePath:instancePath+"/upstream/autoLimit",schemaPath:"#/properties/upstream/properties/autoLimit/required",keyword:"required",params:{missingProperty: "max"},message:"must have required property '"+"max"+"'",schema:schema11.properties.upstream.properties.autoLimit.required,parentSchema:schema11.properties.upstream.properties.autoLimit,data:data53};
if(vErrors === null){
vErrors = [err165];
}
else {
vErrors.push(err165);
}
errors++;
}
if(data53.initial === undefined){
const err166 = {instancePath:instancePath+"/upstream/autoLimit",schemaPath:"#/properties/upstream/properties/autoLimit/required",keyword:"required",params:{missingProperty: "initial"},message:"must have required property '"+"initial"+"'",schema:schema11.properties.upstream.properties.autoLimit.required,parentSchema:schema11.properties.upstream.properties.autoLimit,data:data53};
if(vErrors === null){
vErrors = [err166];
}
else {
vErrors.push(err166);
}
errors++;
}
for(const key8 in data53){
if(!(((key8 === "min") || (key8 === "max")) || (key8 === "initial"))){
const err167 = {instancePath:instancePath+"/upstream/autoLimit",schemaPath:"#/properties/upstream/properties/autoLimit/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key8},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.upstream.properties.autoLimit,data:data53};
if(vErrors === null){
vErrors = [err167];
}
else {
vErrors.push(err167);
}
errors++;
}
}
let data54 = data53.min;
if(!((typeof data54 == "number") && (!(data54 % 1) && !isNaN(data54)))){
const err168 = {instancePath:instancePath+"/upstream/autoLimit/min",schemaPath:"#/properties/upstream/properties/autoLimit/properties/min/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.upstream.properties.autoLimit.properties.min.type,parentSchema:schema11.properties.upstream.properties.autoLimit.properties.min,data:data54};
if(vErrors === null){
vErrors = [err168];
}
else {
vErrors.push(err168);
}
errors++;
}
if(typeof data54 == "number"){
if(data54 > 100000 || isNaN(data54)){
const err169 = {instancePath:instancePath+"/upstream/autoLimit/min",schemaPath:"#/properties/upstream/properties/autoLimit/properties/min/maximum",keyword:"maximum",params:{comparison: "<=", limit: 100000},message:"must be <= 100000",schema:100000,parentSchema:schema11.properties.upstream.properties.autoLimit.properties.min,data:data54};
if(vErrors === null){
vErrors = [err169];
}
else {
vErrors.push(err169);
}
errors++;
}
if(data54 < 1 || isNaN(data54)){
const err170 = {instancePath:instancePath+"/upstream/autoLimit/min",schemaPath:"#/properties/upstream/properties/autoLimit/properties/min/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema11.properties.upstream.properties.autoLimit.properties.min,data:data54};
if(vErrors === null){
vErrors = [err170];
}
else {
vErrors.push(err170);
}
errors++;
}
}
let data55 = data53.max;
if(!((typeof data55 == "number") && (!(data55 % 1) && !isNaN(data55)))){
const err171 = {instancePath:instancePath+"/upstream/autoLimit/max",schemaPath:"#/properties/upstream/properties/autoLimit/properties/max/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.upstream.properties.autoLimit.properties.max.type,parentSchema:schema11.properties.upstream.properties.autoLimit.properties.max,data:data55};
if(vErrors === null){
vErrors = [err171];
}
else {
vErrors.push(err171);
}
errors++;
}
if(typeof data55 == "number"){
if(data55 > 100000 || isNaN(data55)){
const err172 = {instancePath:instancePath+"/upstream/autoLimit/max",schemaPath:"#/properties/upstream/properties/autoLimit/properties/max/maximum",keyword:"maximum",params:{comparison: "<=", limit: 100000},message:"must be <= 100000",schema:100000,parentSchema:schema11.properties.upstream.properties.autoLimit.properties.max,data:data55};
if(vErrors === null){
vErrors = [err172];
}
else {
vErrors.push(err172);
}
errors++;
}
if(data55 < 1 || isNaN(data55)){
const err173 = {instancePath:instancePath+"/upstream/autoLimit/max",schemaPath:"#/properties/upstream/properties/autoLimit/properties/max/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema11.properties.upstream.properties.autoLimit.properties.max,data:data55};
if(vErrors === null){
vErrors = [err173];
}
else {
vErrors.push(err173);
}
errors++;
}
}
let data56 = data53.initial;
if(!((typeof data56 == "number") && (!(data56 % 1) && !isNaN(data56)))){
const err174 = {instancePath:instancePath+"/upstream/autoLimit/initial",schemaPath:"#/properties/upstream/properties/autoLimit/properties/initial/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.upstream.properties.autoLimit.properties.initial.type,parentSchema:schema11.properties.upstream.properties.autoLimit.properties.initial,data:data56};
if(vErrors === null){
vErrors = [err174];
}
else {
vErrors.push(err174);
}
errors++;
}
if(typeof data56 == "number"){
if(data56 > 100000 || isNaN(data56)){
const err175 = {instancePath:instancePath+"/upstream/autoLimit/initial",schemaPath:"#/properties/upstream/properties/autoLimit/properties/initial/maximum",keyword:"maximum",params:{comparison: "<=", limit: 100000},message:"must be <= 100000",schema:100000,parentSchema:schema11.properties.upstream.properties.autoLimit.properties.initial,data:data56};
if(vErrors === null){
vErrors = [err175];
}
else {
vErrors.push(err175);
}
errors++;
}
if(data56 < 1 || isNaN(data56)){
const err176 = {instancePath:instancePath+"/upstream/autoLimit/initial",schemaPath:"#/properties/upstream/properties/autoLimit/properties/initial/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema11.properties.upstream.properties.autoLimit.properties.initial,data:data56};
if(vErrors === null){
vErrors = [err176];
}
else {
vErrors.push(err176);
}
errors++;
}
}
}
else {
const err177 = {instancePath:instancePath+"/upstream/autoLimit",schemaPath:"#/properties/upstream/properties/autoLimit/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.upstream.properties.autoLimit.type,parentSchema:schema11.properties.upstream.properties.autoLimit,data:data53};
if(vErrors === null){
vErrors = [err177];
}
else {
vErrors.push(err177);
}
errors++;
}
let data57 = data43.queue;
if(data57 && typeof data57 == "object" && !Array.isArray(data57)){
if(data57.size === undefined){
data57.size = 200;
}
if(data57.timeout === undefined){
data57.timeout = "5s";
}
if(data57.size === undefined){
const err178 = {instancePath:instancePath+"/upstream/queue",schemaPath:"#/properties/upstream/properties/queue/required",keyword:"required",params:{missingProperty: "size"},message:"must have required property '"+"size"+"'",schema:schema11.properties.upstream.properties.queue.required,parentSchema:schema11.properties.upstream.properties.queue,data:data57};
if(vErrors === null){
vErrors = [err178];
}
else {
vErrors.push(err178);
}
errors++;
}
if(data57.timeout === undefined){
const err179 = {instancePath:instancePath+"/upstream/queue",schemaPath:"#/properties/upstream/properties/queue/required",keyword:"required",params:{missingProperty: "timeout"},message:"must have required property '"+"timeout"+"'",schema:schema11.properties.upstream.properties.queue.required,parentSchema:schema11.properties.upstream.properties.queue,data:data57};
if(vErrors === null){
vErrors = [err179];
}
else {
vErrors.push(err179);
}
errors++;
}
for(const key9 in data57){
if(!((key9 === "size") || (key9 === "timeout"))){
const err180 = {instancePath:instancePath+"/upstream/queue",schemaPath:"#/properties/upstream/properties/queue/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key9},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.upstream.properties.queue,data:data57};
if(vErrors === null){
vErrors = [err180];
}
else {
vErrors.push(err180);
}
errors++;
}
}
let data58 = data57.size;
if(!((typeof data58 == "number") && (!(data58 % 1) && !isNaN(data58)))){
const err181 = {instancePath:instancePath+"/upstream/queue/size",schemaPath:"#/properties/upstream/properties/queue/properties/size/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.upstream.properties.queue.properties.size.type,parentSchema:schema11.properties.upstream.properties.queue.properties.size,data:data58};
if(vErrors === null){
vErrors = [err181];
}
else {
vErrors.push(err181);
}
errors++;
}
if(typeof data58 == "number"){
if(data58 > 1000000 || isNaN(data58)){
const err182 = {instancePath:instancePath+"/upstream/queue/size",schemaPath:"#/properties/upstream/properties/queue/properties/size/maximum",keyword:"maximum",params:{comparison: "<=", limit: 1000000},message:"must be <= 1000000",schema:1000000,parentSchema:schema11.properties.upstream.properties.queue.properties.size,data:data58};
if(vErrors === null){
vErrors = [err182];
}
else {
vErrors.push(err182);
}
errors++;
}
if(data58 < 0 || isNaN(data58)){
const err183 = {instancePath:instancePath+"/upstream/queue/size",schemaPath:"#/properties/upstream/properties/queue/properties/size/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0",schema:0,parentSchema:schema11.properties.upstream.properties.queue.properties.size,data:data58};
if(vErrors === null){
vErrors = [err183];
}
else {
vErrors.push(err183);
}
errors++;
}
}
let data59 = data57.timeout;
const parsed14 = func7(data59);
if(parsed14 === undefined || parsed14 < 1){
const err184 = {instancePath:instancePath+"/upstream/queue/timeout",schemaPath:"#/properties/upstream/properties/queue/properties/timeout/x-unit",keyword:"x-unit",params:{unit: "duration", value: data59, minimum: 1},message:"unit",schema:"duration",parentSchema:schema11.properties.upstream.properties.queue.properties.timeout,data:data59};
if(vErrors === null){
vErrors = [err184];
}
else {
vErrors.push(err184);
}
errors++;
}
else {
if(data57){
data57["timeout"] = parsed14;
data59 = parsed14;
}
}
if(typeof data59 == "number"){
if(data59 < 1 || isNaN(data59)){
const err185 = {instancePath:instancePath+"/upstream/queue/timeout",schemaPath:"#/properties/upstream/properties/queue/properties/timeout/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema11.properties.upstream.properties.queue.properties.timeout,data:data59};
if(vErrors === null){
vErrors = [err185];
}
else {
vErrors.push(err185);
}
errors++;
}
}
}
else {
const err186 = {instancePath:instancePath+"/upstream/queue",schemaPath:"#/properties/upstream/properties/queue/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.upstream.properties.queue.type,parentSchema:schema11.properties.upstream.properties.queue,data:data57};
if(vErrors === null){
vErrors = [err186];
}
else {
vErrors.push(err186);
}
errors++;
}
let data60 = data43.lanes;
if(data60 && typeof data60 == "object" && !Array.isArray(data60)){
if(data60.default === undefined){
data60.default = "normal";
}
if(data60.weights === undefined){
data60.weights = {};
}
if(data60.rules === undefined){
data60.rules = [];
}
if(data60.default === undefined){
const err187 = {instancePath:instancePath+"/upstream/lanes",schemaPath:"#/properties/upstream/properties/lanes/required",keyword:"required",params:{missingProperty: "default"},message:"must have required property '"+"default"+"'",schema:schema11.properties.upstream.properties.lanes.required,parentSchema:schema11.properties.upstream.properties.lanes,data:data60};
if(vErrors === null){
vErrors = [err187];
}
else {
vErrors.push(err187);
}
errors++;
}
if(data60.weights === undefined){
const err188 = {instancePath:instancePath+"/upstream/lanes",schemaPath:"#/properties/upstream/properties/lanes/required",keyword:"required",params:{missingProperty: "weights"},message:"must have required property '"+"weights"+"'",schema:schema11.properties.upstream.properties.lanes.required,parentSchema:schema11.properties.upstream.properties.lanes,data:data60};
if(vErrors === null){
vErrors = [err188];
}
else {
vErrors.push(err188);
}
errors++;
}
if(data60.rules === undefined){
const err189 = {instancePath:instancePath+"/upstream/lanes",schemaPath:"#/properties/upstream/properties/lanes/required",keyword:"required",params:{missingProperty: "rules"},message:"must have required property '"+"rules"+"'",schema:schema11.properties.upstream.properties.lanes.required,parentSchema:schema11.properties.upstream.properties.lanes,data:data60};
if(vErrors === null){
vErrors = [err189];
}
else {
vErrors.push(err189);
}
errors++;
}
for(const key10 in data60){
if(!(((key10 === "default") || (key10 === "weights")) || (key10 === "rules"))){
const err190 = {instancePath:instancePath+"/upstream/lanes",schemaPath:"#/properties/upstream/properties/lanes/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key10},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.upstream.properties.lanes,data:data60};
if(vErrors === null){
vErrors = [err190];
}
else {
vErrors.push(err190);
}
errors++;
}
}
let data61 = data60.default;
const _errs132 = errors;
let valid20 = false;
const _errs133 = errors;
if(typeof data61 !== "string"){
const err191 = {instancePath:instancePath+"/upstream/lanes/default",schemaPath:"#/properties/upstream/properties/lanes/properties/default/anyOf/0/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.upstream.properties.lanes.properties.default.anyOf[0].type,parentSchema:schema11.properties.upstream.properties.lanes.properties.default.anyOf[0],data:data61};
if(vErrors === null){
vErrors = [err191];
}
else {
vErrors.push(err191);
}
errors++;
}
if("high" !== data61){
const err192 = {instancePath:instancePath+"/upstream/lanes/default",schemaPath:"#/properties/upstream/properties/lanes/properties/default/anyOf/0/const",keyword:"const",params:{allowedValue: "high"},message:"must be equal to constant",schema:"high",parentSchema:schema11.properties.upstream.properties.lanes.properties.default.anyOf[0],data:data61};
if(vErrors === null){
vErrors = [err192];
}
else {
vErrors.push(err192);
}
errors++;
}
var _valid3 = _errs133 === errors;
valid20 = valid20 || _valid3;
if(!valid20){
const _errs135 = errors;
if(typeof data61 !== "string"){
const err193 = {instancePath:instancePath+"/upstream/lanes/default",schemaPath:"#/properties/upstream/properties/lanes/properties/default/anyOf/1/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.upstream.properties.lanes.properties.default.anyOf[1].type,parentSchema:schema11.properties.upstream.properties.lanes.properties.default.anyOf[1],data:data61};
if(vErrors === null){
vErrors = [err193];
}
else {
vErrors.push(err193);
}
errors++;
}
if("normal" !== data61){
const err194 = {instancePath:instancePath+"/upstream/lanes/default",schemaPath:"#/properties/upstream/properties/lanes/properties/default/anyOf/1/const",keyword:"const",params:{allowedValue: "normal"},message:"must be equal to constant",schema:"normal",parentSchema:schema11.properties.upstream.properties.lanes.properties.default.anyOf[1],data:data61};
if(vErrors === null){
vErrors = [err194];
}
else {
vErrors.push(err194);
}
errors++;
}
var _valid3 = _errs135 === errors;
valid20 = valid20 || _valid3;
if(!valid20){
const _errs137 = errors;
if(typeof data61 !== "string"){
const err195 = {instancePath:instancePath+"/upstream/lanes/default",schemaPath:"#/properties/upstream/properties/lanes/properties/default/anyOf/2/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.upstream.properties.lanes.properties.default.anyOf[2].type,parentSchema:schema11.properties.upstream.properties.lanes.properties.default.anyOf[2],data:data61};
if(vErrors === null){
vErrors = [err195];
}
else {
vErrors.push(err195);
}
errors++;
}
if("low" !== data61){
const err196 = {instancePath:instancePath+"/upstream/lanes/default",schemaPath:"#/properties/upstream/properties/lanes/properties/default/anyOf/2/const",keyword:"const",params:{allowedValue: "low"},message:"must be equal to constant",schema:"low",parentSchema:schema11.properties.upstream.properties.lanes.properties.default.anyOf[2],data:data61};
if(vErrors === null){
vErrors = [err196];
}
else {
vErrors.push(err196);
}
errors++;
}
var _valid3 = _errs137 === errors;
valid20 = valid20 || _valid3;
}
}
if(!valid20){
const err197 = {instancePath:instancePath+"/upstream/lanes/default",schemaPath:"#/properties/upstream/properties/lanes/properties/default/anyOf",keyword:"anyOf",params:{},message:"must match a schema in anyOf",schema:schema11.properties.upstream.properties.lanes.properties.default.anyOf,parentSchema:schema11.properties.upstream.properties.lanes.properties.default,data:data61};
if(vErrors === null){
vErrors = [err197];
}
else {
vErrors.push(err197);
}
errors++;
}
else {
errors = _errs132;
if(vErrors !== null){
if(_errs132){
vErrors.length = _errs132;
}
else {
vErrors = null;
}
}
}
let data62 = data60.weights;
if(data62 && typeof data62 == "object" && !Array.isArray(data62)){
if(data62.high === undefined){
data62.high = 6;
}
if(data62.normal === undefined){
data62.normal = 3;
}
if(data62.low === undefined){
data62.low = 1;
}
if(data62.high === undefined){
const err198 = {instancePath:instancePath+"/upstream/lanes/weights",schemaPath:"#/properties/upstream/properties/lanes/properties/weights/required",keyword:"required",params:{missingProperty: "high"},message:"must have required property '"+"high"+"'",schema:schema11.properties.upstream.properties.lanes.properties.weights.required,parentSchema:schema11.properties.upstream.properties.lanes.properties.weights,data:data62};
if(vErrors === null){
vErrors = [err198];
}
else {
vErrors.push(err198);
}
errors++;
}
if(data62.normal === undefined){
const err199 = {instancePath:instancePath+"/upstream/lanes/weights",schemaPath:"#/properties/upstream/properties/lanes/properties/weights/required",keyword:"required",params:{missingProperty: "normal"},message:"must have required property '"+"normal"+"'",schema:schema11.properties.upstream.properties.lanes.properties.weights.required,parentSchema:schema11.properties.upstream.properties.lanes.properties.weights,data:data62};
if(vErrors === null){
vErrors = [err199];
}
else {
vErrors.push(err199);
}
errors++;
}
if(data62.low === undefined){
const err200 = {instancePath:instancePath+"/upstream/lanes/weights",schemaPath:"#/properties/upstream/properties/lanes/properties/weights/required",keyword:"required",params:{missingProperty: "low"},message:"must have required property '"+"low"+"'",schema:schema11.properties.upstream.properties.lanes.properties.weights.required,parentSchema:schema11.properties.upstream.properties.lanes.properties.weights,data:data62};
if(vErrors === null){
vErrors = [err200];
}
else {
vErrors.push(err200);
}
errors++;
}
for(const key11 in data62){
if(!(((key11 === "high") || (key11 === "normal")) || (key11 === "low"))){
const err201 = {instancePath:instancePath+"/upstream/lanes/weights",schemaPath:"#/properties/upstream/properties/lanes/properties/weights/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key11},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.upstream.properties.lanes.properties.weights,data:data62};
if(vErrors === null){
vErrors = [err201];
}
else {
vErrors.push(err201);
}
errors++;
}
}
let data63 = data62.high;
if(!((typeof data63 == "number") && (!(data63 % 1) && !isNaN(data63)))){
const err202 = {instancePath:instancePath+"/upstream/lanes/weights/high",schemaPath:"#/properties/upstream/properties/lanes/properties/weights/properties/high/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.upstream.properties.lanes.properties.weights.properties.high.type,parentSchema:schema11.properties.upstream.properties.lanes.properties.weights.properties.high,data:data63};
if(vErrors === null){
vErrors = [err202];
}
else {
vErrors.push(err202);
}
errors++;
}
if(typeof data63 == "number"){
if(data63 > 1000 || isNaN(data63)){
const err203 = {instancePath:instancePath+"/upstream/lanes/weights/high",schemaPath:"#/properties/upstream/properties/lanes/properties/weights/properties/high/maximum",keyword:"maximum",params:{comparison: "<=", limit: 1000},message:"must be <= 1000",schema:1000,parentSchema:schema11.properties.upstream.properties.lanes.properties.weights.properties.high,data:data63};
if(vErrors === null){
vErrors = [err203];
}
else {
vErrors.push(err203);
}
errors++;
}
if(data63 < 1 || isNaN(data63)){
const err204 = {instancePath:instancePath+"/upstream/lanes/weights/high",schemaPath:"#/properties/upstream/properties/lanes/properties/weights/properties/high/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema11.properties.upstream.properties.lanes.properties.weights.properties.high,data:data63};
if(vErrors === null){
vErrors = [err204];
}
else {
vErrors.push(err204);
}
errors++;
}
}
let data64 = data62.normal;
if(!((typeof data64 == "number") && (!(data64 % 1) && !isNaN(data64)))){
const err205 = {instancePath:instancePath+"/upstream/lanes/weights/normal",schemaPath:"#/properties/upstream/properties/lanes/properties/weights/properties/normal/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.upstream.properties.lanes.properties.weights.properties.normal.type,parentSchema:schema11.properties.upstream.properties.lanes.properties.weights.properties.normal,data:data64};
if(vErrors === null){
vErrors = [err205];
}
else {
vErrors.push(err205);
}
errors++;
}
if(typeof data64 == "number"){
if(data64 > 1000 || isNaN(data64)){
const err206 = {instancePath:instancePath+"/upstream/lanes/weights/normal",schemaPath:"#/properties/upstream/properties/lanes/properties/weights/properties/normal/maximum",keyword:"maximum",params:{comparison: "<=", limit: 1000},message:"must be <= 1000",schema:1000,parentSchema:schema11.properties.upstream.properties.lanes.properties.weights.properties.normal,data:data64};
if(vErrors === null){
vErrors = [err206];
}
else {
vErrors.push(err206);
}
errors++;
}
if(data64 < 1 || isNaN(data64)){
const err207 = {instancePath:instancePath+"/upstream/lanes/weights/normal",schemaPath:"#/properties/upstream/properties/lanes/properties/weights/properties/normal/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema11.properties.upstream.properties.lanes.properties.weights.properties.normal,data:data64};
if(vErrors === null){
vErrors = [err207];
}
else {
vErrors.push(err207);
}
errors++;
}
}
let data65 = data62.low;
if(!((typeof data65 == "number") && (!(data65 % 1) && !isNaN(data65)))){
const err208 = {instancePath:instancePath+"/upstream/lanes/weights/low",schemaPath:"#/properties/upstream/properties/lanes/properties/weights/properties/low/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.upstream.properties.lanes.properties.weights.properties.low.type,parentSchema:schema11.properties.upstream.properties.lanes.properties.weights.properties.low,data:data65};
if(vErrors === null){
vErrors = [err208];
}
else {
vErrors.push(err208);
}
errors++;
}
if(typeof data65 == "number"){
if(data65 > 1000 || isNaN(data65)){
const err209 = {instancePath:instancePath+"/upstream/lanes/weights/low",schemaPath:"#/properties/upstream/properties/lanes/properties/weights/properties/low/maximum",keyword:"maximum",params:{comparison: "<=", limit: 1000},message:"must be <= 1000",schema:1000,parentSchema:schema11.properties.upstream.properties.lanes.properties.weights.properties.low,data:data65};
if(vErrors === null){
vErrors = [err209];
}
else {
vErrors.push(err209);
}
errors++;
}
if(data65 < 1 || isNaN(data65)){
const err210 = {instancePath:instancePath+"/upstream/lanes/weights/low",schemaPath:"#/properties/upstream/properties/lanes/properties/weights/properties/low/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema11.properties.upstream.properties.lanes.properties.weights.properties.low,data:data65};
if(vErrors === null){
vErrors = [err210];
}
else {
vErrors.push(err210);
}
errors++;
}
}
}
else {
const err211 = {instancePath:instancePath+"/upstream/lanes/weights",schemaPath:"#/properties/upstream/properties/lanes/properties/weights/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.upstream.properties.lanes.properties.weights.type,parentSchema:schema11.properties.upstream.properties.lanes.properties.weights,data:data62};
if(vErrors === null){
vErrors = [err211];
}
else {
vErrors.push(err211);
}
errors++;
}
let data66 = data60.rules;
if(Array.isArray(data66)){
const len3 = data66.length;
for(let i3=0; i3<len3; i3++){
let data67 = data66[i3];
if(data67 && typeof data67 == "object" && !Array.isArray(data67)){
if(data67.methods === undefined){
data67.methods = [];
}
if(data67.paths === undefined){
data67.paths = [];
}
if(data67.cookie === undefined){
data67.cookie = "";
}
if(data67.header === undefined){
data67.header = "";
}
if(data67.headerContains === undefined){
data67.headerContains = [];
}
if(data67.field === undefined){
data67.field = "";
}
if(data67.fieldIn === undefined){
data67.fieldIn = [];
}
if(data67.lane === undefined){
const err212 = {instancePath:instancePath+"/upstream/lanes/rules/" + i3,schemaPath:"#/properties/upstream/properties/lanes/properties/rules/items/required",keyword:"required",params:{missingProperty: "lane"},message:"must have required property '"+"lane"+"'",schema:schema11.properties.upstream.properties.lanes.properties.rules.items.required,parentSchema:schema11.properties.upstream.properties.lanes.properties.rules.items,data:data67};
if(vErrors === null){
vErrors = [err212];
}
else {
vErrors.push(err212);
}
errors++;
}
if(data67.methods === undefined){
const err213 = {instancePath:instancePath+"/upstream/lanes/rules/" + i3,schemaPath:"#/properties/upstream/properties/lanes/properties/rules/items/required",keyword:"required",params:{missingProperty: "methods"},message:"must have required property '"+"methods"+"'",schema:schema11.properties.upstream.properties.lanes.properties.rules.items.required,parentSchema:schema11.properties.upstream.properties.lanes.properties.rules.items,data:data67};
if(vErrors === null){
vErrors = [err213];
}
else {
vErrors.push(err213);
}
errors++;
}
if(data67.paths === undefined){
const err214 = {instancePath:instancePath+"/upstream/lanes/rules/" + i3,schemaPath:"#/properties/upstream/properties/lanes/properties/rules/items/required",keyword:"required",params:{missingProperty: "paths"},message:"must have required property '"+"paths"+"'",schema:schema11.properties.upstream.properties.lanes.properties.rules.items.required,parentSchema:schema11.properties.upstream.properties.lanes.properties.rules.items,data:data67};
if(vErrors === null){
vErrors = [err214];
}
else {
vErrors.push(err214);
}
errors++;
}
if(data67.cookie === undefined){
const err215 = {instancePath:instancePath+"/upstream/lanes/rules/" + i3,schemaPath:"#/properties/upstream/properties/lanes/properties/rules/items/required",keyword:"required",params:{missingProperty: "cookie"},message:"must have required property '"+"cookie"+"'",schema:schema11.properties.upstream.properties.lanes.properties.rules.items.required,parentSchema:schema11.properties.upstream.properties.lanes.properties.rules.items,data:data67};
if(vErrors === null){
vErrors = [err215];
}
else {
vErrors.push(err215);
}
errors++;
}
if(data67.header === undefined){
const err216 = {instancePath:instancePath+"/upstream/lanes/rules/" + i3,schemaPath:"#/properties/upstream/properties/lanes/properties/rules/items/required",keyword:"required",params:{missingProperty: "header"},message:"must have required property '"+"header"+"'",schema:schema11.properties.upstream.properties.lanes.properties.rules.items.required,parentSchema:schema11.properties.upstream.properties.lanes.properties.rules.items,data:data67};
if(vErrors === null){
vErrors = [err216];
}
else {
vErrors.push(err216);
}
errors++;
}
if(data67.headerContains === undefined){
const err217 = {instancePath:instancePath+"/upstream/lanes/rules/" + i3,schemaPath:"#/properties/upstream/properties/lanes/properties/rules/items/required",keyword:"required",params:{missingProperty: "headerContains"},message:"must have required property '"+"headerContains"+"'",schema:schema11.properties.upstream.properties.lanes.properties.rules.items.required,parentSchema:schema11.properties.upstream.properties.lanes.properties.rules.items,data:data67};
if(vErrors === null){
vErrors = [err217];
}
else {
vErrors.push(err217);
}
errors++;
}
if(data67.field === undefined){
const err218 = {instancePath:instancePath+"/upstream/lanes/rules/" + i3,schemaPath:"#/properties/upstream/properties/lanes/properties/rules/items/required",keyword:"required",params:{missingProperty: "field"},message:"must have required property '"+"field"+"'",schema:schema11.properties.upstream.properties.lanes.properties.rules.items.required,parentSchema:schema11.properties.upstream.properties.lanes.properties.rules.items,data:data67};
if(vErrors === null){
vErrors = [err218];
}
else {
vErrors.push(err218);
}
errors++;
}
if(data67.fieldIn === undefined){
const err219 = {instancePath:instancePath+"/upstream/lanes/rules/" + i3,schemaPath:"#/properties/upstream/properties/lanes/properties/rules/items/required",keyword:"required",params:{missingProperty: "fieldIn"},message:"must have required property '"+"fieldIn"+"'",schema:schema11.properties.upstream.properties.lanes.properties.rules.items.required,parentSchema:schema11.properties.upstream.properties.lanes.properties.rules.items,data:data67};
if(vErrors === null){
vErrors = [err219];
}
else {
vErrors.push(err219);
}
errors++;
}
for(const key12 in data67){
if(!((((((((key12 === "lane") || (key12 === "methods")) || (key12 === "paths")) || (key12 === "cookie")) || (key12 === "header")) || (key12 === "headerContains")) || (key12 === "field")) || (key12 === "fieldIn"))){
const err220 = {instancePath:instancePath+"/upstream/lanes/rules/" + i3,schemaPath:"#/properties/upstream/properties/lanes/properties/rules/items/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key12},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.upstream.properties.lanes.properties.rules.items,data:data67};
if(vErrors === null){
vErrors = [err220];
}
else {
vErrors.push(err220);
}
errors++;
}
}
if(data67.lane !== undefined){
let data68 = data67.lane;
const _errs154 = errors;
let valid25 = false;
const _errs155 = errors;
if(typeof data68 !== "string"){
const err221 = {instancePath:instancePath+"/upstream/lanes/rules/" + i3+"/lane",schemaPath:"#/properties/upstream/properties/lanes/properties/rules/items/properties/lane/anyOf/0/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.upstream.properties.lanes.properties.rules.items.properties.lane.anyOf[0].type,parentSchema:schema11.properties.upstream.properties.lanes.properties.rules.items.properties.lane.anyOf[0],data:data68};
if(vErrors === null){
vErrors = [err221];
}
else {
vErrors.push(err221);
}
errors++;
}
if("high" !== data68){
const err222 = {instancePath:instancePath+"/upstream/lanes/rules/" + i3+"/lane",schemaPath:"#/properties/upstream/properties/lanes/properties/rules/items/properties/lane/anyOf/0/const",keyword:"const",params:{allowedValue: "high"},message:"must be equal to constant",schema:"high",parentSchema:schema11.properties.upstream.properties.lanes.properties.rules.items.properties.lane.anyOf[0],data:data68};
if(vErrors === null){
vErrors = [err222];
}
else {
vErrors.push(err222);
}
errors++;
}
var _valid4 = _errs155 === errors;
valid25 = valid25 || _valid4;
if(!valid25){
const _errs157 = errors;
if(typeof data68 !== "string"){
const err223 = {instancePath:instancePath+"/upstream/lanes/rules/" + i3+"/lane",schemaPath:"#/properties/upstream/properties/lanes/properties/rules/items/properties/lane/anyOf/1/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.upstream.properties.lanes.properties.rules.items.properties.lane.anyOf[1].type,parentSchema:schema11.properties.upstream.properties.lanes.properties.rules.items.properties.lane.anyOf[1],data:data68};
if(vErrors === null){
vErrors = [err223];
}
else {
vErrors.push(err223);
}
errors++;
}
if("normal" !== data68){
const err224 = {instancePath:instancePath+"/upstream/lanes/rules/" + i3+"/lane",schemaPath:"#/properties/upstream/properties/lanes/properties/rules/items/properties/lane/anyOf/1/const",keyword:"const",params:{allowedValue: "normal"},message:"must be equal to constant",schema:"normal",parentSchema:schema11.properties.upstream.properties.lanes.properties.rules.items.properties.lane.anyOf[1],data:data68};
if(vErrors === null){
vErrors = [err224];
}
else {
vErrors.push(err224);
}
errors++;
}
var _valid4 = _errs157 === errors;
valid25 = valid25 || _valid4;
if(!valid25){
const _errs159 = errors;
if(typeof data68 !== "string"){
const err225 = {instancePath:instancePath+"/upstream/lanes/rules/" + i3+"/lane",schemaPath:"#/properties/upstream/properties/lanes/properties/rules/items/properties/lane/anyOf/2/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.upstream.properties.lanes.properties.rules.items.properties.lane.anyOf[2].type,parentSchema:schema11.properties.upstream.properties.lanes.properties.rules.items.properties.lane.anyOf[2],data:data68};
if(vErrors === null){
vErrors = [err225];
}
else {
vErrors.push(err225);
}
errors++;
}
if("low" !== data68){
const err226 = {instancePath:instancePath+"/upstream/lanes/rules/" + i3+"/lane",schemaPath:"#/properties/upstream/properties/lanes/properties/rules/items/properties/lane/anyOf/2/const",keyword:"const",params:{allowedValue: "low"},message:"must be equal to constant",schema:"low",parentSchema:schema11.properties.upstream.properties.lanes.properties.rules.items.properties.lane.anyOf[2],data:data68};
if(vErrors === null){
vErrors = [err226];
}
else {
vErrors.push(err226);
}
errors++;
}
var _valid4 = _errs159 === errors;
valid25 = valid25 || _valid4;
}
}
if(!valid25){
const err227 = {instancePath:instancePath+"/upstream/lanes/rules/" + i3+"/lane",schemaPath:"#/properties/upstream/properties/lanes/properties/rules/items/properties/lane/anyOf",keyword:"anyOf",params:{},message:"must match a schema in anyOf",schema:schema11.properties.upstream.properties.lanes.properties.rules.items.properties.lane.anyOf,parentSchema:schema11.properties.upstream.properties.lanes.properties.rules.items.properties.lane,data:data68};
if(vErrors === null){
vErrors = [err227];
}
else {
vErrors.push(err227);
}
errors++;
}
else {
errors = _errs154;
if(vErrors !== null){
if(_errs154){
vErrors.length = _errs154;
}
else {
vErrors = null;
}
}
}
}
let data69 = data67.methods;
if(Array.isArray(data69)){
const len4 = data69.length;
for(let i4=0; i4<len4; i4++){
let data70 = data69[i4];
if(typeof data70 === "string"){
if(func5(data70) < 1){
const err228 = {instancePath:instancePath+"/upstream/lanes/rules/" + i3+"/methods/" + i4,schemaPath:"#/properties/upstream/properties/lanes/properties/rules/items/properties/methods/items/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.upstream.properties.lanes.properties.rules.items.properties.methods.items,data:data70};
if(vErrors === null){
vErrors = [err228];
}
else {
vErrors.push(err228);
}
errors++;
}
if(!pattern1.test(data70)){
const err229 = {instancePath:instancePath+"/upstream/lanes/rules/" + i3+"/methods/" + i4,schemaPath:"#/properties/upstream/properties/lanes/properties/rules/items/properties/methods/items/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z]+$"},message:"must match pattern \""+"^[A-Za-z]+$"+"\"",schema:"^[A-Za-z]+$",parentSchema:schema11.properties.upstream.properties.lanes.properties.rules.items.properties.methods.items,data:data70};
if(vErrors === null){
vErrors = [err229];
}
else {
vErrors.push(err229);
}
errors++;
}
}
else {
const err230 = {instancePath:instancePath+"/upstream/lanes/rules/" + i3+"/methods/" + i4,schemaPath:"#/properties/upstream/properties/lanes/properties/rules/items/properties/methods/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.upstream.properties.lanes.properties.rules.items.properties.methods.items.type,parentSchema:schema11.properties.upstream.properties.lanes.properties.rules.items.properties.methods.items,data:data70};
if(vErrors === null){
vErrors = [err230];
}
else {
vErrors.push(err230);
}
errors++;
}
}
}
else {
const err231 = {instancePath:instancePath+"/upstream/lanes/rules/" + i3+"/methods",schemaPath:"#/properties/upstream/properties/lanes/properties/rules/items/properties/methods/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.upstream.properties.lanes.properties.rules.items.properties.methods.type,parentSchema:schema11.properties.upstream.properties.lanes.properties.rules.items.properties.methods,data:data69};
if(vErrors === null){
vErrors = [err231];
}
else {
vErrors.push(err231);
}
errors++;
}
let data71 = data67.paths;
if(Array.isArray(data71)){
const len5 = data71.length;
for(let i5=0; i5<len5; i5++){
let data72 = data71[i5];
if(typeof data72 === "string"){
if(!pattern0.test(data72)){
const err232 = {instancePath:instancePath+"/upstream/lanes/rules/" + i3+"/paths/" + i5,schemaPath:"#/properties/upstream/properties/lanes/properties/rules/items/properties/paths/items/pattern",keyword:"pattern",params:{pattern: "^/"},message:"must match pattern \""+"^/"+"\"",schema:"^/",parentSchema:schema11.properties.upstream.properties.lanes.properties.rules.items.properties.paths.items,data:data72};
if(vErrors === null){
vErrors = [err232];
}
else {
vErrors.push(err232);
}
errors++;
}
}
else {
const err233 = {instancePath:instancePath+"/upstream/lanes/rules/" + i3+"/paths/" + i5,schemaPath:"#/properties/upstream/properties/lanes/properties/rules/items/properties/paths/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.upstream.properties.lanes.properties.rules.items.properties.paths.items.type,parentSchema:schema11.properties.upstream.properties.lanes.properties.rules.items.properties.paths.items,data:data72};
if(vErrors === null){
vErrors = [err233];
}
else {
vErrors.push(err233);
}
errors++;
}
}
}
else {
const err234 = {instancePath:instancePath+"/upstream/lanes/rules/" + i3+"/paths",schemaPath:"#/properties/upstream/properties/lanes/properties/rules/items/properties/paths/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.upstream.properties.lanes.properties.rules.items.properties.paths.type,parentSchema:schema11.properties.upstream.properties.lanes.properties.rules.items.properties.paths,data:data71};
if(vErrors === null){
vErrors = [err234];
}
else {
vErrors.push(err234);
}
errors++;
}
let data73 = data67.cookie;
if(typeof data73 !== "string"){
const err235 = {instancePath:instancePath+"/upstream/lanes/rules/" + i3+"/cookie",schemaPath:"#/properties/upstream/properties/lanes/properties/rules/items/properties/cookie/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.upstream.properties.lanes.properties.rules.items.properties.cookie.type,parentSchema:schema11.properties.upstream.properties.lanes.properties.rules.items.properties.cookie,data:data73};
if(vErrors === null){
vErrors = [err235];
}
else {
vErrors.push(err235);
}
errors++;
}
let data74 = data67.header;
if(typeof data74 !== "string"){
const err236 = {instancePath:instancePath+"/upstream/lanes/rules/" + i3+"/header",schemaPath:"#/properties/upstream/properties/lanes/properties/rules/items/properties/header/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.upstream.properties.lanes.properties.rules.items.properties.header.type,parentSchema:schema11.properties.upstream.properties.lanes.properties.rules.items.properties.header,data:data74};
if(vErrors === null){
vErrors = [err236];
}
else {
vErrors.push(err236);
}
errors++;
}
let data75 = data67.headerContains;
if(Array.isArray(data75)){
const len6 = data75.length;
for(let i6=0; i6<len6; i6++){
let data76 = data75[i6];
if(typeof data76 === "string"){
if(func5(data76) < 1){
const err237 = {instancePath:instancePath+"/upstream/lanes/rules/" + i3+"/headerContains/" + i6,schemaPath:"#/properties/upstream/properties/lanes/properties/rules/items/properties/headerContains/items/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.upstream.properties.lanes.properties.rules.items.properties.headerContains.items,data:data76};
if(vErrors === null){
vErrors = [err237];
}
else {
vErrors.push(err237);
}
errors++;
}
}
else {
const err238 = {instancePath:instancePath+"/upstream/lanes/rules/" + i3+"/headerContains/" + i6,schemaPath:"#/properties/upstream/properties/lanes/properties/rules/items/properties/headerContains/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.upstream.properties.lanes.properties.rules.items.properties.headerContains.items.type,parentSchema:schema11.properties.upstream.properties.lanes.properties.rules.items.properties.headerContains.items,data:data76};
if(vErrors === null){
vErrors = [err238];
}
else {
vErrors.push(err238);
}
errors++;
}
}
}
else {
const err239 = {instancePath:instancePath+"/upstream/lanes/rules/" + i3+"/headerContains",schemaPath:"#/properties/upstream/properties/lanes/properties/rules/items/properties/headerContains/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.upstream.properties.lanes.properties.rules.items.properties.headerContains.type,parentSchema:schema11.properties.upstream.properties.lanes.properties.rules.items.properties.headerContains,data:data75};
if(vErrors === null){
vErrors = [err239];
}
else {
vErrors.push(err239);
}
errors++;
}
let data77 = data67.field;
if(typeof data77 !== "string"){
const err240 = {instancePath:instancePath+"/upstream/lanes/rules/" + i3+"/field",schemaPath:"#/properties/upstream/properties/lanes/properties/rules/items/properties/field/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.upstream.properties.lanes.properties.rules.items.properties.field.type,parentSchema:schema11.properties.upstream.properties.lanes.properties.rules.items.properties.field,data:data77};
if(vErrors === null){
vErrors = [err240];
}
else {
vErrors.push(err240);
}
errors++;
}
let data78 = data67.fieldIn;
if(Array.isArray(data78)){
const len7 = data78.length;
for(let i7=0; i7<len7; i7++){
let data79 = data78[i7];
if(typeof data79 === "string"){
if(func5(data79) < 1){
const err241 = {instancePath:instancePath+"/upstream/lanes/rules/" + i3+"/fieldIn/" + i7,schemaPath:"#/properties/upstream/properties/lanes/properties/rules/items/properties/fieldIn/items/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.upstream.properties.lanes.properties.rules.items.properties.fieldIn.items,data:data79};
if(vErrors === null){
vErrors = [err241];
}
else {
vErrors.push(err241);
}
errors++;
}
}
else {
const err242 = {instancePath:instancePath+"/upstream/lanes/rules/" + i3+"/fieldIn/" + i7,schemaPath:"#/properties/upstream/properties/lanes/properties/rules/items/properties/fieldIn/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.upstream.properties.lanes.properties.rules.items.properties.fieldIn.items.type,parentSchema:schema11.properties.upstream.properties.lanes.properties.rules.items.properties.fieldIn.items,data:data79};
if(vErrors === null){
vErrors = [err242];
}
else {
vErrors.push(err242);
}
errors++;
}
}
}
else {
const err243 = {instancePath:instancePath+"/upstream/lanes/rules/" + i3+"/fieldIn",schemaPath:"#/properties/upstream/properties/lanes/properties/rules/items/properties/fieldIn/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.upstream.properties.lanes.properties.rules.items.properties.fieldIn.type,parentSchema:schema11.properties.upstream.properties.lanes.properties.rules.items.properties.fieldIn,data:data78};
if(vErrors === null){
vErrors = [err243];
}
else {
vErrors.push(err243);
}
errors++;
}
}
else {
const err244 = {instancePath:instancePath+"/upstream/lanes/rules/" + i3,schemaPath:"#/properties/upstream/properties/lanes/properties/rules/items/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.upstream.properties.lanes.properties.rules.items.type,parentSchema:schema11.properties.upstream.properties.lanes.properties.rules.items,data:data67};
if(vErrors === null){
vErrors = [err244];
}
else {
vErrors.push(err244);
}
errors++;
}
}
}
else {
const err245 = {instancePath:instancePath+"/upstream/lanes/rules",schemaPath:"#/properties/upstream/properties/lanes/properties/rules/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.upstream.properties.lanes.properties.rules.type,parentSchema:schema11.properties.upstream.properties.lanes.properties.rules,data:data66};
if(vErrors === null){
vErrors = [err245];
}
else {
vErrors.push(err245);
}
errors++;
}
}
else {
const err246 = {instancePath:instancePath+"/upstream/lanes",schemaPath:"#/properties/upstream/properties/lanes/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.upstream.properties.lanes.type,parentSchema:schema11.properties.upstream.properties.lanes,data:data60};
if(vErrors === null){
vErrors = [err246];
}
else {
vErrors.push(err246);
}
errors++;
}
let data80 = data43.busy;
if(data80 && typeof data80 == "object" && !Array.isArray(data80)){
if(data80.retryAfter === undefined){
data80.retryAfter = "5s";
}
if(data80.title === undefined){
data80.title = "The shop is busy";
}
if(data80.message === undefined){
data80.message = "Very many people are shopping right now. This page refreshes itself in a few seconds.";
}
if(data80.file === undefined){
data80.file = "";
}
if(data80.retryAfter === undefined){
const err247 = {instancePath:instancePath+"/upstream/busy",schemaPath:"#/properties/upstream/properties/busy/required",keyword:"required",params:{missingProperty: "retryAfter"},message:"must have required property '"+"retryAfter"+"'",schema:schema11.properties.upstream.properties.busy.required,parentSchema:schema11.properties.upstream.properties.busy,data:data80};
if(vErrors === null){
vErrors = [err247];
}
else {
vErrors.push(err247);
}
errors++;
}
if(data80.title === undefined){
const err248 = {instancePath:instancePath+"/upstream/busy",schemaPath:"#/properties/upstream/properties/busy/required",keyword:"required",params:{missingProperty: "title"},message:"must have required property '"+"title"+"'",schema:schema11.properties.upstream.properties.busy.required,parentSchema:schema11.properties.upstream.properties.busy,data:data80};
if(vErrors === null){
vErrors = [err248];
}
else {
vErrors.push(err248);
}
errors++;
}
if(data80.message === undefined){
const err249 = {instancePath:instancePath+"/upstream/busy",schemaPath:"#/properties/upstream/properties/busy/required",keyword:"required",params:{missingProperty: "message"},message:"must have required property '"+"message"+"'",schema:schema11.properties.upstream.properties.busy.required,parentSchema:schema11.properties.upstream.properties.busy,data:data80};
if(vErrors === null){
vErrors = [err249];
}
else {
vErrors.push(err249);
}
errors++;
}
if(data80.file === undefined){
const err250 = {instancePath:instancePath+"/upstream/busy",schemaPath:"#/properties/upstream/properties/busy/required",keyword:"required",params:{missingProperty: "file"},message:"must have required property '"+"file"+"'",schema:schema11.properties.upstream.properties.busy.required,parentSchema:schema11.properties.upstream.properties.busy,data:data80};
if(vErrors === null){
vErrors = [err250];
}
else {
vErrors.push(err250);
}
errors++;
}
for(const key13 in data80){
if(!((((key13 === "retryAfter") || (key13 === "title")) || (key13 === "message")) || (key13 === "file"))){
const err251 = {instancePath:instancePath+"/upstream/busy",schemaPath:"#/properties/upstream/properties/busy/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key13},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.upstream.properties.busy,data:data80};
if(vErrors === null){
vErrors = [err251];
}
else {
vErrors.push(err251);
}
errors++;
}
}
let data81 = data80.retryAfter;
const parsed15 = func7(data81);
if(parsed15 === undefined || parsed15 < 1000){
const err252 = {instancePath:instancePath+"/upstream/busy/retryAfter",schemaPath:"#/properties/upstream/properties/busy/properties/retryAfter/x-unit",keyword:"x-unit",params:{unit: "duration", value: data81, minimum: 1000},message:"unit",schema:"duration",parentSchema:schema11.properties.upstream.properties.busy.properties.retryAfter,data:data81};
if(vErrors === null){
vErrors = [err252];
}
else {
vErrors.push(err252);
}
errors++;
}
else {
if(data80){
data80["retryAfter"] = parsed15;
data81 = parsed15;
}
}
if(typeof data81 == "number"){
if(data81 < 1000 || isNaN(data81)){
const err253 = {instancePath:instancePath+"/upstream/busy/retryAfter",schemaPath:"#/properties/upstream/properties/busy/properties/retryAfter/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1000},message:"must be >= 1000",schema:1000,parentSchema:schema11.properties.upstream.properties.busy.properties.retryAfter,data:data81};
if(vErrors === null){
vErrors = [err253];
}
else {
vErrors.push(err253);
}
errors++;
}
}
let data82 = data80.title;
if(typeof data82 !== "string"){
const err254 = {instancePath:instancePath+"/upstream/busy/title",schemaPath:"#/properties/upstream/properties/busy/properties/title/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.upstream.properties.busy.properties.title.type,parentSchema:schema11.properties.upstream.properties.busy.properties.title,data:data82};
if(vErrors === null){
vErrors = [err254];
}
else {
vErrors.push(err254);
}
errors++;
}
let data83 = data80.message;
if(typeof data83 !== "string"){
const err255 = {instancePath:instancePath+"/upstream/busy/message",schemaPath:"#/properties/upstream/properties/busy/properties/message/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.upstream.properties.busy.properties.message.type,parentSchema:schema11.properties.upstream.properties.busy.properties.message,data:data83};
if(vErrors === null){
vErrors = [err255];
}
else {
vErrors.push(err255);
}
errors++;
}
let data84 = data80.file;
if(typeof data84 !== "string"){
const err256 = {instancePath:instancePath+"/upstream/busy/file",schemaPath:"#/properties/upstream/properties/busy/properties/file/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.upstream.properties.busy.properties.file.type,parentSchema:schema11.properties.upstream.properties.busy.properties.file,data:data84};
if(vErrors === null){
vErrors = [err256];
}
else {
vErrors.push(err256);
}
errors++;
}
}
else {
const err257 = {instancePath:instancePath+"/upstream/busy",schemaPath:"#/properties/upstream/properties/busy/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.upstream.properties.busy.type,parentSchema:schema11.properties.upstream.properties.busy,data:data80};
if(vErrors === null){
vErrors = [err257];
}
else {
vErrors.push(err257);
}
errors++;
}
let data85 = data43.preserveHost;
if(typeof data85 !== "boolean"){
const err258 = {instancePath:instancePath+"/upstream/preserveHost",schemaPath:"#/properties/upstream/properties/preserveHost/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema11.properties.upstream.properties.preserveHost.type,parentSchema:schema11.properties.upstream.properties.preserveHost,data:data85};
if(vErrors === null){
vErrors = [err258];
}
else {
vErrors.push(err258);
}
errors++;
}
}
else {
const err259 = {instancePath:instancePath+"/upstream",schemaPath:"#/properties/upstream/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.upstream.type,parentSchema:schema11.properties.upstream,data:data43};
if(vErrors === null){
vErrors = [err259];
}
else {
vErrors.push(err259);
}
errors++;
}
let data86 = data.proxy;
if(data86 && typeof data86 == "object" && !Array.isArray(data86)){
if(data86.xForwarded === undefined){
data86.xForwarded = true;
}
if(data86.forwardHost === undefined){
data86.forwardHost = false;
}
if(data86.dropRequestHeaders === undefined){
data86.dropRequestHeaders = ["x-original-url","x-rewrite-url","x-forwarded-scheme","x-forwarded-server","x-forwarded-port","x-forwarded-prefix","x-host","x-http-method-override","forwarded"];
}
if(data86.maxRequestBody === undefined){
data86.maxRequestBody = "100MB";
}
if(data86.requestBuffering === undefined){
data86.requestBuffering = true;
}
if(data86.streamPaths === undefined){
data86.streamPaths = [];
}
if(data86.bufferMemory === undefined){
data86.bufferMemory = "64KB";
}
if(data86.bufferDir === undefined){
data86.bufferDir = "";
}
if(data86.bodyTimeout === undefined){
data86.bodyTimeout = "10s";
}
if(data86.bodyMinRate === undefined){
data86.bodyMinRate = "1KB";
}
if(data86.maxUploadsPerIp === undefined){
data86.maxUploadsPerIp = 8;
}
if(data86.via === undefined){
data86.via = "";
}
if(data86.compression === undefined){
data86.compression = {};
}
if(data86.xForwarded === undefined){
const err260 = {instancePath:instancePath+"/proxy",schemaPath:"#/properties/proxy/required",keyword:"required",params:{missingProperty: "xForwarded"},message:"must have required property '"+"xForwarded"+"'",schema:schema11.properties.proxy.required,parentSchema:schema11.properties.proxy,data:data86};
if(vErrors === null){
vErrors = [err260];
}
else {
vErrors.push(err260);
}
errors++;
}
if(data86.forwardHost === undefined){
const err261 = {instancePath:instancePath+"/proxy",schemaPath:"#/properties/proxy/required",keyword:"required",params:{missingProperty: "forwardHost"},message:"must have required property '"+"forwardHost"+"'",schema:schema11.properties.proxy.required,parentSchema:schema11.properties.proxy,data:data86};
if(vErrors === null){
vErrors = [err261];
}
else {
vErrors.push(err261);
}
errors++;
}
if(data86.dropRequestHeaders === undefined){
const err262 = {instancePath:instancePath+"/proxy",schemaPath:"#/properties/proxy/required",keyword:"required",params:{missingProperty: "dropRequestHeaders"},message:"must have required property '"+"dropRequestHeaders"+"'",schema:schema11.properties.proxy.required,parentSchema:schema11.properties.proxy,data:data86};
if(vErrors === null){
vErrors = [err262];
}
else {
vErrors.push(err262);
}
errors++;
}
if(data86.maxRequestBody === undefined){
const err263 = {instancePath:instancePath+"/proxy",schemaPath:"#/properties/proxy/required",keyword:"required",params:{missingProperty: "maxRequestBody"},message:"must have required property '"+"maxRequestBody"+"'",schema:schema11.properties.proxy.required,parentSchema:schema11.properties.proxy,data:data86};
if(vErrors === null){
vErrors = [err263];
}
else {
vErrors.push(err263);
}
errors++;
}
if(data86.requestBuffering === undefined){
const err264 = {instancePath:instancePath+"/proxy",schemaPath:"#/properties/proxy/required",keyword:"required",params:{missingProperty: "requestBuffering"},message:"must have required property '"+"requestBuffering"+"'",schema:schema11.properties.proxy.required,parentSchema:schema11.properties.proxy,data:data86};
if(vErrors === null){
vErrors = [err264];
}
else {
vErrors.push(err264);
}
errors++;
}
if(data86.streamPaths === undefined){
const err265 = {instancePath:instancePath+"/proxy",schemaPath:"#/properties/proxy/required",keyword:"required",params:{missingProperty: "streamPaths"},message:"must have required property '"+"streamPaths"+"'",schema:schema11.properties.proxy.required,parentSchema:schema11.properties.proxy,data:data86};
if(vErrors === null){
vErrors = [err265];
}
else {
vErrors.push(err265);
}
errors++;
}
if(data86.bufferMemory === undefined){
const err266 = {instancePath:instancePath+"/proxy",schemaPath:"#/properties/proxy/required",keyword:"required",params:{missingProperty: "bufferMemory"},message:"must have required property '"+"bufferMemory"+"'",schema:schema11.properties.proxy.required,parentSchema:schema11.properties.proxy,data:data86};
if(vErrors === null){
vErrors = [err266];
}
else {
vErrors.push(err266);
}
errors++;
}
if(data86.bufferDir === undefined){
const err267 = {instancePath:instancePath+"/proxy",schemaPath:"#/properties/proxy/required",keyword:"required",params:{missingProperty: "bufferDir"},message:"must have required property '"+"bufferDir"+"'",schema:schema11.properties.proxy.required,parentSchema:schema11.properties.proxy,data:data86};
if(vErrors === null){
vErrors = [err267];
}
else {
vErrors.push(err267);
}
errors++;
}
if(data86.bodyTimeout === undefined){
const err268 = {instancePath:instancePath+"/proxy",schemaPath:"#/properties/proxy/required",keyword:"required",params:{missingProperty: "bodyTimeout"},message:"must have required property '"+"bodyTimeout"+"'",schema:schema11.properties.proxy.required,parentSchema:schema11.properties.proxy,data:data86};
if(vErrors === null){
vErrors = [err268];
}
else {
vErrors.push(err268);
}
errors++;
}
if(data86.bodyMinRate === undefined){
const err269 = {instancePath:instancePath+"/proxy",schemaPath:"#/properties/proxy/required",keyword:"required",params:{missingProperty: "bodyMinRate"},message:"must have required property '"+"bodyMinRate"+"'",schema:schema11.properties.proxy.required,parentSchema:schema11.properties.proxy,data:data86};
if(vErrors === null){
vErrors = [err269];
}
else {
vErrors.push(err269);
}
errors++;
}
if(data86.maxUploadsPerIp === undefined){
const err270 = {instancePath:instancePath+"/proxy",schemaPath:"#/properties/proxy/required",keyword:"required",params:{missingProperty: "maxUploadsPerIp"},message:"must have required property '"+"maxUploadsPerIp"+"'",schema:schema11.properties.proxy.required,parentSchema:schema11.properties.proxy,data:data86};
if(vErrors === null){
vErrors = [err270];
}
else {
vErrors.push(err270);
}
errors++;
}
if(data86.via === undefined){
const err271 = {instancePath:instancePath+"/proxy",schemaPath:"#/properties/proxy/required",keyword:"required",params:{missingProperty: "via"},message:"must have required property '"+"via"+"'",schema:schema11.properties.proxy.required,parentSchema:schema11.properties.proxy,data:data86};
if(vErrors === null){
vErrors = [err271];
}
else {
vErrors.push(err271);
}
errors++;
}
if(data86.compression === undefined){
const err272 = {instancePath:instancePath+"/proxy",schemaPath:"#/properties/proxy/required",keyword:"required",params:{missingProperty: "compression"},message:"must have required property '"+"compression"+"'",schema:schema11.properties.proxy.required,parentSchema:schema11.properties.proxy,data:data86};
if(vErrors === null){
vErrors = [err272];
}
else {
vErrors.push(err272);
}
errors++;
}
for(const key14 in data86){
if(!(func2.call(schema11.properties.proxy.properties, key14))){
const err273 = {instancePath:instancePath+"/proxy",schemaPath:"#/properties/proxy/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key14},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.proxy,data:data86};
if(vErrors === null){
vErrors = [err273];
}
else {
vErrors.push(err273);
}
errors++;
}
}
let data87 = data86.xForwarded;
if(typeof data87 !== "boolean"){
const err274 = {instancePath:instancePath+"/proxy/xForwarded",schemaPath:"#/properties/proxy/properties/xForwarded/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema11.properties.proxy.properties.xForwarded.type,parentSchema:schema11.properties.proxy.properties.xForwarded,data:data87};
if(vErrors === null){
vErrors = [err274];
}
else {
vErrors.push(err274);
}
errors++;
}
let data88 = data86.forwardHost;
if(typeof data88 !== "boolean"){
const err275 = {instancePath:instancePath+"/proxy/forwardHost",schemaPath:"#/properties/proxy/properties/forwardHost/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema11.properties.proxy.properties.forwardHost.type,parentSchema:schema11.properties.proxy.properties.forwardHost,data:data88};
if(vErrors === null){
vErrors = [err275];
}
else {
vErrors.push(err275);
}
errors++;
}
let data89 = data86.dropRequestHeaders;
if(Array.isArray(data89)){
const len8 = data89.length;
for(let i8=0; i8<len8; i8++){
let data90 = data89[i8];
if(typeof data90 === "string"){
if(func5(data90) < 1){
const err276 = {instancePath:instancePath+"/proxy/dropRequestHeaders/" + i8,schemaPath:"#/properties/proxy/properties/dropRequestHeaders/items/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.proxy.properties.dropRequestHeaders.items,data:data90};
if(vErrors === null){
vErrors = [err276];
}
else {
vErrors.push(err276);
}
errors++;
}
}
else {
const err277 = {instancePath:instancePath+"/proxy/dropRequestHeaders/" + i8,schemaPath:"#/properties/proxy/properties/dropRequestHeaders/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.proxy.properties.dropRequestHeaders.items.type,parentSchema:schema11.properties.proxy.properties.dropRequestHeaders.items,data:data90};
if(vErrors === null){
vErrors = [err277];
}
else {
vErrors.push(err277);
}
errors++;
}
}
}
else {
const err278 = {instancePath:instancePath+"/proxy/dropRequestHeaders",schemaPath:"#/properties/proxy/properties/dropRequestHeaders/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.proxy.properties.dropRequestHeaders.type,parentSchema:schema11.properties.proxy.properties.dropRequestHeaders,data:data89};
if(vErrors === null){
vErrors = [err278];
}
else {
vErrors.push(err278);
}
errors++;
}
let data91 = data86.maxRequestBody;
const parsed16 = func6(data91);
if(parsed16 === undefined){
const err279 = {instancePath:instancePath+"/proxy/maxRequestBody",schemaPath:"#/properties/proxy/properties/maxRequestBody/x-unit",keyword:"x-unit",params:{unit: "bytes", value: data91, minimum: undefined},message:"unit",schema:"bytes",parentSchema:schema11.properties.proxy.properties.maxRequestBody,data:data91};
if(vErrors === null){
vErrors = [err279];
}
else {
vErrors.push(err279);
}
errors++;
}
else {
if(data86){
data86["maxRequestBody"] = parsed16;
data91 = parsed16;
}
}
let data92 = data86.requestBuffering;
if(typeof data92 !== "boolean"){
const err280 = {instancePath:instancePath+"/proxy/requestBuffering",schemaPath:"#/properties/proxy/properties/requestBuffering/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema11.properties.proxy.properties.requestBuffering.type,parentSchema:schema11.properties.proxy.properties.requestBuffering,data:data92};
if(vErrors === null){
vErrors = [err280];
}
else {
vErrors.push(err280);
}
errors++;
}
let data93 = data86.streamPaths;
if(Array.isArray(data93)){
const len9 = data93.length;
for(let i9=0; i9<len9; i9++){
let data94 = data93[i9];
if(typeof data94 === "string"){
if(!pattern0.test(data94)){
const err281 = {instancePath:instancePath+"/proxy/streamPaths/" + i9,schemaPath:"#/properties/proxy/properties/streamPaths/items/pattern",keyword:"pattern",params:{pattern: "^/"},message:"must match pattern \""+"^/"+"\"",schema:"^/",parentSchema:schema11.properties.proxy.properties.streamPaths.items,data:data94};
if(vErrors === null){
vErrors = [err281];
}
else {
vErrors.push(err281);
}
errors++;
}
}
else {
const err282 = {instancePath:instancePath+"/proxy/streamPaths/" + i9,schemaPath:"#/properties/proxy/properties/streamPaths/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.proxy.properties.streamPaths.items.type,parentSchema:schema11.properties.proxy.properties.streamPaths.items,data:data94};
if(vErrors === null){
vErrors = [err282];
}
else {
vErrors.push(err282);
}
errors++;
}
}
}
else {
const err283 = {instancePath:instancePath+"/proxy/streamPaths",schemaPath:"#/properties/proxy/properties/streamPaths/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.proxy.properties.streamPaths.type,parentSchema:schema11.properties.proxy.properties.streamPaths,data:data93};
if(vErrors === null){
vErrors = [err283];
}
else {
vErrors.push(err283);
}
errors++;
}
let data95 = data86.bufferMemory;
const parsed17 = func6(data95);
if(parsed17 === undefined){
const err284 = {instancePath:instancePath+"/proxy/bufferMemory",schemaPath:"#/properties/proxy/properties/bufferMemory/x-unit",keyword:"x-unit",params:{unit: "bytes", value: data95, minimum: undefined},message:"unit",schema:"bytes",parentSchema:schema11.properties.proxy.properties.bufferMemory,data:data95};
if(vErrors === null){
vErrors = [err284];
}
else {
vErrors.push(err284);
}
errors++;
}
else {
if(data86){
data86["bufferMemory"] = parsed17;
data95 = parsed17;
}
}
let data96 = data86.bufferDir;
if(typeof data96 !== "string"){
const err285 = {instancePath:instancePath+"/proxy/bufferDir",schemaPath:"#/properties/proxy/properties/bufferDir/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.proxy.properties.bufferDir.type,parentSchema:schema11.properties.proxy.properties.bufferDir,data:data96};
if(vErrors === null){
vErrors = [err285];
}
else {
vErrors.push(err285);
}
errors++;
}
let data97 = data86.bodyTimeout;
const parsed18 = func7(data97);
if(parsed18 === undefined){
const err286 = {instancePath:instancePath+"/proxy/bodyTimeout",schemaPath:"#/properties/proxy/properties/bodyTimeout/x-unit",keyword:"x-unit",params:{unit: "duration", value: data97, minimum: undefined},message:"unit",schema:"duration",parentSchema:schema11.properties.proxy.properties.bodyTimeout,data:data97};
if(vErrors === null){
vErrors = [err286];
}
else {
vErrors.push(err286);
}
errors++;
}
else {
if(data86){
data86["bodyTimeout"] = parsed18;
data97 = parsed18;
}
}
let data98 = data86.bodyMinRate;
const parsed19 = func6(data98);
if(parsed19 === undefined){
const err287 = {instancePath:instancePath+"/proxy/bodyMinRate",schemaPath:"#/properties/proxy/properties/bodyMinRate/x-unit",keyword:"x-unit",params:{unit: "bytes", value: data98, minimum: undefined},message:"unit",schema:"bytes",parentSchema:schema11.properties.proxy.properties.bodyMinRate,data:data98};
if(vErrors === null){
vErrors = [err287];
}
else {
vErrors.push(err287);
}
errors++;
}
else {
if(data86){
data86["bodyMinRate"] = parsed19;
data98 = parsed19;
}
}
let data99 = data86.maxUploadsPerIp;
if(!((typeof data99 == "number") && (!(data99 % 1) && !isNaN(data99)))){
const err288 = {instancePath:instancePath+"/proxy/maxUploadsPerIp",schemaPath:"#/properties/proxy/properties/maxUploadsPerIp/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.proxy.properties.maxUploadsPerIp.type,parentSchema:schema11.properties.proxy.properties.maxUploadsPerIp,data:data99};
if(vErrors === null){
vErrors = [err288];
}
else {
vErrors.push(err288);
}
errors++;
}
if(typeof data99 == "number"){
if(data99 < 0 || isNaN(data99)){
const err289 = {instancePath:instancePath+"/proxy/maxUploadsPerIp",schemaPath:"#/properties/proxy/properties/maxUploadsPerIp/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0",schema:0,parentSchema:schema11.properties.proxy.properties.maxUploadsPerIp,data:data99};
if(vErrors === null){
vErrors = [err289];
}
else {
vErrors.push(err289);
}
errors++;
}
}
let data100 = data86.via;
if(typeof data100 !== "string"){
const err290 = {instancePath:instancePath+"/proxy/via",schemaPath:"#/properties/proxy/properties/via/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.proxy.properties.via.type,parentSchema:schema11.properties.proxy.properties.via,data:data100};
if(vErrors === null){
vErrors = [err290];
}
else {
vErrors.push(err290);
}
errors++;
}
let data101 = data86.compression;
if(data101 && typeof data101 == "object" && !Array.isArray(data101)){
if(data101.enabled === undefined){
data101.enabled = true;
}
if(data101.encodings === undefined){
data101.encodings = ["br","gzip"];
}
if(data101.minSize === undefined){
data101.minSize = "1KB";
}
if(data101.types === undefined){
data101.types = ["text/*","application/json","application/javascript","application/xml","image/svg+xml"];
}
if(data101.brotliQuality === undefined){
data101.brotliQuality = 2;
}
if(data101.brotliWindow === undefined){
data101.brotliWindow = 19;
}
if(data101.gzipLevel === undefined){
data101.gzipLevel = 2;
}
if(data101.gzipMemLevel === undefined){
data101.gzipMemLevel = 8;
}
if(data101.gzipWindowBits === undefined){
data101.gzipWindowBits = 15;
}
if(data101.memo === undefined){
data101.memo = {};
}
if(data101.enabled === undefined){
const err291 = {instancePath:instancePath+"/proxy/compression",schemaPath:"#/properties/proxy/properties/compression/required",keyword:"required",params:{missingProperty: "enabled"},message:"must have required property '"+"enabled"+"'",schema:schema11.properties.proxy.properties.compression.required,parentSchema:schema11.properties.proxy.properties.compression,data:data101};
if(vErrors === null){
vErrors = [err291];
}
else {
vErrors.push(err291);
}
errors++;
}
if(data101.encodings === undefined){
const err292 = {instancePath:instancePath+"/proxy/compression",schemaPath:"#/properties/proxy/properties/compression/required",keyword:"required",params:{missingProperty: "encodings"},message:"must have required property '"+"encodings"+"'",schema:schema11.properties.proxy.properties.compression.required,parentSchema:schema11.properties.proxy.properties.compression,data:data101};
if(vErrors === null){
vErrors = [err292];
}
else {
vErrors.push(err292);
}
errors++;
}
if(data101.minSize === undefined){
const err293 = {instancePath:instancePath+"/proxy/compression",schemaPath:"#/properties/proxy/properties/compression/required",keyword:"required",params:{missingProperty: "minSize"},message:"must have required property '"+"minSize"+"'",schema:schema11.properties.proxy.properties.compression.required,parentSchema:schema11.properties.proxy.properties.compression,data:data101};
if(vErrors === null){
vErrors = [err293];
}
else {
vErrors.push(err293);
}
errors++;
}
if(data101.types === undefined){
const err294 = {instancePath:instancePath+"/proxy/compression",schemaPath:"#/properties/proxy/properties/compression/required",keyword:"required",params:{missingProperty: "types"},message:"must have required property '"+"types"+"'",schema:schema11.properties.proxy.properties.compression.required,parentSchema:schema11.properties.proxy.properties.compression,data:data101};
if(vErrors === null){
vErrors = [err294];
}
else {
vErrors.push(err294);
}
errors++;
}
if(data101.brotliQuality === undefined){
const err295 = {instancePath:instancePath+"/proxy/compression",schemaPath:"#/properties/proxy/properties/compression/required",keyword:"required",params:{missingProperty: "brotliQuality"},message:"must have required property '"+"brotliQuality"+"'",schema:schema11.properties.proxy.properties.compression.required,parentSchema:schema11.properties.proxy.properties.compression,data:data101};
if(vErrors === null){
vErrors = [err295];
}
else {
vErrors.push(err295);
}
errors++;
}
if(data101.brotliWindow === undefined){
const err296 = {instancePath:instancePath+"/proxy/compression",schemaPath:"#/properties/proxy/properties/compression/required",keyword:"required",params:{missingProperty: "brotliWindow"},message:"must have required property '"+"brotliWindow"+"'",schema:schema11.properties.proxy.properties.compression.required,parentSchema:schema11.properties.proxy.properties.compression,data:data101};
if(vErrors === null){
vErrors = [err296];
}
else {
vErrors.push(err296);
}
errors++;
}
if(data101.gzipLevel === undefined){
const err297 = {instancePath:instancePath+"/proxy/compression",schemaPath:"#/properties/proxy/properties/compression/required",keyword:"required",params:{missingProperty: "gzipLevel"},message:"must have required property '"+"gzipLevel"+"'",schema:schema11.properties.proxy.properties.compression.required,parentSchema:schema11.properties.proxy.properties.compression,data:data101};
if(vErrors === null){
vErrors = [err297];
}
else {
vErrors.push(err297);
}
errors++;
}
if(data101.gzipMemLevel === undefined){
const err298 = {instancePath:instancePath+"/proxy/compression",schemaPath:"#/properties/proxy/properties/compression/required",keyword:"required",params:{missingProperty: "gzipMemLevel"},message:"must have required property '"+"gzipMemLevel"+"'",schema:schema11.properties.proxy.properties.compression.required,parentSchema:schema11.properties.proxy.properties.compression,data:data101};
if(vErrors === null){
vErrors = [err298];
}
else {
vErrors.push(err298);
}
errors++;
}
if(data101.gzipWindowBits === undefined){
const err299 = {instancePath:instancePath+"/proxy/compression",schemaPath:"#/properties/proxy/properties/compression/required",keyword:"required",params:{missingProperty: "gzipWindowBits"},message:"must have required property '"+"gzipWindowBits"+"'",schema:schema11.properties.proxy.properties.compression.required,parentSchema:schema11.properties.proxy.properties.compression,data:data101};
if(vErrors === null){
vErrors = [err299];
}
else {
vErrors.push(err299);
}
errors++;
}
if(data101.memo === undefined){
const err300 = {instancePath:instancePath+"/proxy/compression",schemaPath:"#/properties/proxy/properties/compression/required",keyword:"required",params:{missingProperty: "memo"},message:"must have required property '"+"memo"+"'",schema:schema11.properties.proxy.properties.compression.required,parentSchema:schema11.properties.proxy.properties.compression,data:data101};
if(vErrors === null){
vErrors = [err300];
}
else {
vErrors.push(err300);
}
errors++;
}
for(const key15 in data101){
if(!(func2.call(schema11.properties.proxy.properties.compression.properties, key15))){
const err301 = {instancePath:instancePath+"/proxy/compression",schemaPath:"#/properties/proxy/properties/compression/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key15},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.proxy.properties.compression,data:data101};
if(vErrors === null){
vErrors = [err301];
}
else {
vErrors.push(err301);
}
errors++;
}
}
let data102 = data101.enabled;
if(typeof data102 !== "boolean"){
const err302 = {instancePath:instancePath+"/proxy/compression/enabled",schemaPath:"#/properties/proxy/properties/compression/properties/enabled/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema11.properties.proxy.properties.compression.properties.enabled.type,parentSchema:schema11.properties.proxy.properties.compression.properties.enabled,data:data102};
if(vErrors === null){
vErrors = [err302];
}
else {
vErrors.push(err302);
}
errors++;
}
let data103 = data101.encodings;
if(Array.isArray(data103)){
const len10 = data103.length;
for(let i10=0; i10<len10; i10++){
let data104 = data103[i10];
const _errs230 = errors;
let valid43 = false;
const _errs231 = errors;
if(typeof data104 !== "string"){
const err303 = {instancePath:instancePath+"/proxy/compression/encodings/" + i10,schemaPath:"#/properties/proxy/properties/compression/properties/encodings/items/anyOf/0/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.proxy.properties.compression.properties.encodings.items.anyOf[0].type,parentSchema:schema11.properties.proxy.properties.compression.properties.encodings.items.anyOf[0],data:data104};
if(vErrors === null){
vErrors = [err303];
}
else {
vErrors.push(err303);
}
errors++;
}
if("br" !== data104){
const err304 = {instancePath:instancePath+"/proxy/compression/encodings/" + i10,schemaPath:"#/properties/proxy/properties/compression/properties/encodings/items/anyOf/0/const",keyword:"const",params:{allowedValue: "br"},message:"must be equal to constant",schema:"br",parentSchema:schema11.properties.proxy.properties.compression.properties.encodings.items.anyOf[0],data:data104};
if(vErrors === null){
vErrors = [err304];
}
else {
vErrors.push(err304);
}
errors++;
}
var _valid5 = _errs231 === errors;
valid43 = valid43 || _valid5;
if(!valid43){
const _errs233 = errors;
if(typeof data104 !== "string"){
const err305 = {instancePath:instancePath+"/proxy/compression/encodings/" + i10,schemaPath:"#/properties/proxy/properties/compression/properties/encodings/items/anyOf/1/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.proxy.properties.compression.properties.encodings.items.anyOf[1].type,parentSchema:schema11.properties.proxy.properties.compression.properties.encodings.items.anyOf[1],data:data104};
if(vErrors === null){
vErrors = [err305];
}
else {
vErrors.push(err305);
}
errors++;
}
if("gzip" !== data104){
const err306 = {instancePath:instancePath+"/proxy/compression/encodings/" + i10,schemaPath:"#/properties/proxy/properties/compression/properties/encodings/items/anyOf/1/const",keyword:"const",params:{allowedValue: "gzip"},message:"must be equal to constant",schema:"gzip",parentSchema:schema11.properties.proxy.properties.compression.properties.encodings.items.anyOf[1],data:data104};
if(vErrors === null){
vErrors = [err306];
}
else {
vErrors.push(err306);
}
errors++;
}
var _valid5 = _errs233 === errors;
valid43 = valid43 || _valid5;
}
if(!valid43){
const err307 = {instancePath:instancePath+"/proxy/compression/encodings/" + i10,schemaPath:"#/properties/proxy/properties/compression/properties/encodings/items/anyOf",keyword:"anyOf",params:{},message:"must match a schema in anyOf",schema:schema11.properties.proxy.properties.compression.properties.encodings.items.anyOf,parentSchema:schema11.properties.proxy.properties.compression.properties.encodings.items,data:data104};
if(vErrors === null){
vErrors = [err307];
}
else {
vErrors.push(err307);
}
errors++;
}
else {
errors = _errs230;
if(vErrors !== null){
if(_errs230){
vErrors.length = _errs230;
}
else {
vErrors = null;
}
}
}
}
let i11 = data103.length;
let j0;
if(i11 > 1){
outer0:
for(;i11--;){
for(j0 = i11; j0--;){
if(func0(data103[i11], data103[j0])){
const err308 = {instancePath:instancePath+"/proxy/compression/encodings",schemaPath:"#/properties/proxy/properties/compression/properties/encodings/uniqueItems",keyword:"uniqueItems",params:{i: i11, j: j0},message:"must NOT have duplicate items (items ## "+j0+" and "+i11+" are identical)",schema:true,parentSchema:schema11.properties.proxy.properties.compression.properties.encodings,data:data103};
if(vErrors === null){
vErrors = [err308];
}
else {
vErrors.push(err308);
}
errors++;
break outer0;
}
}
}
}
}
else {
const err309 = {instancePath:instancePath+"/proxy/compression/encodings",schemaPath:"#/properties/proxy/properties/compression/properties/encodings/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.proxy.properties.compression.properties.encodings.type,parentSchema:schema11.properties.proxy.properties.compression.properties.encodings,data:data103};
if(vErrors === null){
vErrors = [err309];
}
else {
vErrors.push(err309);
}
errors++;
}
let data105 = data101.minSize;
const parsed20 = func6(data105);
if(parsed20 === undefined){
const err310 = {instancePath:instancePath+"/proxy/compression/minSize",schemaPath:"#/properties/proxy/properties/compression/properties/minSize/x-unit",keyword:"x-unit",params:{unit: "bytes", value: data105, minimum: undefined},message:"unit",schema:"bytes",parentSchema:schema11.properties.proxy.properties.compression.properties.minSize,data:data105};
if(vErrors === null){
vErrors = [err310];
}
else {
vErrors.push(err310);
}
errors++;
}
else {
if(data101){
data101["minSize"] = parsed20;
data105 = parsed20;
}
}
let data106 = data101.types;
if(Array.isArray(data106)){
const len11 = data106.length;
for(let i12=0; i12<len11; i12++){
let data107 = data106[i12];
if(typeof data107 === "string"){
if(func5(data107) < 1){
const err311 = {instancePath:instancePath+"/proxy/compression/types/" + i12,schemaPath:"#/properties/proxy/properties/compression/properties/types/items/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.proxy.properties.compression.properties.types.items,data:data107};
if(vErrors === null){
vErrors = [err311];
}
else {
vErrors.push(err311);
}
errors++;
}
}
else {
const err312 = {instancePath:instancePath+"/proxy/compression/types/" + i12,schemaPath:"#/properties/proxy/properties/compression/properties/types/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.proxy.properties.compression.properties.types.items.type,parentSchema:schema11.properties.proxy.properties.compression.properties.types.items,data:data107};
if(vErrors === null){
vErrors = [err312];
}
else {
vErrors.push(err312);
}
errors++;
}
}
}
else {
const err313 = {instancePath:instancePath+"/proxy/compression/types",schemaPath:"#/properties/proxy/properties/compression/properties/types/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.proxy.properties.compression.properties.types.type,parentSchema:schema11.properties.proxy.properties.compression.properties.types,data:data106};
if(vErrors === null){
vErrors = [err313];
}
else {
vErrors.push(err313);
}
errors++;
}
let data108 = data101.brotliQuality;
if(!((typeof data108 == "number") && (!(data108 % 1) && !isNaN(data108)))){
const err314 = {instancePath:instancePath+"/proxy/compression/brotliQuality",schemaPath:"#/properties/proxy/properties/compression/properties/brotliQuality/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.proxy.properties.compression.properties.brotliQuality.type,parentSchema:schema11.properties.proxy.properties.compression.properties.brotliQuality,data:data108};
if(vErrors === null){
vErrors = [err314];
}
else {
vErrors.push(err314);
}
errors++;
}
if(typeof data108 == "number"){
if(data108 > 11 || isNaN(data108)){
const err315 = {instancePath:instancePath+"/proxy/compression/brotliQuality",schemaPath:"#/properties/proxy/properties/compression/properties/brotliQuality/maximum",keyword:"maximum",params:{comparison: "<=", limit: 11},message:"must be <= 11",schema:11,parentSchema:schema11.properties.proxy.properties.compression.properties.brotliQuality,data:data108};
if(vErrors === null){
vErrors = [err315];
}
else {
vErrors.push(err315);
}
errors++;
}
if(data108 < 0 || isNaN(data108)){
const err316 = {instancePath:instancePath+"/proxy/compression/brotliQuality",schemaPath:"#/properties/proxy/properties/compression/properties/brotliQuality/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0",schema:0,parentSchema:schema11.properties.proxy.properties.compression.properties.brotliQuality,data:data108};
if(vErrors === null){
vErrors = [err316];
}
else {
vErrors.push(err316);
}
errors++;
}
}
let data109 = data101.brotliWindow;
if(!((typeof data109 == "number") && (!(data109 % 1) && !isNaN(data109)))){
const err317 = {instancePath:instancePath+"/proxy/compression/brotliWindow",schemaPath:"#/properties/proxy/properties/compression/properties/brotliWindow/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.proxy.properties.compression.properties.brotliWindow.type,parentSchema:schema11.properties.proxy.properties.compression.properties.brotliWindow,data:data109};
if(vErrors === null){
vErrors = [err317];
}
else {
vErrors.push(err317);
}
errors++;
}
if(typeof data109 == "number"){
if(data109 > 24 || isNaN(data109)){
const err318 = {instancePath:instancePath+"/proxy/compression/brotliWindow",schemaPath:"#/properties/proxy/properties/compression/properties/brotliWindow/maximum",keyword:"maximum",params:{comparison: "<=", limit: 24},message:"must be <= 24",schema:24,parentSchema:schema11.properties.proxy.properties.compression.properties.brotliWindow,data:data109};
if(vErrors === null){
vErrors = [err318];
}
else {
vErrors.push(err318);
}
errors++;
}
if(data109 < 10 || isNaN(data109)){
const err319 = {instancePath:instancePath+"/proxy/compression/brotliWindow",schemaPath:"#/properties/proxy/properties/compression/properties/brotliWindow/minimum",keyword:"minimum",params:{comparison: ">=", limit: 10},message:"must be >= 10",schema:10,parentSchema:schema11.properties.proxy.properties.compression.properties.brotliWindow,data:data109};
if(vErrors === null){
vErrors = [err319];
}
else {
vErrors.push(err319);
}
errors++;
}
}
let data110 = data101.gzipLevel;
if(!((typeof data110 == "number") && (!(data110 % 1) && !isNaN(data110)))){
const err320 = {instancePath:instancePath+"/proxy/compression/gzipLevel",schemaPath:"#/properties/proxy/properties/compression/properties/gzipLevel/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.proxy.properties.compression.properties.gzipLevel.type,parentSchema:schema11.properties.proxy.properties.compression.properties.gzipLevel,data:data110};
if(vErrors === null){
vErrors = [err320];
}
else {
vErrors.push(err320);
}
errors++;
}
if(typeof data110 == "number"){
if(data110 > 9 || isNaN(data110)){
const err321 = {instancePath:instancePath+"/proxy/compression/gzipLevel",schemaPath:"#/properties/proxy/properties/compression/properties/gzipLevel/maximum",keyword:"maximum",params:{comparison: "<=", limit: 9},message:"must be <= 9",schema:9,parentSchema:schema11.properties.proxy.properties.compression.properties.gzipLevel,data:data110};
if(vErrors === null){
vErrors = [err321];
}
else {
vErrors.push(err321);
}
errors++;
}
if(data110 < 1 || isNaN(data110)){
const err322 = {instancePath:instancePath+"/proxy/compression/gzipLevel",schemaPath:"#/properties/proxy/properties/compression/properties/gzipLevel/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema11.properties.proxy.properties.compression.properties.gzipLevel,data:data110};
if(vErrors === null){
vErrors = [err322];
}
else {
vErrors.push(err322);
}
errors++;
}
}
let data111 = data101.gzipMemLevel;
if(!((typeof data111 == "number") && (!(data111 % 1) && !isNaN(data111)))){
const err323 = {instancePath:instancePath+"/proxy/compression/gzipMemLevel",schemaPath:"#/properties/proxy/properties/compression/properties/gzipMemLevel/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.proxy.properties.compression.properties.gzipMemLevel.type,parentSchema:schema11.properties.proxy.properties.compression.properties.gzipMemLevel,data:data111};
if(vErrors === null){
vErrors = [err323];
}
else {
vErrors.push(err323);
}
errors++;
}
if(typeof data111 == "number"){
if(data111 > 9 || isNaN(data111)){
const err324 = {instancePath:instancePath+"/proxy/compression/gzipMemLevel",schemaPath:"#/properties/proxy/properties/compression/properties/gzipMemLevel/maximum",keyword:"maximum",params:{comparison: "<=", limit: 9},message:"must be <= 9",schema:9,parentSchema:schema11.properties.proxy.properties.compression.properties.gzipMemLevel,data:data111};
if(vErrors === null){
vErrors = [err324];
}
else {
vErrors.push(err324);
}
errors++;
}
if(data111 < 1 || isNaN(data111)){
const err325 = {instancePath:instancePath+"/proxy/compression/gzipMemLevel",schemaPath:"#/properties/proxy/properties/compression/properties/gzipMemLevel/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema11.properties.proxy.properties.compression.properties.gzipMemLevel,data:data111};
if(vErrors === null){
vErrors = [err325];
}
else {
vErrors.push(err325);
}
errors++;
}
}
let data112 = data101.gzipWindowBits;
if(!((typeof data112 == "number") && (!(data112 % 1) && !isNaN(data112)))){
const err326 = {instancePath:instancePath+"/proxy/compression/gzipWindowBits",schemaPath:"#/properties/proxy/properties/compression/properties/gzipWindowBits/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.proxy.properties.compression.properties.gzipWindowBits.type,parentSchema:schema11.properties.proxy.properties.compression.properties.gzipWindowBits,data:data112};
if(vErrors === null){
vErrors = [err326];
}
else {
vErrors.push(err326);
}
errors++;
}
if(typeof data112 == "number"){
if(data112 > 15 || isNaN(data112)){
const err327 = {instancePath:instancePath+"/proxy/compression/gzipWindowBits",schemaPath:"#/properties/proxy/properties/compression/properties/gzipWindowBits/maximum",keyword:"maximum",params:{comparison: "<=", limit: 15},message:"must be <= 15",schema:15,parentSchema:schema11.properties.proxy.properties.compression.properties.gzipWindowBits,data:data112};
if(vErrors === null){
vErrors = [err327];
}
else {
vErrors.push(err327);
}
errors++;
}
if(data112 < 9 || isNaN(data112)){
const err328 = {instancePath:instancePath+"/proxy/compression/gzipWindowBits",schemaPath:"#/properties/proxy/properties/compression/properties/gzipWindowBits/minimum",keyword:"minimum",params:{comparison: ">=", limit: 9},message:"must be >= 9",schema:9,parentSchema:schema11.properties.proxy.properties.compression.properties.gzipWindowBits,data:data112};
if(vErrors === null){
vErrors = [err328];
}
else {
vErrors.push(err328);
}
errors++;
}
}
let data113 = data101.memo;
if(data113 && typeof data113 == "object" && !Array.isArray(data113)){
if(data113.enabled === undefined){
data113.enabled = true;
}
if(data113.entries === undefined){
data113.entries = 256;
}
if(data113.maxBytes === undefined){
data113.maxBytes = "8MB";
}
if(data113.enabled === undefined){
const err329 = {instancePath:instancePath+"/proxy/compression/memo",schemaPath:"#/properties/proxy/properties/compression/properties/memo/required",keyword:"required",params:{missingProperty: "enabled"},message:"must have required property '"+"enabled"+"'",schema:schema11.properties.proxy.properties.compression.properties.memo.required,parentSchema:schema11.properties.proxy.properties.compression.properties.memo,data:data113};
if(vErrors === null){
vErrors = [err329];
}
else {
vErrors.push(err329);
}
errors++;
}
if(data113.entries === undefined){
const err330 = {instancePath:instancePath+"/proxy/compression/memo",schemaPath:"#/properties/proxy/properties/compression/properties/memo/required",keyword:"required",params:{missingProperty: "entries"},message:"must have required property '"+"entries"+"'",schema:schema11.properties.proxy.properties.compression.properties.memo.required,parentSchema:schema11.properties.proxy.properties.compression.properties.memo,data:data113};
if(vErrors === null){
vErrors = [err330];
}
else {
vErrors.push(err330);
}
errors++;
}
if(data113.maxBytes === undefined){
const err331 = {instancePath:instancePath+"/proxy/compression/memo",schemaPath:"#/properties/proxy/properties/compression/properties/memo/required",keyword:"required",params:{missingProperty: "maxBytes"},message:"must have required property '"+"maxBytes"+"'",schema:schema11.properties.proxy.properties.compression.properties.memo.required,parentSchema:schema11.properties.proxy.properties.compression.properties.memo,data:data113};
if(vErrors === null){
vErrors = [err331];
}
else {
vErrors.push(err331);
}
errors++;
}
for(const key16 in data113){
if(!(((key16 === "enabled") || (key16 === "entries")) || (key16 === "maxBytes"))){
const err332 = {instancePath:instancePath+"/proxy/compression/memo",schemaPath:"#/properties/proxy/properties/compression/properties/memo/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key16},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.proxy.properties.compression.properties.memo,data:data113};
if(vErrors === null){
vErrors = [err332];
}
else {
vErrors.push(err332);
}
errors++;
}
}
let data114 = data113.enabled;
if(typeof data114 !== "boolean"){
const err333 = {instancePath:instancePath+"/proxy/compression/memo/enabled",schemaPath:"#/properties/proxy/properties/compression/properties/memo/properties/enabled/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema11.properties.proxy.properties.compression.properties.memo.properties.enabled.type,parentSchema:schema11.properties.proxy.properties.compression.properties.memo.properties.enabled,data:data114};
if(vErrors === null){
vErrors = [err333];
}
else {
vErrors.push(err333);
}
errors++;
}
let data115 = data113.entries;
if(!((typeof data115 == "number") && (!(data115 % 1) && !isNaN(data115)))){
const err334 = {instancePath:instancePath+"/proxy/compression/memo/entries",schemaPath:"#/properties/proxy/properties/compression/properties/memo/properties/entries/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.proxy.properties.compression.properties.memo.properties.entries.type,parentSchema:schema11.properties.proxy.properties.compression.properties.memo.properties.entries,data:data115};
if(vErrors === null){
vErrors = [err334];
}
else {
vErrors.push(err334);
}
errors++;
}
if(typeof data115 == "number"){
if(data115 < 1 || isNaN(data115)){
const err335 = {instancePath:instancePath+"/proxy/compression/memo/entries",schemaPath:"#/properties/proxy/properties/compression/properties/memo/properties/entries/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema11.properties.proxy.properties.compression.properties.memo.properties.entries,data:data115};
if(vErrors === null){
vErrors = [err335];
}
else {
vErrors.push(err335);
}
errors++;
}
}
let data116 = data113.maxBytes;
const parsed21 = func6(data116);
if(parsed21 === undefined){
const err336 = {instancePath:instancePath+"/proxy/compression/memo/maxBytes",schemaPath:"#/properties/proxy/properties/compression/properties/memo/properties/maxBytes/x-unit",keyword:"x-unit",params:{unit: "bytes", value: data116, minimum: undefined},message:"unit",schema:"bytes",parentSchema:schema11.properties.proxy.properties.compression.properties.memo.properties.maxBytes,data:data116};
if(vErrors === null){
vErrors = [err336];
}
else {
vErrors.push(err336);
}
errors++;
}
else {
if(data113){
data113["maxBytes"] = parsed21;
data116 = parsed21;
}
}
}
else {
const err337 = {instancePath:instancePath+"/proxy/compression/memo",schemaPath:"#/properties/proxy/properties/compression/properties/memo/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.proxy.properties.compression.properties.memo.type,parentSchema:schema11.properties.proxy.properties.compression.properties.memo,data:data113};
if(vErrors === null){
vErrors = [err337];
}
else {
vErrors.push(err337);
}
errors++;
}
}
else {
const err338 = {instancePath:instancePath+"/proxy/compression",schemaPath:"#/properties/proxy/properties/compression/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.proxy.properties.compression.type,parentSchema:schema11.properties.proxy.properties.compression,data:data101};
if(vErrors === null){
vErrors = [err338];
}
else {
vErrors.push(err338);
}
errors++;
}
}
else {
const err339 = {instancePath:instancePath+"/proxy",schemaPath:"#/properties/proxy/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.proxy.type,parentSchema:schema11.properties.proxy,data:data86};
if(vErrors === null){
vErrors = [err339];
}
else {
vErrors.push(err339);
}
errors++;
}
let data117 = data.origin;
if(data117 && typeof data117 == "object" && !Array.isArray(data117)){
if(data117.caseInsensitivePaths === undefined){
data117.caseInsensitivePaths = false;
}
if(data117.pathInfo === undefined){
data117.pathInfo = true;
}
if(data117.caseInsensitivePaths === undefined){
const err340 = {instancePath:instancePath+"/origin",schemaPath:"#/properties/origin/required",keyword:"required",params:{missingProperty: "caseInsensitivePaths"},message:"must have required property '"+"caseInsensitivePaths"+"'",schema:schema11.properties.origin.required,parentSchema:schema11.properties.origin,data:data117};
if(vErrors === null){
vErrors = [err340];
}
else {
vErrors.push(err340);
}
errors++;
}
if(data117.pathInfo === undefined){
const err341 = {instancePath:instancePath+"/origin",schemaPath:"#/properties/origin/required",keyword:"required",params:{missingProperty: "pathInfo"},message:"must have required property '"+"pathInfo"+"'",schema:schema11.properties.origin.required,parentSchema:schema11.properties.origin,data:data117};
if(vErrors === null){
vErrors = [err341];
}
else {
vErrors.push(err341);
}
errors++;
}
for(const key17 in data117){
if(!((key17 === "caseInsensitivePaths") || (key17 === "pathInfo"))){
const err342 = {instancePath:instancePath+"/origin",schemaPath:"#/properties/origin/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key17},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.origin,data:data117};
if(vErrors === null){
vErrors = [err342];
}
else {
vErrors.push(err342);
}
errors++;
}
}
let data118 = data117.caseInsensitivePaths;
if(typeof data118 !== "boolean"){
const err343 = {instancePath:instancePath+"/origin/caseInsensitivePaths",schemaPath:"#/properties/origin/properties/caseInsensitivePaths/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema11.properties.origin.properties.caseInsensitivePaths.type,parentSchema:schema11.properties.origin.properties.caseInsensitivePaths,data:data118};
if(vErrors === null){
vErrors = [err343];
}
else {
vErrors.push(err343);
}
errors++;
}
let data119 = data117.pathInfo;
if(typeof data119 !== "boolean"){
const err344 = {instancePath:instancePath+"/origin/pathInfo",schemaPath:"#/properties/origin/properties/pathInfo/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema11.properties.origin.properties.pathInfo.type,parentSchema:schema11.properties.origin.properties.pathInfo,data:data119};
if(vErrors === null){
vErrors = [err344];
}
else {
vErrors.push(err344);
}
errors++;
}
}
else {
const err345 = {instancePath:instancePath+"/origin",schemaPath:"#/properties/origin/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.origin.type,parentSchema:schema11.properties.origin,data:data117};
if(vErrors === null){
vErrors = [err345];
}
else {
vErrors.push(err345);
}
errors++;
}
let data120 = data.log;
if(data120 && typeof data120 == "object" && !Array.isArray(data120)){
if(data120.level === undefined){
data120.level = "info";
}
if(data120.requests === undefined){
data120.requests = true;
}
if(data120.query === undefined){
data120.query = "none";
}
if(data120.redactQuery === undefined){
data120.redactQuery = ["token","access_token","refresh_token","id_token","auth","password","passwd","pass","pwd","secret","client_secret","key","api_key","apikey","signature","sig","hash","code","otp","session","sid","phpsessid","reset","nonce"];
}
if(data120.level === undefined){
const err346 = {instancePath:instancePath+"/log",schemaPath:"#/properties/log/required",keyword:"required",params:{missingProperty: "level"},message:"must have required property '"+"level"+"'",schema:schema11.properties.log.required,parentSchema:schema11.properties.log,data:data120};
if(vErrors === null){
vErrors = [err346];
}
else {
vErrors.push(err346);
}
errors++;
}
if(data120.requests === undefined){
const err347 = {instancePath:instancePath+"/log",schemaPath:"#/properties/log/required",keyword:"required",params:{missingProperty: "requests"},message:"must have required property '"+"requests"+"'",schema:schema11.properties.log.required,parentSchema:schema11.properties.log,data:data120};
if(vErrors === null){
vErrors = [err347];
}
else {
vErrors.push(err347);
}
errors++;
}
if(data120.query === undefined){
const err348 = {instancePath:instancePath+"/log",schemaPath:"#/properties/log/required",keyword:"required",params:{missingProperty: "query"},message:"must have required property '"+"query"+"'",schema:schema11.properties.log.required,parentSchema:schema11.properties.log,data:data120};
if(vErrors === null){
vErrors = [err348];
}
else {
vErrors.push(err348);
}
errors++;
}
if(data120.redactQuery === undefined){
const err349 = {instancePath:instancePath+"/log",schemaPath:"#/properties/log/required",keyword:"required",params:{missingProperty: "redactQuery"},message:"must have required property '"+"redactQuery"+"'",schema:schema11.properties.log.required,parentSchema:schema11.properties.log,data:data120};
if(vErrors === null){
vErrors = [err349];
}
else {
vErrors.push(err349);
}
errors++;
}
for(const key18 in data120){
if(!((((key18 === "level") || (key18 === "requests")) || (key18 === "query")) || (key18 === "redactQuery"))){
const err350 = {instancePath:instancePath+"/log",schemaPath:"#/properties/log/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key18},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.log,data:data120};
if(vErrors === null){
vErrors = [err350];
}
else {
vErrors.push(err350);
}
errors++;
}
}
let data121 = data120.level;
const _errs269 = errors;
let valid50 = false;
const _errs270 = errors;
if(typeof data121 !== "string"){
const err351 = {instancePath:instancePath+"/log/level",schemaPath:"#/properties/log/properties/level/anyOf/0/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.log.properties.level.anyOf[0].type,parentSchema:schema11.properties.log.properties.level.anyOf[0],data:data121};
if(vErrors === null){
vErrors = [err351];
}
else {
vErrors.push(err351);
}
errors++;
}
if("fatal" !== data121){
const err352 = {instancePath:instancePath+"/log/level",schemaPath:"#/properties/log/properties/level/anyOf/0/const",keyword:"const",params:{allowedValue: "fatal"},message:"must be equal to constant",schema:"fatal",parentSchema:schema11.properties.log.properties.level.anyOf[0],data:data121};
if(vErrors === null){
vErrors = [err352];
}
else {
vErrors.push(err352);
}
errors++;
}
var _valid6 = _errs270 === errors;
valid50 = valid50 || _valid6;
if(!valid50){
const _errs272 = errors;
if(typeof data121 !== "string"){
const err353 = {instancePath:instancePath+"/log/level",schemaPath:"#/properties/log/properties/level/anyOf/1/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.log.properties.level.anyOf[1].type,parentSchema:schema11.properties.log.properties.level.anyOf[1],data:data121};
if(vErrors === null){
vErrors = [err353];
}
else {
vErrors.push(err353);
}
errors++;
}
if("error" !== data121){
const err354 = {instancePath:instancePath+"/log/level",schemaPath:"#/properties/log/properties/level/anyOf/1/const",keyword:"const",params:{allowedValue: "error"},message:"must be equal to constant",schema:"error",parentSchema:schema11.properties.log.properties.level.anyOf[1],data:data121};
if(vErrors === null){
vErrors = [err354];
}
else {
vErrors.push(err354);
}
errors++;
}
var _valid6 = _errs272 === errors;
valid50 = valid50 || _valid6;
if(!valid50){
const _errs274 = errors;
if(typeof data121 !== "string"){
const err355 = {instancePath:instancePath+"/log/level",schemaPath:"#/properties/log/properties/level/anyOf/2/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.log.properties.level.anyOf[2].type,parentSchema:schema11.properties.log.properties.level.anyOf[2],data:data121};
if(vErrors === null){
vErrors = [err355];
}
else {
vErrors.push(err355);
}
errors++;
}
if("warn" !== data121){
const err356 = {instancePath:instancePath+"/log/level",schemaPath:"#/properties/log/properties/level/anyOf/2/const",keyword:"const",params:{allowedValue: "warn"},message:"must be equal to constant",schema:"warn",parentSchema:schema11.properties.log.properties.level.anyOf[2],data:data121};
if(vErrors === null){
vErrors = [err356];
}
else {
vErrors.push(err356);
}
errors++;
}
var _valid6 = _errs274 === errors;
valid50 = valid50 || _valid6;
if(!valid50){
const _errs276 = errors;
if(typeof data121 !== "string"){
const err357 = {instancePath:instancePath+"/log/level",schemaPath:"#/properties/log/properties/level/anyOf/3/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.log.properties.level.anyOf[3].type,parentSchema:schema11.properties.log.properties.level.anyOf[3],data:data121};
if(vErrors === null){
vErrors = [err357];
}
else {
vErrors.push(err357);
}
errors++;
}
if("info" !== data121){
const err358 = {instancePath:instancePath+"/log/level",schemaPath:"#/properties/log/properties/level/anyOf/3/const",keyword:"const",params:{allowedValue: "info"},message:"must be equal to constant",schema:"info",parentSchema:schema11.properties.log.properties.level.anyOf[3],data:data121};
if(vErrors === null){
vErrors = [err358];
}
else {
vErrors.push(err358);
}
errors++;
}
var _valid6 = _errs276 === errors;
valid50 = valid50 || _valid6;
if(!valid50){
const _errs278 = errors;
if(typeof data121 !== "string"){
const err359 = {instancePath:instancePath+"/log/level",schemaPath:"#/properties/log/properties/level/anyOf/4/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.log.properties.level.anyOf[4].type,parentSchema:schema11.properties.log.properties.level.anyOf[4],data:data121};
if(vErrors === null){
vErrors = [err359];
}
else {
vErrors.push(err359);
}
errors++;
}
if("debug" !== data121){
const err360 = {instancePath:instancePath+"/log/level",schemaPath:"#/properties/log/properties/level/anyOf/4/const",keyword:"const",params:{allowedValue: "debug"},message:"must be equal to constant",schema:"debug",parentSchema:schema11.properties.log.properties.level.anyOf[4],data:data121};
if(vErrors === null){
vErrors = [err360];
}
else {
vErrors.push(err360);
}
errors++;
}
var _valid6 = _errs278 === errors;
valid50 = valid50 || _valid6;
if(!valid50){
const _errs280 = errors;
if(typeof data121 !== "string"){
const err361 = {instancePath:instancePath+"/log/level",schemaPath:"#/properties/log/properties/level/anyOf/5/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.log.properties.level.anyOf[5].type,parentSchema:schema11.properties.log.properties.level.anyOf[5],data:data121};
if(vErrors === null){
vErrors = [err361];
}
else {
vErrors.push(err361);
}
errors++;
}
if("trace" !== data121){
const err362 = {instancePath:instancePath+"/log/level",schemaPath:"#/properties/log/properties/level/anyOf/5/const",keyword:"const",params:{allowedValue: "trace"},message:"must be equal to constant",schema:"trace",parentSchema:schema11.properties.log.properties.level.anyOf[5],data:data121};
if(vErrors === null){
vErrors = [err362];
}
else {
vErrors.push(err362);
}
errors++;
}
var _valid6 = _errs280 === errors;
valid50 = valid50 || _valid6;
if(!valid50){
const _errs282 = errors;
if(typeof data121 !== "string"){
const err363 = {instancePath:instancePath+"/log/level",schemaPath:"#/properties/log/properties/level/anyOf/6/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.log.properties.level.anyOf[6].type,parentSchema:schema11.properties.log.properties.level.anyOf[6],data:data121};
if(vErrors === null){
vErrors = [err363];
}
else {
vErrors.push(err363);
}
errors++;
}
if("silent" !== data121){
const err364 = {instancePath:instancePath+"/log/level",schemaPath:"#/properties/log/properties/level/anyOf/6/const",keyword:"const",params:{allowedValue: "silent"},message:"must be equal to constant",schema:"silent",parentSchema:schema11.properties.log.properties.level.anyOf[6],data:data121};
if(vErrors === null){
vErrors = [err364];
}
else {
vErrors.push(err364);
}
errors++;
}
var _valid6 = _errs282 === errors;
valid50 = valid50 || _valid6;
}
}
}
}
}
}
if(!valid50){
const err365 = {instancePath:instancePath+"/log/level",schemaPath:"#/properties/log/properties/level/anyOf",keyword:"anyOf",params:{},message:"must match a schema in anyOf",schema:schema11.properties.log.properties.level.anyOf,parentSchema:schema11.properties.log.properties.level,data:data121};
if(vErrors === null){
vErrors = [err365];
}
else {
vErrors.push(err365);
}
errors++;
}
else {
errors = _errs269;
if(vErrors !== null){
if(_errs269){
vErrors.length = _errs269;
}
else {
vErrors = null;
}
}
}
let data122 = data120.requests;
if(typeof data122 !== "boolean"){
const err366 = {instancePath:instancePath+"/log/requests",schemaPath:"#/properties/log/properties/requests/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema11.properties.log.properties.requests.type,parentSchema:schema11.properties.log.properties.requests,data:data122};
if(vErrors === null){
vErrors = [err366];
}
else {
vErrors.push(err366);
}
errors++;
}
let data123 = data120.query;
const _errs287 = errors;
let valid51 = false;
const _errs288 = errors;
if(typeof data123 !== "string"){
const err367 = {instancePath:instancePath+"/log/query",schemaPath:"#/properties/log/properties/query/anyOf/0/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.log.properties.query.anyOf[0].type,parentSchema:schema11.properties.log.properties.query.anyOf[0],data:data123};
if(vErrors === null){
vErrors = [err367];
}
else {
vErrors.push(err367);
}
errors++;
}
if("none" !== data123){
const err368 = {instancePath:instancePath+"/log/query",schemaPath:"#/properties/log/properties/query/anyOf/0/const",keyword:"const",params:{allowedValue: "none"},message:"must be equal to constant",schema:"none",parentSchema:schema11.properties.log.properties.query.anyOf[0],data:data123};
if(vErrors === null){
vErrors = [err368];
}
else {
vErrors.push(err368);
}
errors++;
}
var _valid7 = _errs288 === errors;
valid51 = valid51 || _valid7;
if(!valid51){
const _errs290 = errors;
if(typeof data123 !== "string"){
const err369 = {instancePath:instancePath+"/log/query",schemaPath:"#/properties/log/properties/query/anyOf/1/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.log.properties.query.anyOf[1].type,parentSchema:schema11.properties.log.properties.query.anyOf[1],data:data123};
if(vErrors === null){
vErrors = [err369];
}
else {
vErrors.push(err369);
}
errors++;
}
if("keys" !== data123){
const err370 = {instancePath:instancePath+"/log/query",schemaPath:"#/properties/log/properties/query/anyOf/1/const",keyword:"const",params:{allowedValue: "keys"},message:"must be equal to constant",schema:"keys",parentSchema:schema11.properties.log.properties.query.anyOf[1],data:data123};
if(vErrors === null){
vErrors = [err370];
}
else {
vErrors.push(err370);
}
errors++;
}
var _valid7 = _errs290 === errors;
valid51 = valid51 || _valid7;
if(!valid51){
const _errs292 = errors;
if(typeof data123 !== "string"){
const err371 = {instancePath:instancePath+"/log/query",schemaPath:"#/properties/log/properties/query/anyOf/2/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.log.properties.query.anyOf[2].type,parentSchema:schema11.properties.log.properties.query.anyOf[2],data:data123};
if(vErrors === null){
vErrors = [err371];
}
else {
vErrors.push(err371);
}
errors++;
}
if("full" !== data123){
const err372 = {instancePath:instancePath+"/log/query",schemaPath:"#/properties/log/properties/query/anyOf/2/const",keyword:"const",params:{allowedValue: "full"},message:"must be equal to constant",schema:"full",parentSchema:schema11.properties.log.properties.query.anyOf[2],data:data123};
if(vErrors === null){
vErrors = [err372];
}
else {
vErrors.push(err372);
}
errors++;
}
var _valid7 = _errs292 === errors;
valid51 = valid51 || _valid7;
}
}
if(!valid51){
const err373 = {instancePath:instancePath+"/log/query",schemaPath:"#/properties/log/properties/query/anyOf",keyword:"anyOf",params:{},message:"must match a schema in anyOf",schema:schema11.properties.log.properties.query.anyOf,parentSchema:schema11.properties.log.properties.query,data:data123};
if(vErrors === null){
vErrors = [err373];
}
else {
vErrors.push(err373);
}
errors++;
}
else {
errors = _errs287;
if(vErrors !== null){
if(_errs287){
vErrors.length = _errs287;
}
else {
vErrors = null;
}
}
}
let data124 = data120.redactQuery;
if(Array.isArray(data124)){
const len12 = data124.length;
for(let i13=0; i13<len12; i13++){
let data125 = data124[i13];
if(typeof data125 === "string"){
if(func5(data125) < 1){
const err374 = {instancePath:instancePath+"/log/redactQuery/" + i13,schemaPath:"#/properties/log/properties/redactQuery/items/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.log.properties.redactQuery.items,data:data125};
if(vErrors === null){
vErrors = [err374];
}
else {
vErrors.push(err374);
}
errors++;
}
}
else {
const err375 = {instancePath:instancePath+"/log/redactQuery/" + i13,schemaPath:"#/properties/log/properties/redactQuery/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.log.properties.redactQuery.items.type,parentSchema:schema11.properties.log.properties.redactQuery.items,data:data125};
if(vErrors === null){
vErrors = [err375];
}
else {
vErrors.push(err375);
}
errors++;
}
}
}
else {
const err376 = {instancePath:instancePath+"/log/redactQuery",schemaPath:"#/properties/log/properties/redactQuery/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.log.properties.redactQuery.type,parentSchema:schema11.properties.log.properties.redactQuery,data:data124};
if(vErrors === null){
vErrors = [err376];
}
else {
vErrors.push(err376);
}
errors++;
}
}
else {
const err377 = {instancePath:instancePath+"/log",schemaPath:"#/properties/log/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.log.type,parentSchema:schema11.properties.log,data:data120};
if(vErrors === null){
vErrors = [err377];
}
else {
vErrors.push(err377);
}
errors++;
}
let data126 = data.admin;
if(data126 && typeof data126 == "object" && !Array.isArray(data126)){
if(data126.enabled === undefined){
data126.enabled = true;
}
if(data126.prefix === undefined){
data126.prefix = "/_admin";
}
if(data126.token === undefined){
data126.token = "";
}
if(data126.secret === undefined){
data126.secret = "";
}
if(data126.users === undefined){
data126.users = [];
}
if(data126.enabled === undefined){
const err378 = {instancePath:instancePath+"/admin",schemaPath:"#/properties/admin/required",keyword:"required",params:{missingProperty: "enabled"},message:"must have required property '"+"enabled"+"'",schema:schema11.properties.admin.required,parentSchema:schema11.properties.admin,data:data126};
if(vErrors === null){
vErrors = [err378];
}
else {
vErrors.push(err378);
}
errors++;
}
if(data126.prefix === undefined){
const err379 = {instancePath:instancePath+"/admin",schemaPath:"#/properties/admin/required",keyword:"required",params:{missingProperty: "prefix"},message:"must have required property '"+"prefix"+"'",schema:schema11.properties.admin.required,parentSchema:schema11.properties.admin,data:data126};
if(vErrors === null){
vErrors = [err379];
}
else {
vErrors.push(err379);
}
errors++;
}
if(data126.token === undefined){
const err380 = {instancePath:instancePath+"/admin",schemaPath:"#/properties/admin/required",keyword:"required",params:{missingProperty: "token"},message:"must have required property '"+"token"+"'",schema:schema11.properties.admin.required,parentSchema:schema11.properties.admin,data:data126};
if(vErrors === null){
vErrors = [err380];
}
else {
vErrors.push(err380);
}
errors++;
}
if(data126.secret === undefined){
const err381 = {instancePath:instancePath+"/admin",schemaPath:"#/properties/admin/required",keyword:"required",params:{missingProperty: "secret"},message:"must have required property '"+"secret"+"'",schema:schema11.properties.admin.required,parentSchema:schema11.properties.admin,data:data126};
if(vErrors === null){
vErrors = [err381];
}
else {
vErrors.push(err381);
}
errors++;
}
if(data126.users === undefined){
const err382 = {instancePath:instancePath+"/admin",schemaPath:"#/properties/admin/required",keyword:"required",params:{missingProperty: "users"},message:"must have required property '"+"users"+"'",schema:schema11.properties.admin.required,parentSchema:schema11.properties.admin,data:data126};
if(vErrors === null){
vErrors = [err382];
}
else {
vErrors.push(err382);
}
errors++;
}
for(const key19 in data126){
if(!(((((key19 === "enabled") || (key19 === "prefix")) || (key19 === "token")) || (key19 === "secret")) || (key19 === "users"))){
const err383 = {instancePath:instancePath+"/admin",schemaPath:"#/properties/admin/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key19},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.admin,data:data126};
if(vErrors === null){
vErrors = [err383];
}
else {
vErrors.push(err383);
}
errors++;
}
}
let data127 = data126.enabled;
if(typeof data127 !== "boolean"){
const err384 = {instancePath:instancePath+"/admin/enabled",schemaPath:"#/properties/admin/properties/enabled/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema11.properties.admin.properties.enabled.type,parentSchema:schema11.properties.admin.properties.enabled,data:data127};
if(vErrors === null){
vErrors = [err384];
}
else {
vErrors.push(err384);
}
errors++;
}
let data128 = data126.prefix;
if(typeof data128 === "string"){
if(!pattern4.test(data128)){
const err385 = {instancePath:instancePath+"/admin/prefix",schemaPath:"#/properties/admin/properties/prefix/pattern",keyword:"pattern",params:{pattern: "^/[A-Za-z0-9._~/-]*[^/]$"},message:"must match pattern \""+"^/[A-Za-z0-9._~/-]*[^/]$"+"\"",schema:"^/[A-Za-z0-9._~/-]*[^/]$",parentSchema:schema11.properties.admin.properties.prefix,data:data128};
if(vErrors === null){
vErrors = [err385];
}
else {
vErrors.push(err385);
}
errors++;
}
}
else {
const err386 = {instancePath:instancePath+"/admin/prefix",schemaPath:"#/properties/admin/properties/prefix/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.admin.properties.prefix.type,parentSchema:schema11.properties.admin.properties.prefix,data:data128};
if(vErrors === null){
vErrors = [err386];
}
else {
vErrors.push(err386);
}
errors++;
}
let data129 = data126.token;
if(typeof data129 !== "string"){
const err387 = {instancePath:instancePath+"/admin/token",schemaPath:"#/properties/admin/properties/token/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.admin.properties.token.type,parentSchema:schema11.properties.admin.properties.token,data:data129};
if(vErrors === null){
vErrors = [err387];
}
else {
vErrors.push(err387);
}
errors++;
}
let data130 = data126.secret;
if(typeof data130 !== "string"){
const err388 = {instancePath:instancePath+"/admin/secret",schemaPath:"#/properties/admin/properties/secret/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.admin.properties.secret.type,parentSchema:schema11.properties.admin.properties.secret,data:data130};
if(vErrors === null){
vErrors = [err388];
}
else {
vErrors.push(err388);
}
errors++;
}
let data131 = data126.users;
if(Array.isArray(data131)){
const len13 = data131.length;
for(let i14=0; i14<len13; i14++){
let data132 = data131[i14];
if(data132 && typeof data132 == "object" && !Array.isArray(data132)){
if(data132.name === undefined){
const err389 = {instancePath:instancePath+"/admin/users/" + i14,schemaPath:"#/properties/admin/properties/users/items/required",keyword:"required",params:{missingProperty: "name"},message:"must have required property '"+"name"+"'",schema:schema11.properties.admin.properties.users.items.required,parentSchema:schema11.properties.admin.properties.users.items,data:data132};
if(vErrors === null){
vErrors = [err389];
}
else {
vErrors.push(err389);
}
errors++;
}
if(data132.passwordHash === undefined){
const err390 = {instancePath:instancePath+"/admin/users/" + i14,schemaPath:"#/properties/admin/properties/users/items/required",keyword:"required",params:{missingProperty: "passwordHash"},message:"must have required property '"+"passwordHash"+"'",schema:schema11.properties.admin.properties.users.items.required,parentSchema:schema11.properties.admin.properties.users.items,data:data132};
if(vErrors === null){
vErrors = [err390];
}
else {
vErrors.push(err390);
}
errors++;
}
for(const key20 in data132){
if(!((key20 === "name") || (key20 === "passwordHash"))){
const err391 = {instancePath:instancePath+"/admin/users/" + i14,schemaPath:"#/properties/admin/properties/users/items/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key20},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.admin.properties.users.items,data:data132};
if(vErrors === null){
vErrors = [err391];
}
else {
vErrors.push(err391);
}
errors++;
}
}
if(data132.name !== undefined){
let data133 = data132.name;
if(typeof data133 === "string"){
if(func5(data133) < 1){
const err392 = {instancePath:instancePath+"/admin/users/" + i14+"/name",schemaPath:"#/properties/admin/properties/users/items/properties/name/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.admin.properties.users.items.properties.name,data:data133};
if(vErrors === null){
vErrors = [err392];
}
else {
vErrors.push(err392);
}
errors++;
}
}
else {
const err393 = {instancePath:instancePath+"/admin/users/" + i14+"/name",schemaPath:"#/properties/admin/properties/users/items/properties/name/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.admin.properties.users.items.properties.name.type,parentSchema:schema11.properties.admin.properties.users.items.properties.name,data:data133};
if(vErrors === null){
vErrors = [err393];
}
else {
vErrors.push(err393);
}
errors++;
}
}
if(data132.passwordHash !== undefined){
let data134 = data132.passwordHash;
if(typeof data134 === "string"){
if(!pattern5.test(data134)){
const err394 = {instancePath:instancePath+"/admin/users/" + i14+"/passwordHash",schemaPath:"#/properties/admin/properties/users/items/properties/passwordHash/pattern",keyword:"pattern",params:{pattern: "^scrypt\\$"},message:"must match pattern \""+"^scrypt\\$"+"\"",schema:"^scrypt\\$",parentSchema:schema11.properties.admin.properties.users.items.properties.passwordHash,data:data134};
if(vErrors === null){
vErrors = [err394];
}
else {
vErrors.push(err394);
}
errors++;
}
}
else {
const err395 = {instancePath:instancePath+"/admin/users/" + i14+"/passwordHash",schemaPath:"#/properties/admin/properties/users/items/properties/passwordHash/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.admin.properties.users.items.properties.passwordHash.type,parentSchema:schema11.properties.admin.properties.users.items.properties.passwordHash,data:data134};
if(vErrors === null){
vErrors = [err395];
}
else {
vErrors.push(err395);
}
errors++;
}
}
}
else {
const err396 = {instancePath:instancePath+"/admin/users/" + i14,schemaPath:"#/properties/admin/properties/users/items/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.admin.properties.users.items.type,parentSchema:schema11.properties.admin.properties.users.items,data:data132};
if(vErrors === null){
vErrors = [err396];
}
else {
vErrors.push(err396);
}
errors++;
}
}
}
else {
const err397 = {instancePath:instancePath+"/admin/users",schemaPath:"#/properties/admin/properties/users/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.admin.properties.users.type,parentSchema:schema11.properties.admin.properties.users,data:data131};
if(vErrors === null){
vErrors = [err397];
}
else {
vErrors.push(err397);
}
errors++;
}
}
else {
const err398 = {instancePath:instancePath+"/admin",schemaPath:"#/properties/admin/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.admin.type,parentSchema:schema11.properties.admin,data:data126};
if(vErrors === null){
vErrors = [err398];
}
else {
vErrors.push(err398);
}
errors++;
}
let data135 = data.redis;
if(data135 && typeof data135 == "object" && !Array.isArray(data135)){
if(data135.enabled === undefined){
data135.enabled = true;
}
if(data135.url === undefined){
data135.url = "redis://127.0.0.1:6379";
}
if(data135.sentinels === undefined){
data135.sentinels = [];
}
if(data135.name === undefined){
data135.name = "mymaster";
}
if(data135.nodes === undefined){
data135.nodes = [];
}
if(data135.keyPrefix === undefined){
data135.keyPrefix = "sipup:";
}
if(data135.connectTimeout === undefined){
data135.connectTimeout = "1s";
}
if(data135.commandTimeout === undefined){
data135.commandTimeout = "100ms";
}
if(data135.enabled === undefined){
const err399 = {instancePath:instancePath+"/redis",schemaPath:"#/properties/redis/required",keyword:"required",params:{missingProperty: "enabled"},message:"must have required property '"+"enabled"+"'",schema:schema11.properties.redis.required,parentSchema:schema11.properties.redis,data:data135};
if(vErrors === null){
vErrors = [err399];
}
else {
vErrors.push(err399);
}
errors++;
}
if(data135.url === undefined){
const err400 = {instancePath:instancePath+"/redis",schemaPath:"#/properties/redis/required",keyword:"required",params:{missingProperty: "url"},message:"must have required property '"+"url"+"'",schema:schema11.properties.redis.required,parentSchema:schema11.properties.redis,data:data135};
if(vErrors === null){
vErrors = [err400];
}
else {
vErrors.push(err400);
}
errors++;
}
if(data135.sentinels === undefined){
const err401 = {instancePath:instancePath+"/redis",schemaPath:"#/properties/redis/required",keyword:"required",params:{missingProperty: "sentinels"},message:"must have required property '"+"sentinels"+"'",schema:schema11.properties.redis.required,parentSchema:schema11.properties.redis,data:data135};
if(vErrors === null){
vErrors = [err401];
}
else {
vErrors.push(err401);
}
errors++;
}
if(data135.name === undefined){
const err402 = {instancePath:instancePath+"/redis",schemaPath:"#/properties/redis/required",keyword:"required",params:{missingProperty: "name"},message:"must have required property '"+"name"+"'",schema:schema11.properties.redis.required,parentSchema:schema11.properties.redis,data:data135};
if(vErrors === null){
vErrors = [err402];
}
else {
vErrors.push(err402);
}
errors++;
}
if(data135.nodes === undefined){
const err403 = {instancePath:instancePath+"/redis",schemaPath:"#/properties/redis/required",keyword:"required",params:{missingProperty: "nodes"},message:"must have required property '"+"nodes"+"'",schema:schema11.properties.redis.required,parentSchema:schema11.properties.redis,data:data135};
if(vErrors === null){
vErrors = [err403];
}
else {
vErrors.push(err403);
}
errors++;
}
if(data135.keyPrefix === undefined){
const err404 = {instancePath:instancePath+"/redis",schemaPath:"#/properties/redis/required",keyword:"required",params:{missingProperty: "keyPrefix"},message:"must have required property '"+"keyPrefix"+"'",schema:schema11.properties.redis.required,parentSchema:schema11.properties.redis,data:data135};
if(vErrors === null){
vErrors = [err404];
}
else {
vErrors.push(err404);
}
errors++;
}
if(data135.connectTimeout === undefined){
const err405 = {instancePath:instancePath+"/redis",schemaPath:"#/properties/redis/required",keyword:"required",params:{missingProperty: "connectTimeout"},message:"must have required property '"+"connectTimeout"+"'",schema:schema11.properties.redis.required,parentSchema:schema11.properties.redis,data:data135};
if(vErrors === null){
vErrors = [err405];
}
else {
vErrors.push(err405);
}
errors++;
}
if(data135.commandTimeout === undefined){
const err406 = {instancePath:instancePath+"/redis",schemaPath:"#/properties/redis/required",keyword:"required",params:{missingProperty: "commandTimeout"},message:"must have required property '"+"commandTimeout"+"'",schema:schema11.properties.redis.required,parentSchema:schema11.properties.redis,data:data135};
if(vErrors === null){
vErrors = [err406];
}
else {
vErrors.push(err406);
}
errors++;
}
for(const key21 in data135){
if(!((((((((key21 === "enabled") || (key21 === "url")) || (key21 === "sentinels")) || (key21 === "name")) || (key21 === "nodes")) || (key21 === "keyPrefix")) || (key21 === "connectTimeout")) || (key21 === "commandTimeout"))){
const err407 = {instancePath:instancePath+"/redis",schemaPath:"#/properties/redis/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key21},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.redis,data:data135};
if(vErrors === null){
vErrors = [err407];
}
else {
vErrors.push(err407);
}
errors++;
}
}
let data136 = data135.enabled;
if(typeof data136 !== "boolean"){
const err408 = {instancePath:instancePath+"/redis/enabled",schemaPath:"#/properties/redis/properties/enabled/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema11.properties.redis.properties.enabled.type,parentSchema:schema11.properties.redis.properties.enabled,data:data136};
if(vErrors === null){
vErrors = [err408];
}
else {
vErrors.push(err408);
}
errors++;
}
let data137 = data135.url;
if(typeof data137 !== "string"){
const err409 = {instancePath:instancePath+"/redis/url",schemaPath:"#/properties/redis/properties/url/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.redis.properties.url.type,parentSchema:schema11.properties.redis.properties.url,data:data137};
if(vErrors === null){
vErrors = [err409];
}
else {
vErrors.push(err409);
}
errors++;
}
let data138 = data135.sentinels;
if(Array.isArray(data138)){
const len14 = data138.length;
for(let i15=0; i15<len14; i15++){
let data139 = data138[i15];
if(data139 && typeof data139 == "object" && !Array.isArray(data139)){
if(data139.port === undefined){
data139.port = 26379;
}
if(data139.host === undefined){
const err410 = {instancePath:instancePath+"/redis/sentinels/" + i15,schemaPath:"#/properties/redis/properties/sentinels/items/required",keyword:"required",params:{missingProperty: "host"},message:"must have required property '"+"host"+"'",schema:schema11.properties.redis.properties.sentinels.items.required,parentSchema:schema11.properties.redis.properties.sentinels.items,data:data139};
if(vErrors === null){
vErrors = [err410];
}
else {
vErrors.push(err410);
}
errors++;
}
if(data139.port === undefined){
const err411 = {instancePath:instancePath+"/redis/sentinels/" + i15,schemaPath:"#/properties/redis/properties/sentinels/items/required",keyword:"required",params:{missingProperty: "port"},message:"must have required property '"+"port"+"'",schema:schema11.properties.redis.properties.sentinels.items.required,parentSchema:schema11.properties.redis.properties.sentinels.items,data:data139};
if(vErrors === null){
vErrors = [err411];
}
else {
vErrors.push(err411);
}
errors++;
}
for(const key22 in data139){
if(!((key22 === "host") || (key22 === "port"))){
const err412 = {instancePath:instancePath+"/redis/sentinels/" + i15,schemaPath:"#/properties/redis/properties/sentinels/items/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key22},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.redis.properties.sentinels.items,data:data139};
if(vErrors === null){
vErrors = [err412];
}
else {
vErrors.push(err412);
}
errors++;
}
}
if(data139.host !== undefined){
let data140 = data139.host;
if(typeof data140 === "string"){
if(func5(data140) < 1){
const err413 = {instancePath:instancePath+"/redis/sentinels/" + i15+"/host",schemaPath:"#/properties/redis/properties/sentinels/items/properties/host/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.redis.properties.sentinels.items.properties.host,data:data140};
if(vErrors === null){
vErrors = [err413];
}
else {
vErrors.push(err413);
}
errors++;
}
}
else {
const err414 = {instancePath:instancePath+"/redis/sentinels/" + i15+"/host",schemaPath:"#/properties/redis/properties/sentinels/items/properties/host/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.redis.properties.sentinels.items.properties.host.type,parentSchema:schema11.properties.redis.properties.sentinels.items.properties.host,data:data140};
if(vErrors === null){
vErrors = [err414];
}
else {
vErrors.push(err414);
}
errors++;
}
}
let data141 = data139.port;
if(!((typeof data141 == "number") && (!(data141 % 1) && !isNaN(data141)))){
const err415 = {instancePath:instancePath+"/redis/sentinels/" + i15+"/port",schemaPath:"#/properties/redis/properties/sentinels/items/properties/port/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.redis.properties.sentinels.items.properties.port.type,parentSchema:schema11.properties.redis.properties.sentinels.items.properties.port,data:data141};
if(vErrors === null){
vErrors = [err415];
}
else {
vErrors.push(err415);
}
errors++;
}
if(typeof data141 == "number"){
if(data141 > 65535 || isNaN(data141)){
const err416 = {instancePath:instancePath+"/redis/sentinels/" + i15+"/port",schemaPath:"#/properties/redis/properties/sentinels/items/properties/port/maximum",keyword:"maximum",params:{comparison: "<=", limit: 65535},message:"must be <= 65535",schema:65535,parentSchema:schema11.properties.redis.properties.sentinels.items.properties.port,data:data141};
if(vErrors === null){
vErrors = [err416];
}
else {
vErrors.push(err416);
}
errors++;
}
if(data141 < 1 || isNaN(data141)){
const err417 = {instancePath:instancePath+"/redis/sentinels/" + i15+"/port",schemaPath:"#/properties/redis/properties/sentinels/items/properties/port/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema11.properties.redis.properties.sentinels.items.properties.port,data:data141};
if(vErrors === null){
vErrors = [err417];
}
else {
vErrors.push(err417);
}
errors++;
}
}
}
else {
const err418 = {instancePath:instancePath+"/redis/sentinels/" + i15,schemaPath:"#/properties/redis/properties/sentinels/items/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.redis.properties.sentinels.items.type,parentSchema:schema11.properties.redis.properties.sentinels.items,data:data139};
if(vErrors === null){
vErrors = [err418];
}
else {
vErrors.push(err418);
}
errors++;
}
}
}
else {
const err419 = {instancePath:instancePath+"/redis/sentinels",schemaPath:"#/properties/redis/properties/sentinels/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.redis.properties.sentinels.type,parentSchema:schema11.properties.redis.properties.sentinels,data:data138};
if(vErrors === null){
vErrors = [err419];
}
else {
vErrors.push(err419);
}
errors++;
}
let data142 = data135.name;
if(typeof data142 !== "string"){
const err420 = {instancePath:instancePath+"/redis/name",schemaPath:"#/properties/redis/properties/name/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.redis.properties.name.type,parentSchema:schema11.properties.redis.properties.name,data:data142};
if(vErrors === null){
vErrors = [err420];
}
else {
vErrors.push(err420);
}
errors++;
}
let data143 = data135.nodes;
if(Array.isArray(data143)){
const len15 = data143.length;
for(let i16=0; i16<len15; i16++){
let data144 = data143[i16];
if(typeof data144 === "string"){
if(func5(data144) < 1){
const err421 = {instancePath:instancePath+"/redis/nodes/" + i16,schemaPath:"#/properties/redis/properties/nodes/items/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.redis.properties.nodes.items,data:data144};
if(vErrors === null){
vErrors = [err421];
}
else {
vErrors.push(err421);
}
errors++;
}
}
else {
const err422 = {instancePath:instancePath+"/redis/nodes/" + i16,schemaPath:"#/properties/redis/properties/nodes/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.redis.properties.nodes.items.type,parentSchema:schema11.properties.redis.properties.nodes.items,data:data144};
if(vErrors === null){
vErrors = [err422];
}
else {
vErrors.push(err422);
}
errors++;
}
}
}
else {
const err423 = {instancePath:instancePath+"/redis/nodes",schemaPath:"#/properties/redis/properties/nodes/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.redis.properties.nodes.type,parentSchema:schema11.properties.redis.properties.nodes,data:data143};
if(vErrors === null){
vErrors = [err423];
}
else {
vErrors.push(err423);
}
errors++;
}
let data145 = data135.keyPrefix;
if(typeof data145 !== "string"){
const err424 = {instancePath:instancePath+"/redis/keyPrefix",schemaPath:"#/properties/redis/properties/keyPrefix/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.redis.properties.keyPrefix.type,parentSchema:schema11.properties.redis.properties.keyPrefix,data:data145};
if(vErrors === null){
vErrors = [err424];
}
else {
vErrors.push(err424);
}
errors++;
}
let data146 = data135.connectTimeout;
const parsed22 = func7(data146);
if(parsed22 === undefined){
const err425 = {instancePath:instancePath+"/redis/connectTimeout",schemaPath:"#/properties/redis/properties/connectTimeout/x-unit",keyword:"x-unit",params:{unit: "duration", value: data146, minimum: undefined},message:"unit",schema:"duration",parentSchema:schema11.properties.redis.properties.connectTimeout,data:data146};
if(vErrors === null){
vErrors = [err425];
}
else {
vErrors.push(err425);
}
errors++;
}
else {
if(data135){
data135["connectTimeout"] = parsed22;
data146 = parsed22;
}
}
let data147 = data135.commandTimeout;
const parsed23 = func7(data147);
if(parsed23 === undefined){
const err426 = {instancePath:instancePath+"/redis/commandTimeout",schemaPath:"#/properties/redis/properties/commandTimeout/x-unit",keyword:"x-unit",params:{unit: "duration", value: data147, minimum: undefined},message:"unit",schema:"duration",parentSchema:schema11.properties.redis.properties.commandTimeout,data:data147};
if(vErrors === null){
vErrors = [err426];
}
else {
vErrors.push(err426);
}
errors++;
}
else {
if(data135){
data135["commandTimeout"] = parsed23;
data147 = parsed23;
}
}
}
else {
const err427 = {instancePath:instancePath+"/redis",schemaPath:"#/properties/redis/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.redis.type,parentSchema:schema11.properties.redis,data:data135};
if(vErrors === null){
vErrors = [err427];
}
else {
vErrors.push(err427);
}
errors++;
}
let data148 = data.mysql;
if(data148 && typeof data148 == "object" && !Array.isArray(data148)){
if(data148.url === undefined){
data148.url = "";
}
if(data148.poolSize === undefined){
data148.poolSize = 4;
}
if(data148.connectTimeout === undefined){
data148.connectTimeout = "2s";
}
if(data148.queryTimeout === undefined){
data148.queryTimeout = "30s";
}
if(data148.url === undefined){
const err428 = {instancePath:instancePath+"/mysql",schemaPath:"#/properties/mysql/required",keyword:"required",params:{missingProperty: "url"},message:"must have required property '"+"url"+"'",schema:schema11.properties.mysql.required,parentSchema:schema11.properties.mysql,data:data148};
if(vErrors === null){
vErrors = [err428];
}
else {
vErrors.push(err428);
}
errors++;
}
if(data148.poolSize === undefined){
const err429 = {instancePath:instancePath+"/mysql",schemaPath:"#/properties/mysql/required",keyword:"required",params:{missingProperty: "poolSize"},message:"must have required property '"+"poolSize"+"'",schema:schema11.properties.mysql.required,parentSchema:schema11.properties.mysql,data:data148};
if(vErrors === null){
vErrors = [err429];
}
else {
vErrors.push(err429);
}
errors++;
}
if(data148.connectTimeout === undefined){
const err430 = {instancePath:instancePath+"/mysql",schemaPath:"#/properties/mysql/required",keyword:"required",params:{missingProperty: "connectTimeout"},message:"must have required property '"+"connectTimeout"+"'",schema:schema11.properties.mysql.required,parentSchema:schema11.properties.mysql,data:data148};
if(vErrors === null){
vErrors = [err430];
}
else {
vErrors.push(err430);
}
errors++;
}
if(data148.queryTimeout === undefined){
const err431 = {instancePath:instancePath+"/mysql",schemaPath:"#/properties/mysql/required",keyword:"required",params:{missingProperty: "queryTimeout"},message:"must have required property '"+"queryTimeout"+"'",schema:schema11.properties.mysql.required,parentSchema:schema11.properties.mysql,data:data148};
if(vErrors === null){
vErrors = [err431];
}
else {
vErrors.push(err431);
}
errors++;
}
for(const key23 in data148){
if(!((((key23 === "url") || (key23 === "poolSize")) || (key23 === "connectTimeout")) || (key23 === "queryTimeout"))){
const err432 = {instancePath:instancePath+"/mysql",schemaPath:"#/properties/mysql/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key23},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.mysql,data:data148};
if(vErrors === null){
vErrors = [err432];
}
else {
vErrors.push(err432);
}
errors++;
}
}
let data149 = data148.url;
if(typeof data149 !== "string"){
const err433 = {instancePath:instancePath+"/mysql/url",schemaPath:"#/properties/mysql/properties/url/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.mysql.properties.url.type,parentSchema:schema11.properties.mysql.properties.url,data:data149};
if(vErrors === null){
vErrors = [err433];
}
else {
vErrors.push(err433);
}
errors++;
}
let data150 = data148.poolSize;
if(!((typeof data150 == "number") && (!(data150 % 1) && !isNaN(data150)))){
const err434 = {instancePath:instancePath+"/mysql/poolSize",schemaPath:"#/properties/mysql/properties/poolSize/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.mysql.properties.poolSize.type,parentSchema:schema11.properties.mysql.properties.poolSize,data:data150};
if(vErrors === null){
vErrors = [err434];
}
else {
vErrors.push(err434);
}
errors++;
}
if(typeof data150 == "number"){
if(data150 > 100 || isNaN(data150)){
const err435 = {instancePath:instancePath+"/mysql/poolSize",schemaPath:"#/properties/mysql/properties/poolSize/maximum",keyword:"maximum",params:{comparison: "<=", limit: 100},message:"must be <= 100",schema:100,parentSchema:schema11.properties.mysql.properties.poolSize,data:data150};
if(vErrors === null){
vErrors = [err435];
}
else {
vErrors.push(err435);
}
errors++;
}
if(data150 < 1 || isNaN(data150)){
const err436 = {instancePath:instancePath+"/mysql/poolSize",schemaPath:"#/properties/mysql/properties/poolSize/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema11.properties.mysql.properties.poolSize,data:data150};
if(vErrors === null){
vErrors = [err436];
}
else {
vErrors.push(err436);
}
errors++;
}
}
let data151 = data148.connectTimeout;
const parsed24 = func7(data151);
if(parsed24 === undefined || parsed24 < 100){
const err437 = {instancePath:instancePath+"/mysql/connectTimeout",schemaPath:"#/properties/mysql/properties/connectTimeout/x-unit",keyword:"x-unit",params:{unit: "duration", value: data151, minimum: 100},message:"unit",schema:"duration",parentSchema:schema11.properties.mysql.properties.connectTimeout,data:data151};
if(vErrors === null){
vErrors = [err437];
}
else {
vErrors.push(err437);
}
errors++;
}
else {
if(data148){
data148["connectTimeout"] = parsed24;
data151 = parsed24;
}
}
if(typeof data151 == "number"){
if(data151 < 100 || isNaN(data151)){
const err438 = {instancePath:instancePath+"/mysql/connectTimeout",schemaPath:"#/properties/mysql/properties/connectTimeout/minimum",keyword:"minimum",params:{comparison: ">=", limit: 100},message:"must be >= 100",schema:100,parentSchema:schema11.properties.mysql.properties.connectTimeout,data:data151};
if(vErrors === null){
vErrors = [err438];
}
else {
vErrors.push(err438);
}
errors++;
}
}
let data152 = data148.queryTimeout;
const parsed25 = func7(data152);
if(parsed25 === undefined || parsed25 < 100){
const err439 = {instancePath:instancePath+"/mysql/queryTimeout",schemaPath:"#/properties/mysql/properties/queryTimeout/x-unit",keyword:"x-unit",params:{unit: "duration", value: data152, minimum: 100},message:"unit",schema:"duration",parentSchema:schema11.properties.mysql.properties.queryTimeout,data:data152};
if(vErrors === null){
vErrors = [err439];
}
else {
vErrors.push(err439);
}
errors++;
}
else {
if(data148){
data148["queryTimeout"] = parsed25;
data152 = parsed25;
}
}
if(typeof data152 == "number"){
if(data152 < 100 || isNaN(data152)){
const err440 = {instancePath:instancePath+"/mysql/queryTimeout",schemaPath:"#/properties/mysql/properties/queryTimeout/minimum",keyword:"minimum",params:{comparison: ">=", limit: 100},message:"must be >= 100",schema:100,parentSchema:schema11.properties.mysql.properties.queryTimeout,data:data152};
if(vErrors === null){
vErrors = [err440];
}
else {
vErrors.push(err440);
}
errors++;
}
}
}
else {
const err441 = {instancePath:instancePath+"/mysql",schemaPath:"#/properties/mysql/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.mysql.type,parentSchema:schema11.properties.mysql,data:data148};
if(vErrors === null){
vErrors = [err441];
}
else {
vErrors.push(err441);
}
errors++;
}
let data153 = data.fleet;
if(data153 && typeof data153 == "object" && !Array.isArray(data153)){
if(data153.heartbeatInterval === undefined){
data153.heartbeatInterval = "5s";
}
if(data153.heartbeatInterval === undefined){
const err442 = {instancePath:instancePath+"/fleet",schemaPath:"#/properties/fleet/required",keyword:"required",params:{missingProperty: "heartbeatInterval"},message:"must have required property '"+"heartbeatInterval"+"'",schema:schema11.properties.fleet.required,parentSchema:schema11.properties.fleet,data:data153};
if(vErrors === null){
vErrors = [err442];
}
else {
vErrors.push(err442);
}
errors++;
}
for(const key24 in data153){
if(!(key24 === "heartbeatInterval")){
const err443 = {instancePath:instancePath+"/fleet",schemaPath:"#/properties/fleet/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key24},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.fleet,data:data153};
if(vErrors === null){
vErrors = [err443];
}
else {
vErrors.push(err443);
}
errors++;
}
}
let data154 = data153.heartbeatInterval;
const parsed26 = func7(data154);
if(parsed26 === undefined || parsed26 < 1000){
const err444 = {instancePath:instancePath+"/fleet/heartbeatInterval",schemaPath:"#/properties/fleet/properties/heartbeatInterval/x-unit",keyword:"x-unit",params:{unit: "duration", value: data154, minimum: 1000},message:"unit",schema:"duration",parentSchema:schema11.properties.fleet.properties.heartbeatInterval,data:data154};
if(vErrors === null){
vErrors = [err444];
}
else {
vErrors.push(err444);
}
errors++;
}
else {
if(data153){
data153["heartbeatInterval"] = parsed26;
data154 = parsed26;
}
}
if(typeof data154 == "number"){
if(data154 < 1000 || isNaN(data154)){
const err445 = {instancePath:instancePath+"/fleet/heartbeatInterval",schemaPath:"#/properties/fleet/properties/heartbeatInterval/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1000},message:"must be >= 1000",schema:1000,parentSchema:schema11.properties.fleet.properties.heartbeatInterval,data:data154};
if(vErrors === null){
vErrors = [err445];
}
else {
vErrors.push(err445);
}
errors++;
}
}
}
else {
const err446 = {instancePath:instancePath+"/fleet",schemaPath:"#/properties/fleet/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.fleet.type,parentSchema:schema11.properties.fleet,data:data153};
if(vErrors === null){
vErrors = [err446];
}
else {
vErrors.push(err446);
}
errors++;
}
let data155 = data.rateLimit;
if(data155 && typeof data155 == "object" && !Array.isArray(data155)){
if(data155.enabled === undefined){
data155.enabled = false;
}
if(data155.store === undefined){
data155.store = "redis";
}
if(data155.failClosed === undefined){
data155.failClosed = false;
}
if(data155.ip === undefined){
data155.ip = {};
}
if(data155.user === undefined){
data155.user = {};
}
if(data155.rules === undefined){
data155.rules = [{"name":"login","methods":["POST"],"path":"/login.php","limit":10,"window":"5m","key":"ip","field":"","dryRun":false}];
}
if(data155.identity === undefined){
data155.identity = {};
}
if(data155.ipv6Subnet === undefined){
data155.ipv6Subnet = 64;
}
if(data155.allowlist === undefined){
data155.allowlist = [];
}
if(data155.denylist === undefined){
data155.denylist = [];
}
if(data155.bans === undefined){
data155.bans = {};
}
if(data155.headers === undefined){
data155.headers = true;
}
if(data155.legacyHeaders === undefined){
data155.legacyHeaders = false;
}
if(data155.maxFormBody === undefined){
data155.maxFormBody = "8KB";
}
if(data155.memoryKeys === undefined){
data155.memoryKeys = 100000;
}
if(data155.lease === undefined){
data155.lease = {};
}
if(data155.enabled === undefined){
const err447 = {instancePath:instancePath+"/rateLimit",schemaPath:"#/properties/rateLimit/required",keyword:"required",params:{missingProperty: "enabled"},message:"must have required property '"+"enabled"+"'",schema:schema11.properties.rateLimit.required,parentSchema:schema11.properties.rateLimit,data:data155};
if(vErrors === null){
vErrors = [err447];
}
else {
vErrors.push(err447);
}
errors++;
}
if(data155.store === undefined){
const err448 = {instancePath:instancePath+"/rateLimit",schemaPath:"#/properties/rateLimit/required",keyword:"required",params:{missingProperty: "store"},message:"must have required property '"+"store"+"'",schema:schema11.properties.rateLimit.required,parentSchema:schema11.properties.rateLimit,data:data155};
if(vErrors === null){
vErrors = [err448];
}
else {
vErrors.push(err448);
}
errors++;
}
if(data155.failClosed === undefined){
const err449 = {instancePath:instancePath+"/rateLimit",schemaPath:"#/properties/rateLimit/required",keyword:"required",params:{missingProperty: "failClosed"},message:"must have required property '"+"failClosed"+"'",schema:schema11.properties.rateLimit.required,parentSchema:schema11.properties.rateLimit,data:data155};
if(vErrors === null){
vErrors = [err449];
}
else {
vErrors.push(err449);
}
errors++;
}
if(data155.ip === undefined){
const err450 = {instancePath:instancePath+"/rateLimit",schemaPath:"#/properties/rateLimit/required",keyword:"required",params:{missingProperty: "ip"},message:"must have required property '"+"ip"+"'",schema:schema11.properties.rateLimit.required,parentSchema:schema11.properties.rateLimit,data:data155};
if(vErrors === null){
vErrors = [err450];
}
else {
vErrors.push(err450);
}
errors++;
}
if(data155.user === undefined){
const err451 = {instancePath:instancePath+"/rateLimit",schemaPath:"#/properties/rateLimit/required",keyword:"required",params:{missingProperty: "user"},message:"must have required property '"+"user"+"'",schema:schema11.properties.rateLimit.required,parentSchema:schema11.properties.rateLimit,data:data155};
if(vErrors === null){
vErrors = [err451];
}
else {
vErrors.push(err451);
}
errors++;
}
if(data155.rules === undefined){
const err452 = {instancePath:instancePath+"/rateLimit",schemaPath:"#/properties/rateLimit/required",keyword:"required",params:{missingProperty: "rules"},message:"must have required property '"+"rules"+"'",schema:schema11.properties.rateLimit.required,parentSchema:schema11.properties.rateLimit,data:data155};
if(vErrors === null){
vErrors = [err452];
}
else {
vErrors.push(err452);
}
errors++;
}
if(data155.identity === undefined){
const err453 = {instancePath:instancePath+"/rateLimit",schemaPath:"#/properties/rateLimit/required",keyword:"required",params:{missingProperty: "identity"},message:"must have required property '"+"identity"+"'",schema:schema11.properties.rateLimit.required,parentSchema:schema11.properties.rateLimit,data:data155};
if(vErrors === null){
vErrors = [err453];
}
else {
vErrors.push(err453);
}
errors++;
}
if(data155.ipv6Subnet === undefined){
const err454 = {instancePath:instancePath+"/rateLimit",schemaPath:"#/properties/rateLimit/required",keyword:"required",params:{missingProperty: "ipv6Subnet"},message:"must have required property '"+"ipv6Subnet"+"'",schema:schema11.properties.rateLimit.required,parentSchema:schema11.properties.rateLimit,data:data155};
if(vErrors === null){
vErrors = [err454];
}
else {
vErrors.push(err454);
}
errors++;
}
if(data155.allowlist === undefined){
const err455 = {instancePath:instancePath+"/rateLimit",schemaPath:"#/properties/rateLimit/required",keyword:"required",params:{missingProperty: "allowlist"},message:"must have required property '"+"allowlist"+"'",schema:schema11.properties.rateLimit.required,parentSchema:schema11.properties.rateLimit,data:data155};
if(vErrors === null){
vErrors = [err455];
}
else {
vErrors.push(err455);
}
errors++;
}
if(data155.denylist === undefined){
const err456 = {instancePath:instancePath+"/rateLimit",schemaPath:"#/properties/rateLimit/required",keyword:"required",params:{missingProperty: "denylist"},message:"must have required property '"+"denylist"+"'",schema:schema11.properties.rateLimit.required,parentSchema:schema11.properties.rateLimit,data:data155};
if(vErrors === null){
vErrors = [err456];
}
else {
vErrors.push(err456);
}
errors++;
}
if(data155.bans === undefined){
const err457 = {instancePath:instancePath+"/rateLimit",schemaPath:"#/properties/rateLimit/required",keyword:"required",params:{missingProperty: "bans"},message:"must have required property '"+"bans"+"'",schema:schema11.properties.rateLimit.required,parentSchema:schema11.properties.rateLimit,data:data155};
if(vErrors === null){
vErrors = [err457];
}
else {
vErrors.push(err457);
}
errors++;
}
if(data155.headers === undefined){
const err458 = {instancePath:instancePath+"/rateLimit",schemaPath:"#/properties/rateLimit/required",keyword:"required",params:{missingProperty: "headers"},message:"must have required property '"+"headers"+"'",schema:schema11.properties.rateLimit.required,parentSchema:schema11.properties.rateLimit,data:data155};
if(vErrors === null){
vErrors = [err458];
}
else {
vErrors.push(err458);
}
errors++;
}
if(data155.legacyHeaders === undefined){
const err459 = {instancePath:instancePath+"/rateLimit",schemaPath:"#/properties/rateLimit/required",keyword:"required",params:{missingProperty: "legacyHeaders"},message:"must have required property '"+"legacyHeaders"+"'",schema:schema11.properties.rateLimit.required,parentSchema:schema11.properties.rateLimit,data:data155};
if(vErrors === null){
vErrors = [err459];
}
else {
vErrors.push(err459);
}
errors++;
}
if(data155.maxFormBody === undefined){
const err460 = {instancePath:instancePath+"/rateLimit",schemaPath:"#/properties/rateLimit/required",keyword:"required",params:{missingProperty: "maxFormBody"},message:"must have required property '"+"maxFormBody"+"'",schema:schema11.properties.rateLimit.required,parentSchema:schema11.properties.rateLimit,data:data155};
if(vErrors === null){
vErrors = [err460];
}
else {
vErrors.push(err460);
}
errors++;
}
if(data155.memoryKeys === undefined){
const err461 = {instancePath:instancePath+"/rateLimit",schemaPath:"#/properties/rateLimit/required",keyword:"required",params:{missingProperty: "memoryKeys"},message:"must have required property '"+"memoryKeys"+"'",schema:schema11.properties.rateLimit.required,parentSchema:schema11.properties.rateLimit,data:data155};
if(vErrors === null){
vErrors = [err461];
}
else {
vErrors.push(err461);
}
errors++;
}
if(data155.lease === undefined){
const err462 = {instancePath:instancePath+"/rateLimit",schemaPath:"#/properties/rateLimit/required",keyword:"required",params:{missingProperty: "lease"},message:"must have required property '"+"lease"+"'",schema:schema11.properties.rateLimit.required,parentSchema:schema11.properties.rateLimit,data:data155};
if(vErrors === null){
vErrors = [err462];
}
else {
vErrors.push(err462);
}
errors++;
}
for(const key25 in data155){
if(!(func2.call(schema11.properties.rateLimit.properties, key25))){
const err463 = {instancePath:instancePath+"/rateLimit",schemaPath:"#/properties/rateLimit/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key25},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.rateLimit,data:data155};
if(vErrors === null){
vErrors = [err463];
}
else {
vErrors.push(err463);
}
errors++;
}
}
let data156 = data155.enabled;
if(typeof data156 !== "boolean"){
const err464 = {instancePath:instancePath+"/rateLimit/enabled",schemaPath:"#/properties/rateLimit/properties/enabled/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema11.properties.rateLimit.properties.enabled.type,parentSchema:schema11.properties.rateLimit.properties.enabled,data:data156};
if(vErrors === null){
vErrors = [err464];
}
else {
vErrors.push(err464);
}
errors++;
}
let data157 = data155.store;
const _errs363 = errors;
let valid67 = false;
const _errs364 = errors;
if(typeof data157 !== "string"){
const err465 = {instancePath:instancePath+"/rateLimit/store",schemaPath:"#/properties/rateLimit/properties/store/anyOf/0/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.rateLimit.properties.store.anyOf[0].type,parentSchema:schema11.properties.rateLimit.properties.store.anyOf[0],data:data157};
if(vErrors === null){
vErrors = [err465];
}
else {
vErrors.push(err465);
}
errors++;
}
if("redis" !== data157){
const err466 = {instancePath:instancePath+"/rateLimit/store",schemaPath:"#/properties/rateLimit/properties/store/anyOf/0/const",keyword:"const",params:{allowedValue: "redis"},message:"must be equal to constant",schema:"redis",parentSchema:schema11.properties.rateLimit.properties.store.anyOf[0],data:data157};
if(vErrors === null){
vErrors = [err466];
}
else {
vErrors.push(err466);
}
errors++;
}
var _valid8 = _errs364 === errors;
valid67 = valid67 || _valid8;
if(!valid67){
const _errs366 = errors;
if(typeof data157 !== "string"){
const err467 = {instancePath:instancePath+"/rateLimit/store",schemaPath:"#/properties/rateLimit/properties/store/anyOf/1/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.rateLimit.properties.store.anyOf[1].type,parentSchema:schema11.properties.rateLimit.properties.store.anyOf[1],data:data157};
if(vErrors === null){
vErrors = [err467];
}
else {
vErrors.push(err467);
}
errors++;
}
if("memory" !== data157){
const err468 = {instancePath:instancePath+"/rateLimit/store",schemaPath:"#/properties/rateLimit/properties/store/anyOf/1/const",keyword:"const",params:{allowedValue: "memory"},message:"must be equal to constant",schema:"memory",parentSchema:schema11.properties.rateLimit.properties.store.anyOf[1],data:data157};
if(vErrors === null){
vErrors = [err468];
}
else {
vErrors.push(err468);
}
errors++;
}
var _valid8 = _errs366 === errors;
valid67 = valid67 || _valid8;
}
if(!valid67){
const err469 = {instancePath:instancePath+"/rateLimit/store",schemaPath:"#/properties/rateLimit/properties/store/anyOf",keyword:"anyOf",params:{},message:"must match a schema in anyOf",schema:schema11.properties.rateLimit.properties.store.anyOf,parentSchema:schema11.properties.rateLimit.properties.store,data:data157};
if(vErrors === null){
vErrors = [err469];
}
else {
vErrors.push(err469);
}
errors++;
}
else {
errors = _errs363;
if(vErrors !== null){
if(_errs363){
vErrors.length = _errs363;
}
else {
vErrors = null;
}
}
}
let data158 = data155.failClosed;
if(typeof data158 !== "boolean"){
const err470 = {instancePath:instancePath+"/rateLimit/failClosed",schemaPath:"#/properties/rateLimit/properties/failClosed/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema11.properties.rateLimit.properties.failClosed.type,parentSchema:schema11.properties.rateLimit.properties.failClosed,data:data158};
if(vErrors === null){
vErrors = [err470];
}
else {
vErrors.push(err470);
}
errors++;
}
let data159 = data155.ip;
if(data159 && typeof data159 == "object" && !Array.isArray(data159)){
if(data159.enabled === undefined){
data159.enabled = true;
}
if(data159.limit === undefined){
data159.limit = 100;
}
if(data159.window === undefined){
data159.window = "1m";
}
if(data159.dryRun === undefined){
data159.dryRun = false;
}
if(data159.enabled === undefined){
const err471 = {instancePath:instancePath+"/rateLimit/ip",schemaPath:"#/properties/rateLimit/properties/ip/required",keyword:"required",params:{missingProperty: "enabled"},message:"must have required property '"+"enabled"+"'",schema:schema11.properties.rateLimit.properties.ip.required,parentSchema:schema11.properties.rateLimit.properties.ip,data:data159};
if(vErrors === null){
vErrors = [err471];
}
else {
vErrors.push(err471);
}
errors++;
}
if(data159.limit === undefined){
const err472 = {instancePath:instancePath+"/rateLimit/ip",schemaPath:"#/properties/rateLimit/properties/ip/required",keyword:"required",params:{missingProperty: "limit"},message:"must have required property '"+"limit"+"'",schema:schema11.properties.rateLimit.properties.ip.required,parentSchema:schema11.properties.rateLimit.properties.ip,data:data159};
if(vErrors === null){
vErrors = [err472];
}
else {
vErrors.push(err472);
}
errors++;
}
if(data159.window === undefined){
const err473 = {instancePath:instancePath+"/rateLimit/ip",schemaPath:"#/properties/rateLimit/properties/ip/required",keyword:"required",params:{missingProperty: "window"},message:"must have required property '"+"window"+"'",schema:schema11.properties.rateLimit.properties.ip.required,parentSchema:schema11.properties.rateLimit.properties.ip,data:data159};
if(vErrors === null){
vErrors = [err473];
}
else {
vErrors.push(err473);
}
errors++;
}
if(data159.dryRun === undefined){
const err474 = {instancePath:instancePath+"/rateLimit/ip",schemaPath:"#/properties/rateLimit/properties/ip/required",keyword:"required",params:{missingProperty: "dryRun"},message:"must have required property '"+"dryRun"+"'",schema:schema11.properties.rateLimit.properties.ip.required,parentSchema:schema11.properties.rateLimit.properties.ip,data:data159};
if(vErrors === null){
vErrors = [err474];
}
else {
vErrors.push(err474);
}
errors++;
}
for(const key26 in data159){
if(!((((key26 === "enabled") || (key26 === "limit")) || (key26 === "window")) || (key26 === "dryRun"))){
const err475 = {instancePath:instancePath+"/rateLimit/ip",schemaPath:"#/properties/rateLimit/properties/ip/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key26},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.rateLimit.properties.ip,data:data159};
if(vErrors === null){
vErrors = [err475];
}
else {
vErrors.push(err475);
}
errors++;
}
}
let data160 = data159.enabled;
if(typeof data160 !== "boolean"){
const err476 = {instancePath:instancePath+"/rateLimit/ip/enabled",schemaPath:"#/properties/rateLimit/properties/ip/properties/enabled/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema11.properties.rateLimit.properties.ip.properties.enabled.type,parentSchema:schema11.properties.rateLimit.properties.ip.properties.enabled,data:data160};
if(vErrors === null){
vErrors = [err476];
}
else {
vErrors.push(err476);
}
errors++;
}
let data161 = data159.limit;
if(!((typeof data161 == "number") && (!(data161 % 1) && !isNaN(data161)))){
const err477 = {instancePath:instancePath+"/rateLimit/ip/limit",schemaPath:"#/properties/rateLimit/properties/ip/properties/limit/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.rateLimit.properties.ip.properties.limit.type,parentSchema:schema11.properties.rateLimit.properties.ip.properties.limit,data:data161};
if(vErrors === null){
vErrors = [err477];
}
else {
vErrors.push(err477);
}
errors++;
}
if(typeof data161 == "number"){
if(data161 > 100000000 || isNaN(data161)){
const err478 = {instancePath:instancePath+"/rateLimit/ip/limit",schemaPath:"#/properties/rateLimit/properties/ip/properties/limit/maximum",keyword:"maximum",params:{comparison: "<=", limit: 100000000},message:"must be <= 100000000",schema:100000000,parentSchema:schema11.properties.rateLimit.properties.ip.properties.limit,data:data161};
if(vErrors === null){
vErrors = [err478];
}
else {
vErrors.push(err478);
}
errors++;
}
if(data161 < 1 || isNaN(data161)){
const err479 = {instancePath:instancePath+"/rateLimit/ip/limit",schemaPath:"#/properties/rateLimit/properties/ip/properties/limit/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema11.properties.rateLimit.properties.ip.properties.limit,data:data161};
if(vErrors === null){
vErrors = [err479];
}
else {
vErrors.push(err479);
}
errors++;
}
}
let data162 = data159.window;
const parsed27 = func7(data162);
if(parsed27 === undefined){
const err480 = {instancePath:instancePath+"/rateLimit/ip/window",schemaPath:"#/properties/rateLimit/properties/ip/properties/window/x-unit",keyword:"x-unit",params:{unit: "duration", value: data162, minimum: undefined},message:"unit",schema:"duration",parentSchema:schema11.properties.rateLimit.properties.ip.properties.window,data:data162};
if(vErrors === null){
vErrors = [err480];
}
else {
vErrors.push(err480);
}
errors++;
}
else {
if(data159){
data159["window"] = parsed27;
data162 = parsed27;
}
}
let data163 = data159.dryRun;
if(typeof data163 !== "boolean"){
const err481 = {instancePath:instancePath+"/rateLimit/ip/dryRun",schemaPath:"#/properties/rateLimit/properties/ip/properties/dryRun/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema11.properties.rateLimit.properties.ip.properties.dryRun.type,parentSchema:schema11.properties.rateLimit.properties.ip.properties.dryRun,data:data163};
if(vErrors === null){
vErrors = [err481];
}
else {
vErrors.push(err481);
}
errors++;
}
}
else {
const err482 = {instancePath:instancePath+"/rateLimit/ip",schemaPath:"#/properties/rateLimit/properties/ip/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.rateLimit.properties.ip.type,parentSchema:schema11.properties.rateLimit.properties.ip,data:data159};
if(vErrors === null){
vErrors = [err482];
}
else {
vErrors.push(err482);
}
errors++;
}
let data164 = data155.user;
if(data164 && typeof data164 == "object" && !Array.isArray(data164)){
if(data164.enabled === undefined){
data164.enabled = true;
}
if(data164.limit === undefined){
data164.limit = 1000;
}
if(data164.window === undefined){
data164.window = "1h";
}
if(data164.dryRun === undefined){
data164.dryRun = false;
}
if(data164.enabled === undefined){
const err483 = {instancePath:instancePath+"/rateLimit/user",schemaPath:"#/properties/rateLimit/properties/user/required",keyword:"required",params:{missingProperty: "enabled"},message:"must have required property '"+"enabled"+"'",schema:schema11.properties.rateLimit.properties.user.required,parentSchema:schema11.properties.rateLimit.properties.user,data:data164};
if(vErrors === null){
vErrors = [err483];
}
else {
vErrors.push(err483);
}
errors++;
}
if(data164.limit === undefined){
const err484 = {instancePath:instancePath+"/rateLimit/user",schemaPath:"#/properties/rateLimit/properties/user/required",keyword:"required",params:{missingProperty: "limit"},message:"must have required property '"+"limit"+"'",schema:schema11.properties.rateLimit.properties.user.required,parentSchema:schema11.properties.rateLimit.properties.user,data:data164};
if(vErrors === null){
vErrors = [err484];
}
else {
vErrors.push(err484);
}
errors++;
}
if(data164.window === undefined){
const err485 = {instancePath:instancePath+"/rateLimit/user",schemaPath:"#/properties/rateLimit/properties/user/required",keyword:"required",params:{missingProperty: "window"},message:"must have required property '"+"window"+"'",schema:schema11.properties.rateLimit.properties.user.required,parentSchema:schema11.properties.rateLimit.properties.user,data:data164};
if(vErrors === null){
vErrors = [err485];
}
else {
vErrors.push(err485);
}
errors++;
}
if(data164.dryRun === undefined){
const err486 = {instancePath:instancePath+"/rateLimit/user",schemaPath:"#/properties/rateLimit/properties/user/required",keyword:"required",params:{missingProperty: "dryRun"},message:"must have required property '"+"dryRun"+"'",schema:schema11.properties.rateLimit.properties.user.required,parentSchema:schema11.properties.rateLimit.properties.user,data:data164};
if(vErrors === null){
vErrors = [err486];
}
else {
vErrors.push(err486);
}
errors++;
}
for(const key27 in data164){
if(!((((key27 === "enabled") || (key27 === "limit")) || (key27 === "window")) || (key27 === "dryRun"))){
const err487 = {instancePath:instancePath+"/rateLimit/user",schemaPath:"#/properties/rateLimit/properties/user/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key27},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.rateLimit.properties.user,data:data164};
if(vErrors === null){
vErrors = [err487];
}
else {
vErrors.push(err487);
}
errors++;
}
}
let data165 = data164.enabled;
if(typeof data165 !== "boolean"){
const err488 = {instancePath:instancePath+"/rateLimit/user/enabled",schemaPath:"#/properties/rateLimit/properties/user/properties/enabled/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema11.properties.rateLimit.properties.user.properties.enabled.type,parentSchema:schema11.properties.rateLimit.properties.user.properties.enabled,data:data165};
if(vErrors === null){
vErrors = [err488];
}
else {
vErrors.push(err488);
}
errors++;
}
let data166 = data164.limit;
if(!((typeof data166 == "number") && (!(data166 % 1) && !isNaN(data166)))){
const err489 = {instancePath:instancePath+"/rateLimit/user/limit",schemaPath:"#/properties/rateLimit/properties/user/properties/limit/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.rateLimit.properties.user.properties.limit.type,parentSchema:schema11.properties.rateLimit.properties.user.properties.limit,data:data166};
if(vErrors === null){
vErrors = [err489];
}
else {
vErrors.push(err489);
}
errors++;
}
if(typeof data166 == "number"){
if(data166 > 100000000 || isNaN(data166)){
const err490 = {instancePath:instancePath+"/rateLimit/user/limit",schemaPath:"#/properties/rateLimit/properties/user/properties/limit/maximum",keyword:"maximum",params:{comparison: "<=", limit: 100000000},message:"must be <= 100000000",schema:100000000,parentSchema:schema11.properties.rateLimit.properties.user.properties.limit,data:data166};
if(vErrors === null){
vErrors = [err490];
}
else {
vErrors.push(err490);
}
errors++;
}
if(data166 < 1 || isNaN(data166)){
const err491 = {instancePath:instancePath+"/rateLimit/user/limit",schemaPath:"#/properties/rateLimit/properties/user/properties/limit/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema11.properties.rateLimit.properties.user.properties.limit,data:data166};
if(vErrors === null){
vErrors = [err491];
}
else {
vErrors.push(err491);
}
errors++;
}
}
let data167 = data164.window;
const parsed28 = func7(data167);
if(parsed28 === undefined){
const err492 = {instancePath:instancePath+"/rateLimit/user/window",schemaPath:"#/properties/rateLimit/properties/user/properties/window/x-unit",keyword:"x-unit",params:{unit: "duration", value: data167, minimum: undefined},message:"unit",schema:"duration",parentSchema:schema11.properties.rateLimit.properties.user.properties.window,data:data167};
if(vErrors === null){
vErrors = [err492];
}
else {
vErrors.push(err492);
}
errors++;
}
else {
if(data164){
data164["window"] = parsed28;
data167 = parsed28;
}
}
let data168 = data164.dryRun;
if(typeof data168 !== "boolean"){
const err493 = {instancePath:instancePath+"/rateLimit/user/dryRun",schemaPath:"#/properties/rateLimit/properties/user/properties/dryRun/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema11.properties.rateLimit.properties.user.properties.dryRun.type,parentSchema:schema11.properties.rateLimit.properties.user.properties.dryRun,data:data168};
if(vErrors === null){
vErrors = [err493];
}
else {
vErrors.push(err493);
}
errors++;
}
}
else {
const err494 = {instancePath:instancePath+"/rateLimit/user",schemaPath:"#/properties/rateLimit/properties/user/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.rateLimit.properties.user.type,parentSchema:schema11.properties.rateLimit.properties.user,data:data164};
if(vErrors === null){
vErrors = [err494];
}
else {
vErrors.push(err494);
}
errors++;
}
let data169 = data155.rules;
if(Array.isArray(data169)){
const len16 = data169.length;
for(let i17=0; i17<len16; i17++){
let data170 = data169[i17];
if(data170 && typeof data170 == "object" && !Array.isArray(data170)){
if(data170.methods === undefined){
data170.methods = ["*"];
}
if(data170.limit === undefined){
data170.limit = 10;
}
if(data170.window === undefined){
data170.window = "5m";
}
if(data170.key === undefined){
data170.key = "ip";
}
if(data170.field === undefined){
data170.field = "";
}
if(data170.cookies === undefined){
data170.cookies = {};
}
if(data170.dryRun === undefined){
data170.dryRun = false;
}
if(data170.name === undefined){
const err495 = {instancePath:instancePath+"/rateLimit/rules/" + i17,schemaPath:"#/properties/rateLimit/properties/rules/items/required",keyword:"required",params:{missingProperty: "name"},message:"must have required property '"+"name"+"'",schema:schema11.properties.rateLimit.properties.rules.items.required,parentSchema:schema11.properties.rateLimit.properties.rules.items,data:data170};
if(vErrors === null){
vErrors = [err495];
}
else {
vErrors.push(err495);
}
errors++;
}
if(data170.methods === undefined){
const err496 = {instancePath:instancePath+"/rateLimit/rules/" + i17,schemaPath:"#/properties/rateLimit/properties/rules/items/required",keyword:"required",params:{missingProperty: "methods"},message:"must have required property '"+"methods"+"'",schema:schema11.properties.rateLimit.properties.rules.items.required,parentSchema:schema11.properties.rateLimit.properties.rules.items,data:data170};
if(vErrors === null){
vErrors = [err496];
}
else {
vErrors.push(err496);
}
errors++;
}
if(data170.path === undefined){
const err497 = {instancePath:instancePath+"/rateLimit/rules/" + i17,schemaPath:"#/properties/rateLimit/properties/rules/items/required",keyword:"required",params:{missingProperty: "path"},message:"must have required property '"+"path"+"'",schema:schema11.properties.rateLimit.properties.rules.items.required,parentSchema:schema11.properties.rateLimit.properties.rules.items,data:data170};
if(vErrors === null){
vErrors = [err497];
}
else {
vErrors.push(err497);
}
errors++;
}
if(data170.limit === undefined){
const err498 = {instancePath:instancePath+"/rateLimit/rules/" + i17,schemaPath:"#/properties/rateLimit/properties/rules/items/required",keyword:"required",params:{missingProperty: "limit"},message:"must have required property '"+"limit"+"'",schema:schema11.properties.rateLimit.properties.rules.items.required,parentSchema:schema11.properties.rateLimit.properties.rules.items,data:data170};
if(vErrors === null){
vErrors = [err498];
}
else {
vErrors.push(err498);
}
errors++;
}
if(data170.window === undefined){
const err499 = {instancePath:instancePath+"/rateLimit/rules/" + i17,schemaPath:"#/properties/rateLimit/properties/rules/items/required",keyword:"required",params:{missingProperty: "window"},message:"must have required property '"+"window"+"'",schema:schema11.properties.rateLimit.properties.rules.items.required,parentSchema:schema11.properties.rateLimit.properties.rules.items,data:data170};
if(vErrors === null){
vErrors = [err499];
}
else {
vErrors.push(err499);
}
errors++;
}
if(data170.key === undefined){
const err500 = {instancePath:instancePath+"/rateLimit/rules/" + i17,schemaPath:"#/properties/rateLimit/properties/rules/items/required",keyword:"required",params:{missingProperty: "key"},message:"must have required property '"+"key"+"'",schema:schema11.properties.rateLimit.properties.rules.items.required,parentSchema:schema11.properties.rateLimit.properties.rules.items,data:data170};
if(vErrors === null){
vErrors = [err500];
}
else {
vErrors.push(err500);
}
errors++;
}
if(data170.field === undefined){
const err501 = {instancePath:instancePath+"/rateLimit/rules/" + i17,schemaPath:"#/properties/rateLimit/properties/rules/items/required",keyword:"required",params:{missingProperty: "field"},message:"must have required property '"+"field"+"'",schema:schema11.properties.rateLimit.properties.rules.items.required,parentSchema:schema11.properties.rateLimit.properties.rules.items,data:data170};
if(vErrors === null){
vErrors = [err501];
}
else {
vErrors.push(err501);
}
errors++;
}
if(data170.cookies === undefined){
const err502 = {instancePath:instancePath+"/rateLimit/rules/" + i17,schemaPath:"#/properties/rateLimit/properties/rules/items/required",keyword:"required",params:{missingProperty: "cookies"},message:"must have required property '"+"cookies"+"'",schema:schema11.properties.rateLimit.properties.rules.items.required,parentSchema:schema11.properties.rateLimit.properties.rules.items,data:data170};
if(vErrors === null){
vErrors = [err502];
}
else {
vErrors.push(err502);
}
errors++;
}
if(data170.dryRun === undefined){
const err503 = {instancePath:instancePath+"/rateLimit/rules/" + i17,schemaPath:"#/properties/rateLimit/properties/rules/items/required",keyword:"required",params:{missingProperty: "dryRun"},message:"must have required property '"+"dryRun"+"'",schema:schema11.properties.rateLimit.properties.rules.items.required,parentSchema:schema11.properties.rateLimit.properties.rules.items,data:data170};
if(vErrors === null){
vErrors = [err503];
}
else {
vErrors.push(err503);
}
errors++;
}
for(const key28 in data170){
if(!(func2.call(schema11.properties.rateLimit.properties.rules.items.properties, key28))){
const err504 = {instancePath:instancePath+"/rateLimit/rules/" + i17,schemaPath:"#/properties/rateLimit/properties/rules/items/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key28},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.rateLimit.properties.rules.items,data:data170};
if(vErrors === null){
vErrors = [err504];
}
else {
vErrors.push(err504);
}
errors++;
}
}
if(data170.name !== undefined){
let data171 = data170.name;
if(typeof data171 === "string"){
if(!pattern6.test(data171)){
const err505 = {instancePath:instancePath+"/rateLimit/rules/" + i17+"/name",schemaPath:"#/properties/rateLimit/properties/rules/items/properties/name/pattern",keyword:"pattern",params:{pattern: "^[a-z0-9][a-z0-9_-]{0,31}$"},message:"must match pattern \""+"^[a-z0-9][a-z0-9_-]{0,31}$"+"\"",schema:"^[a-z0-9][a-z0-9_-]{0,31}$",parentSchema:schema11.properties.rateLimit.properties.rules.items.properties.name,data:data171};
if(vErrors === null){
vErrors = [err505];
}
else {
vErrors.push(err505);
}
errors++;
}
}
else {
const err506 = {instancePath:instancePath+"/rateLimit/rules/" + i17+"/name",schemaPath:"#/properties/rateLimit/properties/rules/items/properties/name/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.rateLimit.properties.rules.items.properties.name.type,parentSchema:schema11.properties.rateLimit.properties.rules.items.properties.name,data:data171};
if(vErrors === null){
vErrors = [err506];
}
else {
vErrors.push(err506);
}
errors++;
}
}
let data172 = data170.methods;
if(Array.isArray(data172)){
const len17 = data172.length;
for(let i18=0; i18<len17; i18++){
let data173 = data172[i18];
if(typeof data173 === "string"){
if(!pattern7.test(data173)){
const err507 = {instancePath:instancePath+"/rateLimit/rules/" + i17+"/methods/" + i18,schemaPath:"#/properties/rateLimit/properties/rules/items/properties/methods/items/pattern",keyword:"pattern",params:{pattern: "^([A-Z]+|\\*)$"},message:"must match pattern \""+"^([A-Z]+|\\*)$"+"\"",schema:"^([A-Z]+|\\*)$",parentSchema:schema11.properties.rateLimit.properties.rules.items.properties.methods.items,data:data173};
if(vErrors === null){
vErrors = [err507];
}
else {
vErrors.push(err507);
}
errors++;
}
}
else {
const err508 = {instancePath:instancePath+"/rateLimit/rules/" + i17+"/methods/" + i18,schemaPath:"#/properties/rateLimit/properties/rules/items/properties/methods/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.rateLimit.properties.rules.items.properties.methods.items.type,parentSchema:schema11.properties.rateLimit.properties.rules.items.properties.methods.items,data:data173};
if(vErrors === null){
vErrors = [err508];
}
else {
vErrors.push(err508);
}
errors++;
}
}
}
else {
const err509 = {instancePath:instancePath+"/rateLimit/rules/" + i17+"/methods",schemaPath:"#/properties/rateLimit/properties/rules/items/properties/methods/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.rateLimit.properties.rules.items.properties.methods.type,parentSchema:schema11.properties.rateLimit.properties.rules.items.properties.methods,data:data172};
if(vErrors === null){
vErrors = [err509];
}
else {
vErrors.push(err509);
}
errors++;
}
if(data170.path !== undefined){
let data174 = data170.path;
if(typeof data174 === "string"){
if(func5(data174) < 1){
const err510 = {instancePath:instancePath+"/rateLimit/rules/" + i17+"/path",schemaPath:"#/properties/rateLimit/properties/rules/items/properties/path/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.rateLimit.properties.rules.items.properties.path,data:data174};
if(vErrors === null){
vErrors = [err510];
}
else {
vErrors.push(err510);
}
errors++;
}
if(!pattern0.test(data174)){
const err511 = {instancePath:instancePath+"/rateLimit/rules/" + i17+"/path",schemaPath:"#/properties/rateLimit/properties/rules/items/properties/path/pattern",keyword:"pattern",params:{pattern: "^/"},message:"must match pattern \""+"^/"+"\"",schema:"^/",parentSchema:schema11.properties.rateLimit.properties.rules.items.properties.path,data:data174};
if(vErrors === null){
vErrors = [err511];
}
else {
vErrors.push(err511);
}
errors++;
}
}
else {
const err512 = {instancePath:instancePath+"/rateLimit/rules/" + i17+"/path",schemaPath:"#/properties/rateLimit/properties/rules/items/properties/path/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.rateLimit.properties.rules.items.properties.path.type,parentSchema:schema11.properties.rateLimit.properties.rules.items.properties.path,data:data174};
if(vErrors === null){
vErrors = [err512];
}
else {
vErrors.push(err512);
}
errors++;
}
}
let data175 = data170.limit;
if(!((typeof data175 == "number") && (!(data175 % 1) && !isNaN(data175)))){
const err513 = {instancePath:instancePath+"/rateLimit/rules/" + i17+"/limit",schemaPath:"#/properties/rateLimit/properties/rules/items/properties/limit/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.rateLimit.properties.rules.items.properties.limit.type,parentSchema:schema11.properties.rateLimit.properties.rules.items.properties.limit,data:data175};
if(vErrors === null){
vErrors = [err513];
}
else {
vErrors.push(err513);
}
errors++;
}
if(typeof data175 == "number"){
if(data175 > 100000000 || isNaN(data175)){
const err514 = {instancePath:instancePath+"/rateLimit/rules/" + i17+"/limit",schemaPath:"#/properties/rateLimit/properties/rules/items/properties/limit/maximum",keyword:"maximum",params:{comparison: "<=", limit: 100000000},message:"must be <= 100000000",schema:100000000,parentSchema:schema11.properties.rateLimit.properties.rules.items.properties.limit,data:data175};
if(vErrors === null){
vErrors = [err514];
}
else {
vErrors.push(err514);
}
errors++;
}
if(data175 < 1 || isNaN(data175)){
const err515 = {instancePath:instancePath+"/rateLimit/rules/" + i17+"/limit",schemaPath:"#/properties/rateLimit/properties/rules/items/properties/limit/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema11.properties.rateLimit.properties.rules.items.properties.limit,data:data175};
if(vErrors === null){
vErrors = [err515];
}
else {
vErrors.push(err515);
}
errors++;
}
}
let data176 = data170.window;
const parsed29 = func7(data176);
if(parsed29 === undefined){
const err516 = {instancePath:instancePath+"/rateLimit/rules/" + i17+"/window",schemaPath:"#/properties/rateLimit/properties/rules/items/properties/window/x-unit",keyword:"x-unit",params:{unit: "duration", value: data176, minimum: undefined},message:"unit",schema:"duration",parentSchema:schema11.properties.rateLimit.properties.rules.items.properties.window,data:data176};
if(vErrors === null){
vErrors = [err516];
}
else {
vErrors.push(err516);
}
errors++;
}
else {
if(data170){
data170["window"] = parsed29;
data176 = parsed29;
}
}
let data177 = data170.key;
const _errs407 = errors;
let valid75 = false;
const _errs408 = errors;
if(typeof data177 !== "string"){
const err517 = {instancePath:instancePath+"/rateLimit/rules/" + i17+"/key",schemaPath:"#/properties/rateLimit/properties/rules/items/properties/key/anyOf/0/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.rateLimit.properties.rules.items.properties.key.anyOf[0].type,parentSchema:schema11.properties.rateLimit.properties.rules.items.properties.key.anyOf[0],data:data177};
if(vErrors === null){
vErrors = [err517];
}
else {
vErrors.push(err517);
}
errors++;
}
if("ip" !== data177){
const err518 = {instancePath:instancePath+"/rateLimit/rules/" + i17+"/key",schemaPath:"#/properties/rateLimit/properties/rules/items/properties/key/anyOf/0/const",keyword:"const",params:{allowedValue: "ip"},message:"must be equal to constant",schema:"ip",parentSchema:schema11.properties.rateLimit.properties.rules.items.properties.key.anyOf[0],data:data177};
if(vErrors === null){
vErrors = [err518];
}
else {
vErrors.push(err518);
}
errors++;
}
var _valid9 = _errs408 === errors;
valid75 = valid75 || _valid9;
if(!valid75){
const _errs410 = errors;
if(typeof data177 !== "string"){
const err519 = {instancePath:instancePath+"/rateLimit/rules/" + i17+"/key",schemaPath:"#/properties/rateLimit/properties/rules/items/properties/key/anyOf/1/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.rateLimit.properties.rules.items.properties.key.anyOf[1].type,parentSchema:schema11.properties.rateLimit.properties.rules.items.properties.key.anyOf[1],data:data177};
if(vErrors === null){
vErrors = [err519];
}
else {
vErrors.push(err519);
}
errors++;
}
if("user" !== data177){
const err520 = {instancePath:instancePath+"/rateLimit/rules/" + i17+"/key",schemaPath:"#/properties/rateLimit/properties/rules/items/properties/key/anyOf/1/const",keyword:"const",params:{allowedValue: "user"},message:"must be equal to constant",schema:"user",parentSchema:schema11.properties.rateLimit.properties.rules.items.properties.key.anyOf[1],data:data177};
if(vErrors === null){
vErrors = [err520];
}
else {
vErrors.push(err520);
}
errors++;
}
var _valid9 = _errs410 === errors;
valid75 = valid75 || _valid9;
if(!valid75){
const _errs412 = errors;
if(typeof data177 !== "string"){
const err521 = {instancePath:instancePath+"/rateLimit/rules/" + i17+"/key",schemaPath:"#/properties/rateLimit/properties/rules/items/properties/key/anyOf/2/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.rateLimit.properties.rules.items.properties.key.anyOf[2].type,parentSchema:schema11.properties.rateLimit.properties.rules.items.properties.key.anyOf[2],data:data177};
if(vErrors === null){
vErrors = [err521];
}
else {
vErrors.push(err521);
}
errors++;
}
if("field" !== data177){
const err522 = {instancePath:instancePath+"/rateLimit/rules/" + i17+"/key",schemaPath:"#/properties/rateLimit/properties/rules/items/properties/key/anyOf/2/const",keyword:"const",params:{allowedValue: "field"},message:"must be equal to constant",schema:"field",parentSchema:schema11.properties.rateLimit.properties.rules.items.properties.key.anyOf[2],data:data177};
if(vErrors === null){
vErrors = [err522];
}
else {
vErrors.push(err522);
}
errors++;
}
var _valid9 = _errs412 === errors;
valid75 = valid75 || _valid9;
}
}
if(!valid75){
const err523 = {instancePath:instancePath+"/rateLimit/rules/" + i17+"/key",schemaPath:"#/properties/rateLimit/properties/rules/items/properties/key/anyOf",keyword:"anyOf",params:{},message:"must match a schema in anyOf",schema:schema11.properties.rateLimit.properties.rules.items.properties.key.anyOf,parentSchema:schema11.properties.rateLimit.properties.rules.items.properties.key,data:data177};
if(vErrors === null){
vErrors = [err523];
}
else {
vErrors.push(err523);
}
errors++;
}
else {
errors = _errs407;
if(vErrors !== null){
if(_errs407){
vErrors.length = _errs407;
}
else {
vErrors = null;
}
}
}
let data178 = data170.field;
if(typeof data178 !== "string"){
const err524 = {instancePath:instancePath+"/rateLimit/rules/" + i17+"/field",schemaPath:"#/properties/rateLimit/properties/rules/items/properties/field/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.rateLimit.properties.rules.items.properties.field.type,parentSchema:schema11.properties.rateLimit.properties.rules.items.properties.field,data:data178};
if(vErrors === null){
vErrors = [err524];
}
else {
vErrors.push(err524);
}
errors++;
}
let data179 = data170.cookies;
if(data179 && typeof data179 == "object" && !Array.isArray(data179)){
if(data179.present === undefined){
data179.present = [];
}
if(data179.absent === undefined){
data179.absent = [];
}
if(data179.present === undefined){
const err525 = {instancePath:instancePath+"/rateLimit/rules/" + i17+"/cookies",schemaPath:"#/properties/rateLimit/properties/rules/items/properties/cookies/required",keyword:"required",params:{missingProperty: "present"},message:"must have required property '"+"present"+"'",schema:schema11.properties.rateLimit.properties.rules.items.properties.cookies.required,parentSchema:schema11.properties.rateLimit.properties.rules.items.properties.cookies,data:data179};
if(vErrors === null){
vErrors = [err525];
}
else {
vErrors.push(err525);
}
errors++;
}
if(data179.absent === undefined){
const err526 = {instancePath:instancePath+"/rateLimit/rules/" + i17+"/cookies",schemaPath:"#/properties/rateLimit/properties/rules/items/properties/cookies/required",keyword:"required",params:{missingProperty: "absent"},message:"must have required property '"+"absent"+"'",schema:schema11.properties.rateLimit.properties.rules.items.properties.cookies.required,parentSchema:schema11.properties.rateLimit.properties.rules.items.properties.cookies,data:data179};
if(vErrors === null){
vErrors = [err526];
}
else {
vErrors.push(err526);
}
errors++;
}
for(const key29 in data179){
if(!((key29 === "present") || (key29 === "absent"))){
const err527 = {instancePath:instancePath+"/rateLimit/rules/" + i17+"/cookies",schemaPath:"#/properties/rateLimit/properties/rules/items/properties/cookies/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key29},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.rateLimit.properties.rules.items.properties.cookies,data:data179};
if(vErrors === null){
vErrors = [err527];
}
else {
vErrors.push(err527);
}
errors++;
}
}
let data180 = data179.present;
if(Array.isArray(data180)){
const len18 = data180.length;
for(let i19=0; i19<len18; i19++){
let data181 = data180[i19];
if(typeof data181 === "string"){
if(func5(data181) < 1){
const err528 = {instancePath:instancePath+"/rateLimit/rules/" + i17+"/cookies/present/" + i19,schemaPath:"#/properties/rateLimit/properties/rules/items/properties/cookies/properties/present/items/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.rateLimit.properties.rules.items.properties.cookies.properties.present.items,data:data181};
if(vErrors === null){
vErrors = [err528];
}
else {
vErrors.push(err528);
}
errors++;
}
}
else {
const err529 = {instancePath:instancePath+"/rateLimit/rules/" + i17+"/cookies/present/" + i19,schemaPath:"#/properties/rateLimit/properties/rules/items/properties/cookies/properties/present/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.rateLimit.properties.rules.items.properties.cookies.properties.present.items.type,parentSchema:schema11.properties.rateLimit.properties.rules.items.properties.cookies.properties.present.items,data:data181};
if(vErrors === null){
vErrors = [err529];
}
else {
vErrors.push(err529);
}
errors++;
}
}
}
else {
const err530 = {instancePath:instancePath+"/rateLimit/rules/" + i17+"/cookies/present",schemaPath:"#/properties/rateLimit/properties/rules/items/properties/cookies/properties/present/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.rateLimit.properties.rules.items.properties.cookies.properties.present.type,parentSchema:schema11.properties.rateLimit.properties.rules.items.properties.cookies.properties.present,data:data180};
if(vErrors === null){
vErrors = [err530];
}
else {
vErrors.push(err530);
}
errors++;
}
let data182 = data179.absent;
if(Array.isArray(data182)){
const len19 = data182.length;
for(let i20=0; i20<len19; i20++){
let data183 = data182[i20];
if(typeof data183 === "string"){
if(func5(data183) < 1){
const err531 = {instancePath:instancePath+"/rateLimit/rules/" + i17+"/cookies/absent/" + i20,schemaPath:"#/properties/rateLimit/properties/rules/items/properties/cookies/properties/absent/items/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.rateLimit.properties.rules.items.properties.cookies.properties.absent.items,data:data183};
if(vErrors === null){
vErrors = [err531];
}
else {
vErrors.push(err531);
}
errors++;
}
}
else {
const err532 = {instancePath:instancePath+"/rateLimit/rules/" + i17+"/cookies/absent/" + i20,schemaPath:"#/properties/rateLimit/properties/rules/items/properties/cookies/properties/absent/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.rateLimit.properties.rules.items.properties.cookies.properties.absent.items.type,parentSchema:schema11.properties.rateLimit.properties.rules.items.properties.cookies.properties.absent.items,data:data183};
if(vErrors === null){
vErrors = [err532];
}
else {
vErrors.push(err532);
}
errors++;
}
}
}
else {
const err533 = {instancePath:instancePath+"/rateLimit/rules/" + i17+"/cookies/absent",schemaPath:"#/properties/rateLimit/properties/rules/items/properties/cookies/properties/absent/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.rateLimit.properties.rules.items.properties.cookies.properties.absent.type,parentSchema:schema11.properties.rateLimit.properties.rules.items.properties.cookies.properties.absent,data:data182};
if(vErrors === null){
vErrors = [err533];
}
else {
vErrors.push(err533);
}
errors++;
}
}
else {
const err534 = {instancePath:instancePath+"/rateLimit/rules/" + i17+"/cookies",schemaPath:"#/properties/rateLimit/properties/rules/items/properties/cookies/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.rateLimit.properties.rules.items.properties.cookies.type,parentSchema:schema11.properties.rateLimit.properties.rules.items.properties.cookies,data:data179};
if(vErrors === null){
vErrors = [err534];
}
else {
vErrors.push(err534);
}
errors++;
}
let data184 = data170.dryRun;
if(typeof data184 !== "boolean"){
const err535 = {instancePath:instancePath+"/rateLimit/rules/" + i17+"/dryRun",schemaPath:"#/properties/rateLimit/properties/rules/items/properties/dryRun/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema11.properties.rateLimit.properties.rules.items.properties.dryRun.type,parentSchema:schema11.properties.rateLimit.properties.rules.items.properties.dryRun,data:data184};
if(vErrors === null){
vErrors = [err535];
}
else {
vErrors.push(err535);
}
errors++;
}
}
else {
const err536 = {instancePath:instancePath+"/rateLimit/rules/" + i17,schemaPath:"#/properties/rateLimit/properties/rules/items/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.rateLimit.properties.rules.items.type,parentSchema:schema11.properties.rateLimit.properties.rules.items,data:data170};
if(vErrors === null){
vErrors = [err536];
}
else {
vErrors.push(err536);
}
errors++;
}
}
}
else {
const err537 = {instancePath:instancePath+"/rateLimit/rules",schemaPath:"#/properties/rateLimit/properties/rules/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.rateLimit.properties.rules.type,parentSchema:schema11.properties.rateLimit.properties.rules,data:data169};
if(vErrors === null){
vErrors = [err537];
}
else {
vErrors.push(err537);
}
errors++;
}
let data185 = data155.identity;
if(data185 && typeof data185 == "object" && !Array.isArray(data185)){
if(data185.cookie === undefined){
data185.cookie = "PHPSESSID";
}
if(data185.header === undefined){
data185.header = "";
}
if(data185.basic === undefined){
data185.basic = false;
}
if(data185.jwt === undefined){
data185.jwt = {};
}
if(data185.cookie === undefined){
const err538 = {instancePath:instancePath+"/rateLimit/identity",schemaPath:"#/properties/rateLimit/properties/identity/required",keyword:"required",params:{missingProperty: "cookie"},message:"must have required property '"+"cookie"+"'",schema:schema11.properties.rateLimit.properties.identity.required,parentSchema:schema11.properties.rateLimit.properties.identity,data:data185};
if(vErrors === null){
vErrors = [err538];
}
else {
vErrors.push(err538);
}
errors++;
}
if(data185.header === undefined){
const err539 = {instancePath:instancePath+"/rateLimit/identity",schemaPath:"#/properties/rateLimit/properties/identity/required",keyword:"required",params:{missingProperty: "header"},message:"must have required property '"+"header"+"'",schema:schema11.properties.rateLimit.properties.identity.required,parentSchema:schema11.properties.rateLimit.properties.identity,data:data185};
if(vErrors === null){
vErrors = [err539];
}
else {
vErrors.push(err539);
}
errors++;
}
if(data185.basic === undefined){
const err540 = {instancePath:instancePath+"/rateLimit/identity",schemaPath:"#/properties/rateLimit/properties/identity/required",keyword:"required",params:{missingProperty: "basic"},message:"must have required property '"+"basic"+"'",schema:schema11.properties.rateLimit.properties.identity.required,parentSchema:schema11.properties.rateLimit.properties.identity,data:data185};
if(vErrors === null){
vErrors = [err540];
}
else {
vErrors.push(err540);
}
errors++;
}
if(data185.jwt === undefined){
const err541 = {instancePath:instancePath+"/rateLimit/identity",schemaPath:"#/properties/rateLimit/properties/identity/required",keyword:"required",params:{missingProperty: "jwt"},message:"must have required property '"+"jwt"+"'",schema:schema11.properties.rateLimit.properties.identity.required,parentSchema:schema11.properties.rateLimit.properties.identity,data:data185};
if(vErrors === null){
vErrors = [err541];
}
else {
vErrors.push(err541);
}
errors++;
}
for(const key30 in data185){
if(!((((key30 === "cookie") || (key30 === "header")) || (key30 === "basic")) || (key30 === "jwt"))){
const err542 = {instancePath:instancePath+"/rateLimit/identity",schemaPath:"#/properties/rateLimit/properties/identity/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key30},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.rateLimit.properties.identity,data:data185};
if(vErrors === null){
vErrors = [err542];
}
else {
vErrors.push(err542);
}
errors++;
}
}
let data186 = data185.cookie;
const _errs433 = errors;
let valid82 = false;
const _errs434 = errors;
if(typeof data186 !== "string"){
const err543 = {instancePath:instancePath+"/rateLimit/identity/cookie",schemaPath:"#/properties/rateLimit/properties/identity/properties/cookie/anyOf/0/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.rateLimit.properties.identity.properties.cookie.anyOf[0].type,parentSchema:schema11.properties.rateLimit.properties.identity.properties.cookie.anyOf[0],data:data186};
if(vErrors === null){
vErrors = [err543];
}
else {
vErrors.push(err543);
}
errors++;
}
var _valid10 = _errs434 === errors;
valid82 = valid82 || _valid10;
if(!valid82){
const _errs436 = errors;
if(Array.isArray(data186)){
const len20 = data186.length;
for(let i21=0; i21<len20; i21++){
let data187 = data186[i21];
if(typeof data187 === "string"){
if(func5(data187) < 1){
const err544 = {instancePath:instancePath+"/rateLimit/identity/cookie/" + i21,schemaPath:"#/properties/rateLimit/properties/identity/properties/cookie/anyOf/1/items/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.rateLimit.properties.identity.properties.cookie.anyOf[1].items,data:data187};
if(vErrors === null){
vErrors = [err544];
}
else {
vErrors.push(err544);
}
errors++;
}
}
else {
const err545 = {instancePath:instancePath+"/rateLimit/identity/cookie/" + i21,schemaPath:"#/properties/rateLimit/properties/identity/properties/cookie/anyOf/1/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.rateLimit.properties.identity.properties.cookie.anyOf[1].items.type,parentSchema:schema11.properties.rateLimit.properties.identity.properties.cookie.anyOf[1].items,data:data187};
if(vErrors === null){
vErrors = [err545];
}
else {
vErrors.push(err545);
}
errors++;
}
}
}
else {
const err546 = {instancePath:instancePath+"/rateLimit/identity/cookie",schemaPath:"#/properties/rateLimit/properties/identity/properties/cookie/anyOf/1/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.rateLimit.properties.identity.properties.cookie.anyOf[1].type,parentSchema:schema11.properties.rateLimit.properties.identity.properties.cookie.anyOf[1],data:data186};
if(vErrors === null){
vErrors = [err546];
}
else {
vErrors.push(err546);
}
errors++;
}
var _valid10 = _errs436 === errors;
valid82 = valid82 || _valid10;
}
if(!valid82){
const err547 = {instancePath:instancePath+"/rateLimit/identity/cookie",schemaPath:"#/properties/rateLimit/properties/identity/properties/cookie/anyOf",keyword:"anyOf",params:{},message:"must match a schema in anyOf",schema:schema11.properties.rateLimit.properties.identity.properties.cookie.anyOf,parentSchema:schema11.properties.rateLimit.properties.identity.properties.cookie,data:data186};
if(vErrors === null){
vErrors = [err547];
}
else {
vErrors.push(err547);
}
errors++;
}
else {
errors = _errs433;
if(vErrors !== null){
if(_errs433){
vErrors.length = _errs433;
}
else {
vErrors = null;
}
}
}
let data188 = data185.header;
if(typeof data188 !== "string"){
const err548 = {instancePath:instancePath+"/rateLimit/identity/header",schemaPath:"#/properties/rateLimit/properties/identity/properties/header/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.rateLimit.properties.identity.properties.header.type,parentSchema:schema11.properties.rateLimit.properties.identity.properties.header,data:data188};
if(vErrors === null){
vErrors = [err548];
}
else {
vErrors.push(err548);
}
errors++;
}
let data189 = data185.basic;
if(typeof data189 !== "boolean"){
const err549 = {instancePath:instancePath+"/rateLimit/identity/basic",schemaPath:"#/properties/rateLimit/properties/identity/properties/basic/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema11.properties.rateLimit.properties.identity.properties.basic.type,parentSchema:schema11.properties.rateLimit.properties.identity.properties.basic,data:data189};
if(vErrors === null){
vErrors = [err549];
}
else {
vErrors.push(err549);
}
errors++;
}
let data190 = data185.jwt;
if(data190 && typeof data190 == "object" && !Array.isArray(data190)){
if(data190.enabled === undefined){
data190.enabled = false;
}
if(data190.header === undefined){
data190.header = "authorization";
}
if(data190.cookie === undefined){
data190.cookie = "";
}
if(data190.algorithms === undefined){
data190.algorithms = ["HS256"];
}
if(data190.secret === undefined){
data190.secret = "";
}
if(data190.publicKey === undefined){
data190.publicKey = "";
}
if(data190.issuer === undefined){
data190.issuer = "";
}
if(data190.audience === undefined){
data190.audience = "";
}
if(data190.enabled === undefined){
const err550 = {instancePath:instancePath+"/rateLimit/identity/jwt",schemaPath:"#/properties/rateLimit/properties/identity/properties/jwt/required",keyword:"required",params:{missingProperty: "enabled"},message:"must have required property '"+"enabled"+"'",schema:schema11.properties.rateLimit.properties.identity.properties.jwt.required,parentSchema:schema11.properties.rateLimit.properties.identity.properties.jwt,data:data190};
if(vErrors === null){
vErrors = [err550];
}
else {
vErrors.push(err550);
}
errors++;
}
if(data190.header === undefined){
const err551 = {instancePath:instancePath+"/rateLimit/identity/jwt",schemaPath:"#/properties/rateLimit/properties/identity/properties/jwt/required",keyword:"required",params:{missingProperty: "header"},message:"must have required property '"+"header"+"'",schema:schema11.properties.rateLimit.properties.identity.properties.jwt.required,parentSchema:schema11.properties.rateLimit.properties.identity.properties.jwt,data:data190};
if(vErrors === null){
vErrors = [err551];
}
else {
vErrors.push(err551);
}
errors++;
}
if(data190.cookie === undefined){
const err552 = {instancePath:instancePath+"/rateLimit/identity/jwt",schemaPath:"#/properties/rateLimit/properties/identity/properties/jwt/required",keyword:"required",params:{missingProperty: "cookie"},message:"must have required property '"+"cookie"+"'",schema:schema11.properties.rateLimit.properties.identity.properties.jwt.required,parentSchema:schema11.properties.rateLimit.properties.identity.properties.jwt,data:data190};
if(vErrors === null){
vErrors = [err552];
}
else {
vErrors.push(err552);
}
errors++;
}
if(data190.algorithms === undefined){
const err553 = {instancePath:instancePath+"/rateLimit/identity/jwt",schemaPath:"#/properties/rateLimit/properties/identity/properties/jwt/required",keyword:"required",params:{missingProperty: "algorithms"},message:"must have required property '"+"algorithms"+"'",schema:schema11.properties.rateLimit.properties.identity.properties.jwt.required,parentSchema:schema11.properties.rateLimit.properties.identity.properties.jwt,data:data190};
if(vErrors === null){
vErrors = [err553];
}
else {
vErrors.push(err553);
}
errors++;
}
if(data190.secret === undefined){
const err554 = {instancePath:instancePath+"/rateLimit/identity/jwt",schemaPath:"#/properties/rateLimit/properties/identity/properties/jwt/required",keyword:"required",params:{missingProperty: "secret"},message:"must have required property '"+"secret"+"'",schema:schema11.properties.rateLimit.properties.identity.properties.jwt.required,parentSchema:schema11.properties.rateLimit.properties.identity.properties.jwt,data:data190};
if(vErrors === null){
vErrors = [err554];
}
else {
vErrors.push(err554);
}
errors++;
}
if(data190.publicKey === undefined){
const err555 = {instancePath:instancePath+"/rateLimit/identity/jwt",schemaPath:"#/properties/rateLimit/properties/identity/properties/jwt/required",keyword:"required",params:{missingProperty: "publicKey"},message:"must have required property '"+"publicKey"+"'",schema:schema11.properties.rateLimit.properties.identity.properties.jwt.required,parentSchema:schema11.properties.rateLimit.properties.identity.properties.jwt,data:data190};
if(vErrors === null){
vErrors = [err555];
}
else {
vErrors.push(err555);
}
errors++;
}
if(data190.issuer === undefined){
const err556 = {instancePath:instancePath+"/rateLimit/identity/jwt",schemaPath:"#/properties/rateLimit/properties/identity/properties/jwt/required",keyword:"required",params:{missingProperty: "issuer"},message:"must have required property '"+"issuer"+"'",schema:schema11.properties.rateLimit.properties.identity.properties.jwt.required,parentSchema:schema11.properties.rateLimit.properties.identity.properties.jwt,data:data190};
if(vErrors === null){
vErrors = [err556];
}
else {
vErrors.push(err556);
}
errors++;
}
if(data190.audience === undefined){
const err557 = {instancePath:instancePath+"/rateLimit/identity/jwt",schemaPath:"#/properties/rateLimit/properties/identity/properties/jwt/required",keyword:"required",params:{missingProperty: "audience"},message:"must have required property '"+"audience"+"'",schema:schema11.properties.rateLimit.properties.identity.properties.jwt.required,parentSchema:schema11.properties.rateLimit.properties.identity.properties.jwt,data:data190};
if(vErrors === null){
vErrors = [err557];
}
else {
vErrors.push(err557);
}
errors++;
}
for(const key31 in data190){
if(!((((((((key31 === "enabled") || (key31 === "header")) || (key31 === "cookie")) || (key31 === "algorithms")) || (key31 === "secret")) || (key31 === "publicKey")) || (key31 === "issuer")) || (key31 === "audience"))){
const err558 = {instancePath:instancePath+"/rateLimit/identity/jwt",schemaPath:"#/properties/rateLimit/properties/identity/properties/jwt/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key31},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.rateLimit.properties.identity.properties.jwt,data:data190};
if(vErrors === null){
vErrors = [err558];
}
else {
vErrors.push(err558);
}
errors++;
}
}
let data191 = data190.enabled;
if(typeof data191 !== "boolean"){
const err559 = {instancePath:instancePath+"/rateLimit/identity/jwt/enabled",schemaPath:"#/properties/rateLimit/properties/identity/properties/jwt/properties/enabled/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema11.properties.rateLimit.properties.identity.properties.jwt.properties.enabled.type,parentSchema:schema11.properties.rateLimit.properties.identity.properties.jwt.properties.enabled,data:data191};
if(vErrors === null){
vErrors = [err559];
}
else {
vErrors.push(err559);
}
errors++;
}
let data192 = data190.header;
if(typeof data192 !== "string"){
const err560 = {instancePath:instancePath+"/rateLimit/identity/jwt/header",schemaPath:"#/properties/rateLimit/properties/identity/properties/jwt/properties/header/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.rateLimit.properties.identity.properties.jwt.properties.header.type,parentSchema:schema11.properties.rateLimit.properties.identity.properties.jwt.properties.header,data:data192};
if(vErrors === null){
vErrors = [err560];
}
else {
vErrors.push(err560);
}
errors++;
}
let data193 = data190.cookie;
if(typeof data193 === "string"){
if(!pattern9.test(data193)){
const err561 = {instancePath:instancePath+"/rateLimit/identity/jwt/cookie",schemaPath:"#/properties/rateLimit/properties/identity/properties/jwt/properties/cookie/pattern",keyword:"pattern",params:{pattern: "^[^*?]*$"},message:"must match pattern \""+"^[^*?]*$"+"\"",schema:"^[^*?]*$",parentSchema:schema11.properties.rateLimit.properties.identity.properties.jwt.properties.cookie,data:data193};
if(vErrors === null){
vErrors = [err561];
}
else {
vErrors.push(err561);
}
errors++;
}
}
else {
const err562 = {instancePath:instancePath+"/rateLimit/identity/jwt/cookie",schemaPath:"#/properties/rateLimit/properties/identity/properties/jwt/properties/cookie/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.rateLimit.properties.identity.properties.jwt.properties.cookie.type,parentSchema:schema11.properties.rateLimit.properties.identity.properties.jwt.properties.cookie,data:data193};
if(vErrors === null){
vErrors = [err562];
}
else {
vErrors.push(err562);
}
errors++;
}
let data194 = data190.algorithms;
if(Array.isArray(data194)){
const len21 = data194.length;
for(let i22=0; i22<len21; i22++){
let data195 = data194[i22];
const _errs456 = errors;
let valid88 = false;
const _errs457 = errors;
if(typeof data195 !== "string"){
const err563 = {instancePath:instancePath+"/rateLimit/identity/jwt/algorithms/" + i22,schemaPath:"#/properties/rateLimit/properties/identity/properties/jwt/properties/algorithms/items/anyOf/0/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.rateLimit.properties.identity.properties.jwt.properties.algorithms.items.anyOf[0].type,parentSchema:schema11.properties.rateLimit.properties.identity.properties.jwt.properties.algorithms.items.anyOf[0],data:data195};
if(vErrors === null){
vErrors = [err563];
}
else {
vErrors.push(err563);
}
errors++;
}
if("HS256" !== data195){
const err564 = {instancePath:instancePath+"/rateLimit/identity/jwt/algorithms/" + i22,schemaPath:"#/properties/rateLimit/properties/identity/properties/jwt/properties/algorithms/items/anyOf/0/const",keyword:"const",params:{allowedValue: "HS256"},message:"must be equal to constant",schema:"HS256",parentSchema:schema11.properties.rateLimit.properties.identity.properties.jwt.properties.algorithms.items.anyOf[0],data:data195};
if(vErrors === null){
vErrors = [err564];
}
else {
vErrors.push(err564);
}
errors++;
}
var _valid11 = _errs457 === errors;
valid88 = valid88 || _valid11;
if(!valid88){
const _errs459 = errors;
if(typeof data195 !== "string"){
const err565 = {instancePath:instancePath+"/rateLimit/identity/jwt/algorithms/" + i22,schemaPath:"#/properties/rateLimit/properties/identity/properties/jwt/properties/algorithms/items/anyOf/1/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.rateLimit.properties.identity.properties.jwt.properties.algorithms.items.anyOf[1].type,parentSchema:schema11.properties.rateLimit.properties.identity.properties.jwt.properties.algorithms.items.anyOf[1],data:data195};
if(vErrors === null){
vErrors = [err565];
}
else {
vErrors.push(err565);
}
errors++;
}
if("HS384" !== data195){
const err566 = {instancePath:instancePath+"/rateLimit/identity/jwt/algorithms/" + i22,schemaPath:"#/properties/rateLimit/properties/identity/properties/jwt/properties/algorithms/items/anyOf/1/const",keyword:"const",params:{allowedValue: "HS384"},message:"must be equal to constant",schema:"HS384",parentSchema:schema11.properties.rateLimit.properties.identity.properties.jwt.properties.algorithms.items.anyOf[1],data:data195};
if(vErrors === null){
vErrors = [err566];
}
else {
vErrors.push(err566);
}
errors++;
}
var _valid11 = _errs459 === errors;
valid88 = valid88 || _valid11;
if(!valid88){
const _errs461 = errors;
if(typeof data195 !== "string"){
const err567 = {instancePath:instancePath+"/rateLimit/identity/jwt/algorithms/" + i22,schemaPath:"#/properties/rateLimit/properties/identity/properties/jwt/properties/algorithms/items/anyOf/2/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.rateLimit.properties.identity.properties.jwt.properties.algorithms.items.anyOf[2].type,parentSchema:schema11.properties.rateLimit.properties.identity.properties.jwt.properties.algorithms.items.anyOf[2],data:data195};
if(vErrors === null){
vErrors = [err567];
}
else {
vErrors.push(err567);
}
errors++;
}
if("HS512" !== data195){
const err568 = {instancePath:instancePath+"/rateLimit/identity/jwt/algorithms/" + i22,schemaPath:"#/properties/rateLimit/properties/identity/properties/jwt/properties/algorithms/items/anyOf/2/const",keyword:"const",params:{allowedValue: "HS512"},message:"must be equal to constant",schema:"HS512",parentSchema:schema11.properties.rateLimit.properties.identity.properties.jwt.properties.algorithms.items.anyOf[2],data:data195};
if(vErrors === null){
vErrors = [err568];
}
else {
vErrors.push(err568);
}
errors++;
}
var _valid11 = _errs461 === errors;
valid88 = valid88 || _valid11;
if(!valid88){
const _errs463 = errors;
if(typeof data195 !== "string"){
const err569 = {instancePath:instancePath+"/rateLimit/identity/jwt/algorithms/" + i22,schemaPath:"#/properties/rateLimit/properties/identity/properties/jwt/properties/algorithms/items/anyOf/3/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.rateLimit.properties.identity.properties.jwt.properties.algorithms.items.anyOf[3].type,parentSchema:schema11.properties.rateLimit.properties.identity.properties.jwt.properties.algorithms.items.anyOf[3],data:data195};
if(vErrors === null){
vErrors = [err569];
}
else {
vErrors.push(err569);
}
errors++;
}
if("RS256" !== data195){
const err570 = {instancePath:instancePath+"/rateLimit/identity/jwt/algorithms/" + i22,schemaPath:"#/properties/rateLimit/properties/identity/properties/jwt/properties/algorithms/items/anyOf/3/const",keyword:"const",params:{allowedValue: "RS256"},message:"must be equal to constant",schema:"RS256",parentSchema:schema11.properties.rateLimit.properties.identity.properties.jwt.properties.algorithms.items.anyOf[3],data:data195};
if(vErrors === null){
vErrors = [err570];
}
else {
vErrors.push(err570);
}
errors++;
}
var _valid11 = _errs463 === errors;
valid88 = valid88 || _valid11;
if(!valid88){
const _errs465 = errors;
if(typeof data195 !== "string"){
const err571 = {instancePath:instancePath+"/rateLimit/identity/jwt/algorithms/" + i22,schemaPath:"#/properties/rateLimit/properties/identity/properties/jwt/properties/algorithms/items/anyOf/4/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.rateLimit.properties.identity.properties.jwt.properties.algorithms.items.anyOf[4].type,parentSchema:schema11.properties.rateLimit.properties.identity.properties.jwt.properties.algorithms.items.anyOf[4],data:data195};
if(vErrors === null){
vErrors = [err571];
}
else {
vErrors.push(err571);
}
errors++;
}
if("RS384" !== data195){
const err572 = {instancePath:instancePath+"/rateLimit/identity/jwt/algorithms/" + i22,schemaPath:"#/properties/rateLimit/properties/identity/properties/jwt/properties/algorithms/items/anyOf/4/const",keyword:"const",params:{allowedValue: "RS384"},message:"must be equal to constant",schema:"RS384",parentSchema:schema11.properties.rateLimit.properties.identity.properties.jwt.properties.algorithms.items.anyOf[4],data:data195};
if(vErrors === null){
vErrors = [err572];
}
else {
vErrors.push(err572);
}
errors++;
}
var _valid11 = _errs465 === errors;
valid88 = valid88 || _valid11;
if(!valid88){
const _errs467 = errors;
if(typeof data195 !== "string"){
const err573 = {instancePath:instancePath+"/rateLimit/identity/jwt/algorithms/" + i22,schemaPath:"#/properties/rateLimit/properties/identity/properties/jwt/properties/algorithms/items/anyOf/5/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.rateLimit.properties.identity.properties.jwt.properties.algorithms.items.anyOf[5].type,parentSchema:schema11.properties.rateLimit.properties.identity.properties.jwt.properties.algorithms.items.anyOf[5],data:data195};
if(vErrors === null){
vErrors = [err573];
}
else {
vErrors.push(err573);
}
errors++;
}
if("RS512" !== data195){
const err574 = {instancePath:instancePath+"/rateLimit/identity/jwt/algorithms/" + i22,schemaPath:"#/properties/rateLimit/properties/identity/properties/jwt/properties/algorithms/items/anyOf/5/const",keyword:"const",params:{allowedValue: "RS512"},message:"must be equal to constant",schema:"RS512",parentSchema:schema11.properties.rateLimit.properties.identity.properties.jwt.properties.algorithms.items.anyOf[5],data:data195};
if(vErrors === null){
vErrors = [err574];
}
else {
vErrors.push(err574);
}
errors++;
}
var _valid11 = _errs467 === errors;
valid88 = valid88 || _valid11;
if(!valid88){
const _errs469 = errors;
if(typeof data195 !== "string"){
const err575 = {instancePath:instancePath+"/rateLimit/identity/jwt/algorithms/" + i22,schemaPath:"#/properties/rateLimit/properties/identity/properties/jwt/properties/algorithms/items/anyOf/6/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.rateLimit.properties.identity.properties.jwt.properties.algorithms.items.anyOf[6].type,parentSchema:schema11.properties.rateLimit.properties.identity.properties.jwt.properties.algorithms.items.anyOf[6],data:data195};
if(vErrors === null){
vErrors = [err575];
}
else {
vErrors.push(err575);
}
errors++;
}
if("PS256" !== data195){
const err576 = {instancePath:instancePath+"/rateLimit/identity/jwt/algorithms/" + i22,schemaPath:"#/properties/rateLimit/properties/identity/properties/jwt/properties/algorithms/items/anyOf/6/const",keyword:"const",params:{allowedValue: "PS256"},message:"must be equal to constant",schema:"PS256",parentSchema:schema11.properties.rateLimit.properties.identity.properties.jwt.properties.algorithms.items.anyOf[6],data:data195};
if(vErrors === null){
vErrors = [err576];
}
else {
vErrors.push(err576);
}
errors++;
}
var _valid11 = _errs469 === errors;
valid88 = valid88 || _valid11;
if(!valid88){
const _errs471 = errors;
if(typeof data195 !== "string"){
const err577 = {instancePath:instancePath+"/rateLimit/identity/jwt/algorithms/" + i22,schemaPath:"#/properties/rateLimit/properties/identity/properties/jwt/properties/algorithms/items/anyOf/7/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.rateLimit.properties.identity.properties.jwt.properties.algorithms.items.anyOf[7].type,parentSchema:schema11.properties.rateLimit.properties.identity.properties.jwt.properties.algorithms.items.anyOf[7],data:data195};
if(vErrors === null){
vErrors = [err577];
}
else {
vErrors.push(err577);
}
errors++;
}
if("PS384" !== data195){
const err578 = {instancePath:instancePath+"/rateLimit/identity/jwt/algorithms/" + i22,schemaPath:"#/properties/rateLimit/properties/identity/properties/jwt/properties/algorithms/items/anyOf/7/const",keyword:"const",params:{allowedValue: "PS384"},message:"must be equal to constant",schema:"PS384",parentSchema:schema11.properties.rateLimit.properties.identity.properties.jwt.properties.algorithms.items.anyOf[7],data:data195};
if(vErrors === null){
vErrors = [err578];
}
else {
vErrors.push(err578);
}
errors++;
}
var _valid11 = _errs471 === errors;
valid88 = valid88 || _valid11;
if(!valid88){
const _errs473 = errors;
if(typeof data195 !== "string"){
const err579 = {instancePath:instancePath+"/rateLimit/identity/jwt/algorithms/" + i22,schemaPath:"#/properties/rateLimit/properties/identity/properties/jwt/properties/algorithms/items/anyOf/8/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.rateLimit.properties.identity.properties.jwt.properties.algorithms.items.anyOf[8].type,parentSchema:schema11.properties.rateLimit.properties.identity.properties.jwt.properties.algorithms.items.anyOf[8],data:data195};
if(vErrors === null){
vErrors = [err579];
}
else {
vErrors.push(err579);
}
errors++;
}
if("PS512" !== data195){
const err580 = {instancePath:instancePath+"/rateLimit/identity/jwt/algorithms/" + i22,schemaPath:"#/properties/rateLimit/properties/identity/properties/jwt/properties/algorithms/items/anyOf/8/const",keyword:"const",params:{allowedValue: "PS512"},message:"must be equal to constant",schema:"PS512",parentSchema:schema11.properties.rateLimit.properties.identity.properties.jwt.properties.algorithms.items.anyOf[8],data:data195};
if(vErrors === null){
vErrors = [err580];
}
else {
vErrors.push(err580);
}
errors++;
}
var _valid11 = _errs473 === errors;
valid88 = valid88 || _valid11;
if(!valid88){
const _errs475 = errors;
if(typeof data195 !== "string"){
const err581 = {instancePath:instancePath+"/rateLimit/identity/jwt/algorithms/" + i22,schemaPath:"#/properties/rateLimit/properties/identity/properties/jwt/properties/algorithms/items/anyOf/9/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.rateLimit.properties.identity.properties.jwt.properties.algorithms.items.anyOf[9].type,parentSchema:schema11.properties.rateLimit.properties.identity.properties.jwt.properties.algorithms.items.anyOf[9],data:data195};
if(vErrors === null){
vErrors = [err581];
}
else {
vErrors.push(err581);
}
errors++;
}
if("ES256" !== data195){
const err582 = {instancePath:instancePath+"/rateLimit/identity/jwt/algorithms/" + i22,schemaPath:"#/properties/rateLimit/properties/identity/properties/jwt/properties/algorithms/items/anyOf/9/const",keyword:"const",params:{allowedValue: "ES256"},message:"must be equal to constant",schema:"ES256",parentSchema:schema11.properties.rateLimit.properties.identity.properties.jwt.properties.algorithms.items.anyOf[9],data:data195};
if(vErrors === null){
vErrors = [err582];
}
else {
vErrors.push(err582);
}
errors++;
}
var _valid11 = _errs475 === errors;
valid88 = valid88 || _valid11;
if(!valid88){
const _errs477 = errors;
if(typeof data195 !== "string"){
const err583 = {instancePath:instancePath+"/rateLimit/identity/jwt/algorithms/" + i22,schemaPath:"#/properties/rateLimit/properties/identity/properties/jwt/properties/algorithms/items/anyOf/10/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.rateLimit.properties.identity.properties.jwt.properties.algorithms.items.anyOf[10].type,parentSchema:schema11.properties.rateLimit.properties.identity.properties.jwt.properties.algorithms.items.anyOf[10],data:data195};
if(vErrors === null){
vErrors = [err583];
}
else {
vErrors.push(err583);
}
errors++;
}
if("ES384" !== data195){
const err584 = {instancePath:instancePath+"/rateLimit/identity/jwt/algorithms/" + i22,schemaPath:"#/properties/rateLimit/properties/identity/properties/jwt/properties/algorithms/items/anyOf/10/const",keyword:"const",params:{allowedValue: "ES384"},message:"must be equal to constant",schema:"ES384",parentSchema:schema11.properties.rateLimit.properties.identity.properties.jwt.properties.algorithms.items.anyOf[10],data:data195};
if(vErrors === null){
vErrors = [err584];
}
else {
vErrors.push(err584);
}
errors++;
}
var _valid11 = _errs477 === errors;
valid88 = valid88 || _valid11;
if(!valid88){
const _errs479 = errors;
if(typeof data195 !== "string"){
const err585 = {instancePath:instancePath+"/rateLimit/identity/jwt/algorithms/" + i22,schemaPath:"#/properties/rateLimit/properties/identity/properties/jwt/properties/algorithms/items/anyOf/11/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.rateLimit.properties.identity.properties.jwt.properties.algorithms.items.anyOf[11].type,parentSchema:schema11.properties.rateLimit.properties.identity.properties.jwt.properties.algorithms.items.anyOf[11],data:data195};
if(vErrors === null){
vErrors = [err585];
}
else {
vErrors.push(err585);
}
errors++;
}
if("EdDSA" !== data195){
const err586 = {instancePath:instancePath+"/rateLimit/identity/jwt/algorithms/" + i22,schemaPath:"#/properties/rateLimit/properties/identity/properties/jwt/properties/algorithms/items/anyOf/11/const",keyword:"const",params:{allowedValue: "EdDSA"},message:"must be equal to constant",schema:"EdDSA",parentSchema:schema11.properties.rateLimit.properties.identity.properties.jwt.properties.algorithms.items.anyOf[11],data:data195};
if(vErrors === null){
vErrors = [err586];
}
else {
vErrors.push(err586);
}
errors++;
}
var _valid11 = _errs479 === errors;
valid88 = valid88 || _valid11;
}
}
}
}
}
}
}
}
}
}
}
if(!valid88){
const err587 = {instancePath:instancePath+"/rateLimit/identity/jwt/algorithms/" + i22,schemaPath:"#/properties/rateLimit/properties/identity/properties/jwt/properties/algorithms/items/anyOf",keyword:"anyOf",params:{},message:"must match a schema in anyOf",schema:schema11.properties.rateLimit.properties.identity.properties.jwt.properties.algorithms.items.anyOf,parentSchema:schema11.properties.rateLimit.properties.identity.properties.jwt.properties.algorithms.items,data:data195};
if(vErrors === null){
vErrors = [err587];
}
else {
vErrors.push(err587);
}
errors++;
}
else {
errors = _errs456;
if(vErrors !== null){
if(_errs456){
vErrors.length = _errs456;
}
else {
vErrors = null;
}
}
}
}
}
else {
const err588 = {instancePath:instancePath+"/rateLimit/identity/jwt/algorithms",schemaPath:"#/properties/rateLimit/properties/identity/properties/jwt/properties/algorithms/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.rateLimit.properties.identity.properties.jwt.properties.algorithms.type,parentSchema:schema11.properties.rateLimit.properties.identity.properties.jwt.properties.algorithms,data:data194};
if(vErrors === null){
vErrors = [err588];
}
else {
vErrors.push(err588);
}
errors++;
}
let data196 = data190.secret;
if(typeof data196 !== "string"){
const err589 = {instancePath:instancePath+"/rateLimit/identity/jwt/secret",schemaPath:"#/properties/rateLimit/properties/identity/properties/jwt/properties/secret/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.rateLimit.properties.identity.properties.jwt.properties.secret.type,parentSchema:schema11.properties.rateLimit.properties.identity.properties.jwt.properties.secret,data:data196};
if(vErrors === null){
vErrors = [err589];
}
else {
vErrors.push(err589);
}
errors++;
}
let data197 = data190.publicKey;
if(typeof data197 !== "string"){
const err590 = {instancePath:instancePath+"/rateLimit/identity/jwt/publicKey",schemaPath:"#/properties/rateLimit/properties/identity/properties/jwt/properties/publicKey/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.rateLimit.properties.identity.properties.jwt.properties.publicKey.type,parentSchema:schema11.properties.rateLimit.properties.identity.properties.jwt.properties.publicKey,data:data197};
if(vErrors === null){
vErrors = [err590];
}
else {
vErrors.push(err590);
}
errors++;
}
let data198 = data190.issuer;
if(typeof data198 !== "string"){
const err591 = {instancePath:instancePath+"/rateLimit/identity/jwt/issuer",schemaPath:"#/properties/rateLimit/properties/identity/properties/jwt/properties/issuer/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.rateLimit.properties.identity.properties.jwt.properties.issuer.type,parentSchema:schema11.properties.rateLimit.properties.identity.properties.jwt.properties.issuer,data:data198};
if(vErrors === null){
vErrors = [err591];
}
else {
vErrors.push(err591);
}
errors++;
}
let data199 = data190.audience;
if(typeof data199 !== "string"){
const err592 = {instancePath:instancePath+"/rateLimit/identity/jwt/audience",schemaPath:"#/properties/rateLimit/properties/identity/properties/jwt/properties/audience/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.rateLimit.properties.identity.properties.jwt.properties.audience.type,parentSchema:schema11.properties.rateLimit.properties.identity.properties.jwt.properties.audience,data:data199};
if(vErrors === null){
vErrors = [err592];
}
else {
vErrors.push(err592);
}
errors++;
}
}
else {
const err593 = {instancePath:instancePath+"/rateLimit/identity/jwt",schemaPath:"#/properties/rateLimit/properties/identity/properties/jwt/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.rateLimit.properties.identity.properties.jwt.type,parentSchema:schema11.properties.rateLimit.properties.identity.properties.jwt,data:data190};
if(vErrors === null){
vErrors = [err593];
}
else {
vErrors.push(err593);
}
errors++;
}
}
else {
const err594 = {instancePath:instancePath+"/rateLimit/identity",schemaPath:"#/properties/rateLimit/properties/identity/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.rateLimit.properties.identity.type,parentSchema:schema11.properties.rateLimit.properties.identity,data:data185};
if(vErrors === null){
vErrors = [err594];
}
else {
vErrors.push(err594);
}
errors++;
}
let data200 = data155.ipv6Subnet;
if(!((typeof data200 == "number") && (!(data200 % 1) && !isNaN(data200)))){
const err595 = {instancePath:instancePath+"/rateLimit/ipv6Subnet",schemaPath:"#/properties/rateLimit/properties/ipv6Subnet/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.rateLimit.properties.ipv6Subnet.type,parentSchema:schema11.properties.rateLimit.properties.ipv6Subnet,data:data200};
if(vErrors === null){
vErrors = [err595];
}
else {
vErrors.push(err595);
}
errors++;
}
if(typeof data200 == "number"){
if(data200 > 128 || isNaN(data200)){
const err596 = {instancePath:instancePath+"/rateLimit/ipv6Subnet",schemaPath:"#/properties/rateLimit/properties/ipv6Subnet/maximum",keyword:"maximum",params:{comparison: "<=", limit: 128},message:"must be <= 128",schema:128,parentSchema:schema11.properties.rateLimit.properties.ipv6Subnet,data:data200};
if(vErrors === null){
vErrors = [err596];
}
else {
vErrors.push(err596);
}
errors++;
}
if(data200 < 1 || isNaN(data200)){
const err597 = {instancePath:instancePath+"/rateLimit/ipv6Subnet",schemaPath:"#/properties/rateLimit/properties/ipv6Subnet/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema11.properties.rateLimit.properties.ipv6Subnet,data:data200};
if(vErrors === null){
vErrors = [err597];
}
else {
vErrors.push(err597);
}
errors++;
}
}
let data201 = data155.allowlist;
if(Array.isArray(data201)){
const len22 = data201.length;
for(let i23=0; i23<len22; i23++){
let data202 = data201[i23];
if(!func4(data202)){
const err598 = {instancePath:instancePath+"/rateLimit/allowlist/" + i23,schemaPath:"#/properties/rateLimit/properties/allowlist/items/x-address",keyword:"x-address",params:{},message:"must pass \"x-address\" keyword validation",schema:true,parentSchema:schema11.properties.rateLimit.properties.allowlist.items,data:data202};
if(vErrors === null){
vErrors = [err598];
}
else {
vErrors.push(err598);
}
errors++;
}
if(typeof data202 === "string"){
if(func5(data202) < 1){
const err599 = {instancePath:instancePath+"/rateLimit/allowlist/" + i23,schemaPath:"#/properties/rateLimit/properties/allowlist/items/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.rateLimit.properties.allowlist.items,data:data202};
if(vErrors === null){
vErrors = [err599];
}
else {
vErrors.push(err599);
}
errors++;
}
}
else {
const err600 = {instancePath:instancePath+"/rateLimit/allowlist/" + i23,schemaPath:"#/properties/rateLimit/properties/allowlist/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.rateLimit.properties.allowlist.items.type,parentSchema:schema11.properties.rateLimit.properties.allowlist.items,data:data202};
if(vErrors === null){
vErrors = [err600];
}
else {
vErrors.push(err600);
}
errors++;
}
}
}
else {
const err601 = {instancePath:instancePath+"/rateLimit/allowlist",schemaPath:"#/properties/rateLimit/properties/allowlist/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.rateLimit.properties.allowlist.type,parentSchema:schema11.properties.rateLimit.properties.allowlist,data:data201};
if(vErrors === null){
vErrors = [err601];
}
else {
vErrors.push(err601);
}
errors++;
}
let data203 = data155.denylist;
if(Array.isArray(data203)){
const len23 = data203.length;
for(let i24=0; i24<len23; i24++){
let data204 = data203[i24];
if(!func4(data204)){
const err602 = {instancePath:instancePath+"/rateLimit/denylist/" + i24,schemaPath:"#/properties/rateLimit/properties/denylist/items/x-address",keyword:"x-address",params:{},message:"must pass \"x-address\" keyword validation",schema:true,parentSchema:schema11.properties.rateLimit.properties.denylist.items,data:data204};
if(vErrors === null){
vErrors = [err602];
}
else {
vErrors.push(err602);
}
errors++;
}
if(typeof data204 === "string"){
if(func5(data204) < 1){
const err603 = {instancePath:instancePath+"/rateLimit/denylist/" + i24,schemaPath:"#/properties/rateLimit/properties/denylist/items/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.rateLimit.properties.denylist.items,data:data204};
if(vErrors === null){
vErrors = [err603];
}
else {
vErrors.push(err603);
}
errors++;
}
}
else {
const err604 = {instancePath:instancePath+"/rateLimit/denylist/" + i24,schemaPath:"#/properties/rateLimit/properties/denylist/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.rateLimit.properties.denylist.items.type,parentSchema:schema11.properties.rateLimit.properties.denylist.items,data:data204};
if(vErrors === null){
vErrors = [err604];
}
else {
vErrors.push(err604);
}
errors++;
}
}
}
else {
const err605 = {instancePath:instancePath+"/rateLimit/denylist",schemaPath:"#/properties/rateLimit/properties/denylist/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.rateLimit.properties.denylist.type,parentSchema:schema11.properties.rateLimit.properties.denylist,data:data203};
if(vErrors === null){
vErrors = [err605];
}
else {
vErrors.push(err605);
}
errors++;
}
let data205 = data155.bans;
if(data205 && typeof data205 == "object" && !Array.isArray(data205)){
if(data205.enabled === undefined){
data205.enabled = false;
}
if(data205.strikes === undefined){
data205.strikes = 5;
}
if(data205.within === undefined){
data205.within = "10m";
}
if(data205.duration === undefined){
data205.duration = "1h";
}
if(data205.exempt === undefined){
data205.exempt = [];
}
if(data205.enabled === undefined){
const err606 = {instancePath:instancePath+"/rateLimit/bans",schemaPath:"#/properties/rateLimit/properties/bans/required",keyword:"required",params:{missingProperty: "enabled"},message:"must have required property '"+"enabled"+"'",schema:schema11.properties.rateLimit.properties.bans.required,parentSchema:schema11.properties.rateLimit.properties.bans,data:data205};
if(vErrors === null){
vErrors = [err606];
}
else {
vErrors.push(err606);
}
errors++;
}
if(data205.strikes === undefined){
const err607 = {instancePath:instancePath+"/rateLimit/bans",schemaPath:"#/properties/rateLimit/properties/bans/required",keyword:"required",params:{missingProperty: "strikes"},message:"must have required property '"+"strikes"+"'",schema:schema11.properties.rateLimit.properties.bans.required,parentSchema:schema11.properties.rateLimit.properties.bans,data:data205};
if(vErrors === null){
vErrors = [err607];
}
else {
vErrors.push(err607);
}
errors++;
}
if(data205.within === undefined){
const err608 = {instancePath:instancePath+"/rateLimit/bans",schemaPath:"#/properties/rateLimit/properties/bans/required",keyword:"required",params:{missingProperty: "within"},message:"must have required property '"+"within"+"'",schema:schema11.properties.rateLimit.properties.bans.required,parentSchema:schema11.properties.rateLimit.properties.bans,data:data205};
if(vErrors === null){
vErrors = [err608];
}
else {
vErrors.push(err608);
}
errors++;
}
if(data205.duration === undefined){
const err609 = {instancePath:instancePath+"/rateLimit/bans",schemaPath:"#/properties/rateLimit/properties/bans/required",keyword:"required",params:{missingProperty: "duration"},message:"must have required property '"+"duration"+"'",schema:schema11.properties.rateLimit.properties.bans.required,parentSchema:schema11.properties.rateLimit.properties.bans,data:data205};
if(vErrors === null){
vErrors = [err609];
}
else {
vErrors.push(err609);
}
errors++;
}
if(data205.exempt === undefined){
const err610 = {instancePath:instancePath+"/rateLimit/bans",schemaPath:"#/properties/rateLimit/properties/bans/required",keyword:"required",params:{missingProperty: "exempt"},message:"must have required property '"+"exempt"+"'",schema:schema11.properties.rateLimit.properties.bans.required,parentSchema:schema11.properties.rateLimit.properties.bans,data:data205};
if(vErrors === null){
vErrors = [err610];
}
else {
vErrors.push(err610);
}
errors++;
}
for(const key32 in data205){
if(!(((((key32 === "enabled") || (key32 === "strikes")) || (key32 === "within")) || (key32 === "duration")) || (key32 === "exempt"))){
const err611 = {instancePath:instancePath+"/rateLimit/bans",schemaPath:"#/properties/rateLimit/properties/bans/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key32},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.rateLimit.properties.bans,data:data205};
if(vErrors === null){
vErrors = [err611];
}
else {
vErrors.push(err611);
}
errors++;
}
}
let data206 = data205.enabled;
if(typeof data206 !== "boolean"){
const err612 = {instancePath:instancePath+"/rateLimit/bans/enabled",schemaPath:"#/properties/rateLimit/properties/bans/properties/enabled/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema11.properties.rateLimit.properties.bans.properties.enabled.type,parentSchema:schema11.properties.rateLimit.properties.bans.properties.enabled,data:data206};
if(vErrors === null){
vErrors = [err612];
}
else {
vErrors.push(err612);
}
errors++;
}
let data207 = data205.strikes;
if(!((typeof data207 == "number") && (!(data207 % 1) && !isNaN(data207)))){
const err613 = {instancePath:instancePath+"/rateLimit/bans/strikes",schemaPath:"#/properties/rateLimit/properties/bans/properties/strikes/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.rateLimit.properties.bans.properties.strikes.type,parentSchema:schema11.properties.rateLimit.properties.bans.properties.strikes,data:data207};
if(vErrors === null){
vErrors = [err613];
}
else {
vErrors.push(err613);
}
errors++;
}
if(typeof data207 == "number"){
if(data207 > 1000000 || isNaN(data207)){
const err614 = {instancePath:instancePath+"/rateLimit/bans/strikes",schemaPath:"#/properties/rateLimit/properties/bans/properties/strikes/maximum",keyword:"maximum",params:{comparison: "<=", limit: 1000000},message:"must be <= 1000000",schema:1000000,parentSchema:schema11.properties.rateLimit.properties.bans.properties.strikes,data:data207};
if(vErrors === null){
vErrors = [err614];
}
else {
vErrors.push(err614);
}
errors++;
}
if(data207 < 1 || isNaN(data207)){
const err615 = {instancePath:instancePath+"/rateLimit/bans/strikes",schemaPath:"#/properties/rateLimit/properties/bans/properties/strikes/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema11.properties.rateLimit.properties.bans.properties.strikes,data:data207};
if(vErrors === null){
vErrors = [err615];
}
else {
vErrors.push(err615);
}
errors++;
}
}
let data208 = data205.within;
const parsed30 = func7(data208);
if(parsed30 === undefined){
const err616 = {instancePath:instancePath+"/rateLimit/bans/within",schemaPath:"#/properties/rateLimit/properties/bans/properties/within/x-unit",keyword:"x-unit",params:{unit: "duration", value: data208, minimum: undefined},message:"unit",schema:"duration",parentSchema:schema11.properties.rateLimit.properties.bans.properties.within,data:data208};
if(vErrors === null){
vErrors = [err616];
}
else {
vErrors.push(err616);
}
errors++;
}
else {
if(data205){
data205["within"] = parsed30;
data208 = parsed30;
}
}
let data209 = data205.duration;
const parsed31 = func7(data209);
if(parsed31 === undefined){
const err617 = {instancePath:instancePath+"/rateLimit/bans/duration",schemaPath:"#/properties/rateLimit/properties/bans/properties/duration/x-unit",keyword:"x-unit",params:{unit: "duration", value: data209, minimum: undefined},message:"unit",schema:"duration",parentSchema:schema11.properties.rateLimit.properties.bans.properties.duration,data:data209};
if(vErrors === null){
vErrors = [err617];
}
else {
vErrors.push(err617);
}
errors++;
}
else {
if(data205){
data205["duration"] = parsed31;
data209 = parsed31;
}
}
let data210 = data205.exempt;
if(Array.isArray(data210)){
const len24 = data210.length;
for(let i25=0; i25<len24; i25++){
let data211 = data210[i25];
if(!func4(data211)){
const err618 = {instancePath:instancePath+"/rateLimit/bans/exempt/" + i25,schemaPath:"#/properties/rateLimit/properties/bans/properties/exempt/items/x-address",keyword:"x-address",params:{},message:"must pass \"x-address\" keyword validation",schema:true,parentSchema:schema11.properties.rateLimit.properties.bans.properties.exempt.items,data:data211};
if(vErrors === null){
vErrors = [err618];
}
else {
vErrors.push(err618);
}
errors++;
}
if(typeof data211 === "string"){
if(func5(data211) < 1){
const err619 = {instancePath:instancePath+"/rateLimit/bans/exempt/" + i25,schemaPath:"#/properties/rateLimit/properties/bans/properties/exempt/items/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.rateLimit.properties.bans.properties.exempt.items,data:data211};
if(vErrors === null){
vErrors = [err619];
}
else {
vErrors.push(err619);
}
errors++;
}
}
else {
const err620 = {instancePath:instancePath+"/rateLimit/bans/exempt/" + i25,schemaPath:"#/properties/rateLimit/properties/bans/properties/exempt/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.rateLimit.properties.bans.properties.exempt.items.type,parentSchema:schema11.properties.rateLimit.properties.bans.properties.exempt.items,data:data211};
if(vErrors === null){
vErrors = [err620];
}
else {
vErrors.push(err620);
}
errors++;
}
}
}
else {
const err621 = {instancePath:instancePath+"/rateLimit/bans/exempt",schemaPath:"#/properties/rateLimit/properties/bans/properties/exempt/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.rateLimit.properties.bans.properties.exempt.type,parentSchema:schema11.properties.rateLimit.properties.bans.properties.exempt,data:data210};
if(vErrors === null){
vErrors = [err621];
}
else {
vErrors.push(err621);
}
errors++;
}
}
else {
const err622 = {instancePath:instancePath+"/rateLimit/bans",schemaPath:"#/properties/rateLimit/properties/bans/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.rateLimit.properties.bans.type,parentSchema:schema11.properties.rateLimit.properties.bans,data:data205};
if(vErrors === null){
vErrors = [err622];
}
else {
vErrors.push(err622);
}
errors++;
}
let data212 = data155.headers;
if(typeof data212 !== "boolean"){
const err623 = {instancePath:instancePath+"/rateLimit/headers",schemaPath:"#/properties/rateLimit/properties/headers/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema11.properties.rateLimit.properties.headers.type,parentSchema:schema11.properties.rateLimit.properties.headers,data:data212};
if(vErrors === null){
vErrors = [err623];
}
else {
vErrors.push(err623);
}
errors++;
}
let data213 = data155.legacyHeaders;
if(typeof data213 !== "boolean"){
const err624 = {instancePath:instancePath+"/rateLimit/legacyHeaders",schemaPath:"#/properties/rateLimit/properties/legacyHeaders/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema11.properties.rateLimit.properties.legacyHeaders.type,parentSchema:schema11.properties.rateLimit.properties.legacyHeaders,data:data213};
if(vErrors === null){
vErrors = [err624];
}
else {
vErrors.push(err624);
}
errors++;
}
let data214 = data155.maxFormBody;
const parsed32 = func6(data214);
if(parsed32 === undefined){
const err625 = {instancePath:instancePath+"/rateLimit/maxFormBody",schemaPath:"#/properties/rateLimit/properties/maxFormBody/x-unit",keyword:"x-unit",params:{unit: "bytes", value: data214, minimum: undefined},message:"unit",schema:"bytes",parentSchema:schema11.properties.rateLimit.properties.maxFormBody,data:data214};
if(vErrors === null){
vErrors = [err625];
}
else {
vErrors.push(err625);
}
errors++;
}
else {
if(data155){
data155["maxFormBody"] = parsed32;
data214 = parsed32;
}
}
let data215 = data155.memoryKeys;
if(!((typeof data215 == "number") && (!(data215 % 1) && !isNaN(data215)))){
const err626 = {instancePath:instancePath+"/rateLimit/memoryKeys",schemaPath:"#/properties/rateLimit/properties/memoryKeys/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.rateLimit.properties.memoryKeys.type,parentSchema:schema11.properties.rateLimit.properties.memoryKeys,data:data215};
if(vErrors === null){
vErrors = [err626];
}
else {
vErrors.push(err626);
}
errors++;
}
if(typeof data215 == "number"){
if(data215 > 10000000 || isNaN(data215)){
const err627 = {instancePath:instancePath+"/rateLimit/memoryKeys",schemaPath:"#/properties/rateLimit/properties/memoryKeys/maximum",keyword:"maximum",params:{comparison: "<=", limit: 10000000},message:"must be <= 10000000",schema:10000000,parentSchema:schema11.properties.rateLimit.properties.memoryKeys,data:data215};
if(vErrors === null){
vErrors = [err627];
}
else {
vErrors.push(err627);
}
errors++;
}
if(data215 < 100 || isNaN(data215)){
const err628 = {instancePath:instancePath+"/rateLimit/memoryKeys",schemaPath:"#/properties/rateLimit/properties/memoryKeys/minimum",keyword:"minimum",params:{comparison: ">=", limit: 100},message:"must be >= 100",schema:100,parentSchema:schema11.properties.rateLimit.properties.memoryKeys,data:data215};
if(vErrors === null){
vErrors = [err628];
}
else {
vErrors.push(err628);
}
errors++;
}
}
let data216 = data155.lease;
if(data216 && typeof data216 == "object" && !Array.isArray(data216)){
if(data216.minLimit === undefined){
data216.minLimit = 0;
}
if(data216.fraction === undefined){
data216.fraction = 0.01;
}
if(data216.minLimit === undefined){
const err629 = {instancePath:instancePath+"/rateLimit/lease",schemaPath:"#/properties/rateLimit/properties/lease/required",keyword:"required",params:{missingProperty: "minLimit"},message:"must have required property '"+"minLimit"+"'",schema:schema11.properties.rateLimit.properties.lease.required,parentSchema:schema11.properties.rateLimit.properties.lease,data:data216};
if(vErrors === null){
vErrors = [err629];
}
else {
vErrors.push(err629);
}
errors++;
}
if(data216.fraction === undefined){
const err630 = {instancePath:instancePath+"/rateLimit/lease",schemaPath:"#/properties/rateLimit/properties/lease/required",keyword:"required",params:{missingProperty: "fraction"},message:"must have required property '"+"fraction"+"'",schema:schema11.properties.rateLimit.properties.lease.required,parentSchema:schema11.properties.rateLimit.properties.lease,data:data216};
if(vErrors === null){
vErrors = [err630];
}
else {
vErrors.push(err630);
}
errors++;
}
for(const key33 in data216){
if(!((key33 === "minLimit") || (key33 === "fraction"))){
const err631 = {instancePath:instancePath+"/rateLimit/lease",schemaPath:"#/properties/rateLimit/properties/lease/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key33},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.rateLimit.properties.lease,data:data216};
if(vErrors === null){
vErrors = [err631];
}
else {
vErrors.push(err631);
}
errors++;
}
}
let data217 = data216.minLimit;
if(!((typeof data217 == "number") && (!(data217 % 1) && !isNaN(data217)))){
const err632 = {instancePath:instancePath+"/rateLimit/lease/minLimit",schemaPath:"#/properties/rateLimit/properties/lease/properties/minLimit/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.rateLimit.properties.lease.properties.minLimit.type,parentSchema:schema11.properties.rateLimit.properties.lease.properties.minLimit,data:data217};
if(vErrors === null){
vErrors = [err632];
}
else {
vErrors.push(err632);
}
errors++;
}
if(typeof data217 == "number"){
if(data217 > 100000000 || isNaN(data217)){
const err633 = {instancePath:instancePath+"/rateLimit/lease/minLimit",schemaPath:"#/properties/rateLimit/properties/lease/properties/minLimit/maximum",keyword:"maximum",params:{comparison: "<=", limit: 100000000},message:"must be <= 100000000",schema:100000000,parentSchema:schema11.properties.rateLimit.properties.lease.properties.minLimit,data:data217};
if(vErrors === null){
vErrors = [err633];
}
else {
vErrors.push(err633);
}
errors++;
}
if(data217 < 0 || isNaN(data217)){
const err634 = {instancePath:instancePath+"/rateLimit/lease/minLimit",schemaPath:"#/properties/rateLimit/properties/lease/properties/minLimit/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0",schema:0,parentSchema:schema11.properties.rateLimit.properties.lease.properties.minLimit,data:data217};
if(vErrors === null){
vErrors = [err634];
}
else {
vErrors.push(err634);
}
errors++;
}
}
let data218 = data216.fraction;
if(typeof data218 == "number"){
if(data218 > 0.5 || isNaN(data218)){
const err635 = {instancePath:instancePath+"/rateLimit/lease/fraction",schemaPath:"#/properties/rateLimit/properties/lease/properties/fraction/maximum",keyword:"maximum",params:{comparison: "<=", limit: 0.5},message:"must be <= 0.5",schema:0.5,parentSchema:schema11.properties.rateLimit.properties.lease.properties.fraction,data:data218};
if(vErrors === null){
vErrors = [err635];
}
else {
vErrors.push(err635);
}
errors++;
}
if(data218 < 0.0001 || isNaN(data218)){
const err636 = {instancePath:instancePath+"/rateLimit/lease/fraction",schemaPath:"#/properties/rateLimit/properties/lease/properties/fraction/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0.0001},message:"must be >= 0.0001",schema:0.0001,parentSchema:schema11.properties.rateLimit.properties.lease.properties.fraction,data:data218};
if(vErrors === null){
vErrors = [err636];
}
else {
vErrors.push(err636);
}
errors++;
}
}
else {
const err637 = {instancePath:instancePath+"/rateLimit/lease/fraction",schemaPath:"#/properties/rateLimit/properties/lease/properties/fraction/type",keyword:"type",params:{type: "number"},message:"must be number",schema:schema11.properties.rateLimit.properties.lease.properties.fraction.type,parentSchema:schema11.properties.rateLimit.properties.lease.properties.fraction,data:data218};
if(vErrors === null){
vErrors = [err637];
}
else {
vErrors.push(err637);
}
errors++;
}
}
else {
const err638 = {instancePath:instancePath+"/rateLimit/lease",schemaPath:"#/properties/rateLimit/properties/lease/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.rateLimit.properties.lease.type,parentSchema:schema11.properties.rateLimit.properties.lease,data:data216};
if(vErrors === null){
vErrors = [err638];
}
else {
vErrors.push(err638);
}
errors++;
}
}
else {
const err639 = {instancePath:instancePath+"/rateLimit",schemaPath:"#/properties/rateLimit/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.rateLimit.type,parentSchema:schema11.properties.rateLimit,data:data155};
if(vErrors === null){
vErrors = [err639];
}
else {
vErrors.push(err639);
}
errors++;
}
let data219 = data.cache;
if(data219 && typeof data219 == "object" && !Array.isArray(data219)){
if(data219.enabled === undefined){
data219.enabled = false;
}
if(data219.store === undefined){
data219.store = "tiered";
}
if(data219.maxBytes === undefined){
data219.maxBytes = "256MB";
}
if(data219.maxObjectSize === undefined){
data219.maxObjectSize = "4MB";
}
if(data219.sessionCookie === undefined){
data219.sessionCookie = "PHPSESSID";
}
if(data219.loggedIn === undefined){
data219.loggedIn = {};
}
if(data219.query === undefined){
data219.query = {};
}
if(data219.compression === undefined){
data219.compression = {};
}
if(data219.coalescing === undefined){
data219.coalescing = {};
}
if(data219.context === undefined){
data219.context = {};
}
if(data219.purge === undefined){
data219.purge = {};
}
if(data219.targetedHeader === undefined){
data219.targetedHeader = "Sipup-Cache-Control";
}
if(data219.cdnCacheControl === undefined){
data219.cdnCacheControl = true;
}
if(data219.invalidate === undefined){
data219.invalidate = [];
}
if(data219.xCache === undefined){
data219.xCache = true;
}
if(data219.statusName === undefined){
data219.statusName = "sipup";
}
if(data219.grace === undefined){
data219.grace = 0;
}
if(data219.rules === undefined){
data219.rules = [];
}
if(data219.enabled === undefined){
const err640 = {instancePath:instancePath+"/cache",schemaPath:"#/properties/cache/required",keyword:"required",params:{missingProperty: "enabled"},message:"must have required property '"+"enabled"+"'",schema:schema11.properties.cache.required,parentSchema:schema11.properties.cache,data:data219};
if(vErrors === null){
vErrors = [err640];
}
else {
vErrors.push(err640);
}
errors++;
}
if(data219.store === undefined){
const err641 = {instancePath:instancePath+"/cache",schemaPath:"#/properties/cache/required",keyword:"required",params:{missingProperty: "store"},message:"must have required property '"+"store"+"'",schema:schema11.properties.cache.required,parentSchema:schema11.properties.cache,data:data219};
if(vErrors === null){
vErrors = [err641];
}
else {
vErrors.push(err641);
}
errors++;
}
if(data219.maxBytes === undefined){
const err642 = {instancePath:instancePath+"/cache",schemaPath:"#/properties/cache/required",keyword:"required",params:{missingProperty: "maxBytes"},message:"must have required property '"+"maxBytes"+"'",schema:schema11.properties.cache.required,parentSchema:schema11.properties.cache,data:data219};
if(vErrors === null){
vErrors = [err642];
}
else {
vErrors.push(err642);
}
errors++;
}
if(data219.maxObjectSize === undefined){
const err643 = {instancePath:instancePath+"/cache",schemaPath:"#/properties/cache/required",keyword:"required",params:{missingProperty: "maxObjectSize"},message:"must have required property '"+"maxObjectSize"+"'",schema:schema11.properties.cache.required,parentSchema:schema11.properties.cache,data:data219};
if(vErrors === null){
vErrors = [err643];
}
else {
vErrors.push(err643);
}
errors++;
}
if(data219.sessionCookie === undefined){
const err644 = {instancePath:instancePath+"/cache",schemaPath:"#/properties/cache/required",keyword:"required",params:{missingProperty: "sessionCookie"},message:"must have required property '"+"sessionCookie"+"'",schema:schema11.properties.cache.required,parentSchema:schema11.properties.cache,data:data219};
if(vErrors === null){
vErrors = [err644];
}
else {
vErrors.push(err644);
}
errors++;
}
if(data219.loggedIn === undefined){
const err645 = {instancePath:instancePath+"/cache",schemaPath:"#/properties/cache/required",keyword:"required",params:{missingProperty: "loggedIn"},message:"must have required property '"+"loggedIn"+"'",schema:schema11.properties.cache.required,parentSchema:schema11.properties.cache,data:data219};
if(vErrors === null){
vErrors = [err645];
}
else {
vErrors.push(err645);
}
errors++;
}
if(data219.query === undefined){
const err646 = {instancePath:instancePath+"/cache",schemaPath:"#/properties/cache/required",keyword:"required",params:{missingProperty: "query"},message:"must have required property '"+"query"+"'",schema:schema11.properties.cache.required,parentSchema:schema11.properties.cache,data:data219};
if(vErrors === null){
vErrors = [err646];
}
else {
vErrors.push(err646);
}
errors++;
}
if(data219.compression === undefined){
const err647 = {instancePath:instancePath+"/cache",schemaPath:"#/properties/cache/required",keyword:"required",params:{missingProperty: "compression"},message:"must have required property '"+"compression"+"'",schema:schema11.properties.cache.required,parentSchema:schema11.properties.cache,data:data219};
if(vErrors === null){
vErrors = [err647];
}
else {
vErrors.push(err647);
}
errors++;
}
if(data219.coalescing === undefined){
const err648 = {instancePath:instancePath+"/cache",schemaPath:"#/properties/cache/required",keyword:"required",params:{missingProperty: "coalescing"},message:"must have required property '"+"coalescing"+"'",schema:schema11.properties.cache.required,parentSchema:schema11.properties.cache,data:data219};
if(vErrors === null){
vErrors = [err648];
}
else {
vErrors.push(err648);
}
errors++;
}
if(data219.context === undefined){
const err649 = {instancePath:instancePath+"/cache",schemaPath:"#/properties/cache/required",keyword:"required",params:{missingProperty: "context"},message:"must have required property '"+"context"+"'",schema:schema11.properties.cache.required,parentSchema:schema11.properties.cache,data:data219};
if(vErrors === null){
vErrors = [err649];
}
else {
vErrors.push(err649);
}
errors++;
}
if(data219.purge === undefined){
const err650 = {instancePath:instancePath+"/cache",schemaPath:"#/properties/cache/required",keyword:"required",params:{missingProperty: "purge"},message:"must have required property '"+"purge"+"'",schema:schema11.properties.cache.required,parentSchema:schema11.properties.cache,data:data219};
if(vErrors === null){
vErrors = [err650];
}
else {
vErrors.push(err650);
}
errors++;
}
if(data219.targetedHeader === undefined){
const err651 = {instancePath:instancePath+"/cache",schemaPath:"#/properties/cache/required",keyword:"required",params:{missingProperty: "targetedHeader"},message:"must have required property '"+"targetedHeader"+"'",schema:schema11.properties.cache.required,parentSchema:schema11.properties.cache,data:data219};
if(vErrors === null){
vErrors = [err651];
}
else {
vErrors.push(err651);
}
errors++;
}
if(data219.cdnCacheControl === undefined){
const err652 = {instancePath:instancePath+"/cache",schemaPath:"#/properties/cache/required",keyword:"required",params:{missingProperty: "cdnCacheControl"},message:"must have required property '"+"cdnCacheControl"+"'",schema:schema11.properties.cache.required,parentSchema:schema11.properties.cache,data:data219};
if(vErrors === null){
vErrors = [err652];
}
else {
vErrors.push(err652);
}
errors++;
}
if(data219.invalidate === undefined){
const err653 = {instancePath:instancePath+"/cache",schemaPath:"#/properties/cache/required",keyword:"required",params:{missingProperty: "invalidate"},message:"must have required property '"+"invalidate"+"'",schema:schema11.properties.cache.required,parentSchema:schema11.properties.cache,data:data219};
if(vErrors === null){
vErrors = [err653];
}
else {
vErrors.push(err653);
}
errors++;
}
if(data219.xCache === undefined){
const err654 = {instancePath:instancePath+"/cache",schemaPath:"#/properties/cache/required",keyword:"required",params:{missingProperty: "xCache"},message:"must have required property '"+"xCache"+"'",schema:schema11.properties.cache.required,parentSchema:schema11.properties.cache,data:data219};
if(vErrors === null){
vErrors = [err654];
}
else {
vErrors.push(err654);
}
errors++;
}
if(data219.statusName === undefined){
const err655 = {instancePath:instancePath+"/cache",schemaPath:"#/properties/cache/required",keyword:"required",params:{missingProperty: "statusName"},message:"must have required property '"+"statusName"+"'",schema:schema11.properties.cache.required,parentSchema:schema11.properties.cache,data:data219};
if(vErrors === null){
vErrors = [err655];
}
else {
vErrors.push(err655);
}
errors++;
}
if(data219.grace === undefined){
const err656 = {instancePath:instancePath+"/cache",schemaPath:"#/properties/cache/required",keyword:"required",params:{missingProperty: "grace"},message:"must have required property '"+"grace"+"'",schema:schema11.properties.cache.required,parentSchema:schema11.properties.cache,data:data219};
if(vErrors === null){
vErrors = [err656];
}
else {
vErrors.push(err656);
}
errors++;
}
if(data219.rules === undefined){
const err657 = {instancePath:instancePath+"/cache",schemaPath:"#/properties/cache/required",keyword:"required",params:{missingProperty: "rules"},message:"must have required property '"+"rules"+"'",schema:schema11.properties.cache.required,parentSchema:schema11.properties.cache,data:data219};
if(vErrors === null){
vErrors = [err657];
}
else {
vErrors.push(err657);
}
errors++;
}
for(const key34 in data219){
if(!(func2.call(schema11.properties.cache.properties, key34))){
const err658 = {instancePath:instancePath+"/cache",schemaPath:"#/properties/cache/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key34},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.cache,data:data219};
if(vErrors === null){
vErrors = [err658];
}
else {
vErrors.push(err658);
}
errors++;
}
}
let data220 = data219.enabled;
if(typeof data220 !== "boolean"){
const err659 = {instancePath:instancePath+"/cache/enabled",schemaPath:"#/properties/cache/properties/enabled/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema11.properties.cache.properties.enabled.type,parentSchema:schema11.properties.cache.properties.enabled,data:data220};
if(vErrors === null){
vErrors = [err659];
}
else {
vErrors.push(err659);
}
errors++;
}
let data221 = data219.store;
const _errs532 = errors;
let valid98 = false;
const _errs533 = errors;
if(typeof data221 !== "string"){
const err660 = {instancePath:instancePath+"/cache/store",schemaPath:"#/properties/cache/properties/store/anyOf/0/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.cache.properties.store.anyOf[0].type,parentSchema:schema11.properties.cache.properties.store.anyOf[0],data:data221};
if(vErrors === null){
vErrors = [err660];
}
else {
vErrors.push(err660);
}
errors++;
}
if("memory" !== data221){
const err661 = {instancePath:instancePath+"/cache/store",schemaPath:"#/properties/cache/properties/store/anyOf/0/const",keyword:"const",params:{allowedValue: "memory"},message:"must be equal to constant",schema:"memory",parentSchema:schema11.properties.cache.properties.store.anyOf[0],data:data221};
if(vErrors === null){
vErrors = [err661];
}
else {
vErrors.push(err661);
}
errors++;
}
var _valid12 = _errs533 === errors;
valid98 = valid98 || _valid12;
if(!valid98){
const _errs535 = errors;
if(typeof data221 !== "string"){
const err662 = {instancePath:instancePath+"/cache/store",schemaPath:"#/properties/cache/properties/store/anyOf/1/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.cache.properties.store.anyOf[1].type,parentSchema:schema11.properties.cache.properties.store.anyOf[1],data:data221};
if(vErrors === null){
vErrors = [err662];
}
else {
vErrors.push(err662);
}
errors++;
}
if("redis" !== data221){
const err663 = {instancePath:instancePath+"/cache/store",schemaPath:"#/properties/cache/properties/store/anyOf/1/const",keyword:"const",params:{allowedValue: "redis"},message:"must be equal to constant",schema:"redis",parentSchema:schema11.properties.cache.properties.store.anyOf[1],data:data221};
if(vErrors === null){
vErrors = [err663];
}
else {
vErrors.push(err663);
}
errors++;
}
var _valid12 = _errs535 === errors;
valid98 = valid98 || _valid12;
if(!valid98){
const _errs537 = errors;
if(typeof data221 !== "string"){
const err664 = {instancePath:instancePath+"/cache/store",schemaPath:"#/properties/cache/properties/store/anyOf/2/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.cache.properties.store.anyOf[2].type,parentSchema:schema11.properties.cache.properties.store.anyOf[2],data:data221};
if(vErrors === null){
vErrors = [err664];
}
else {
vErrors.push(err664);
}
errors++;
}
if("tiered" !== data221){
const err665 = {instancePath:instancePath+"/cache/store",schemaPath:"#/properties/cache/properties/store/anyOf/2/const",keyword:"const",params:{allowedValue: "tiered"},message:"must be equal to constant",schema:"tiered",parentSchema:schema11.properties.cache.properties.store.anyOf[2],data:data221};
if(vErrors === null){
vErrors = [err665];
}
else {
vErrors.push(err665);
}
errors++;
}
var _valid12 = _errs537 === errors;
valid98 = valid98 || _valid12;
}
}
if(!valid98){
const err666 = {instancePath:instancePath+"/cache/store",schemaPath:"#/properties/cache/properties/store/anyOf",keyword:"anyOf",params:{},message:"must match a schema in anyOf",schema:schema11.properties.cache.properties.store.anyOf,parentSchema:schema11.properties.cache.properties.store,data:data221};
if(vErrors === null){
vErrors = [err666];
}
else {
vErrors.push(err666);
}
errors++;
}
else {
errors = _errs532;
if(vErrors !== null){
if(_errs532){
vErrors.length = _errs532;
}
else {
vErrors = null;
}
}
}
let data222 = data219.maxBytes;
const parsed33 = func6(data222);
if(parsed33 === undefined){
const err667 = {instancePath:instancePath+"/cache/maxBytes",schemaPath:"#/properties/cache/properties/maxBytes/x-unit",keyword:"x-unit",params:{unit: "bytes", value: data222, minimum: undefined},message:"unit",schema:"bytes",parentSchema:schema11.properties.cache.properties.maxBytes,data:data222};
if(vErrors === null){
vErrors = [err667];
}
else {
vErrors.push(err667);
}
errors++;
}
else {
if(data219){
data219["maxBytes"] = parsed33;
data222 = parsed33;
}
}
let data223 = data219.maxObjectSize;
const parsed34 = func6(data223);
if(parsed34 === undefined){
const err668 = {instancePath:instancePath+"/cache/maxObjectSize",schemaPath:"#/properties/cache/properties/maxObjectSize/x-unit",keyword:"x-unit",params:{unit: "bytes", value: data223, minimum: undefined},message:"unit",schema:"bytes",parentSchema:schema11.properties.cache.properties.maxObjectSize,data:data223};
if(vErrors === null){
vErrors = [err668];
}
else {
vErrors.push(err668);
}
errors++;
}
else {
if(data219){
data219["maxObjectSize"] = parsed34;
data223 = parsed34;
}
}
let data224 = data219.sessionCookie;
const _errs542 = errors;
let valid99 = false;
const _errs543 = errors;
if(typeof data224 !== "string"){
const err669 = {instancePath:instancePath+"/cache/sessionCookie",schemaPath:"#/properties/cache/properties/sessionCookie/anyOf/0/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.cache.properties.sessionCookie.anyOf[0].type,parentSchema:schema11.properties.cache.properties.sessionCookie.anyOf[0],data:data224};
if(vErrors === null){
vErrors = [err669];
}
else {
vErrors.push(err669);
}
errors++;
}
var _valid13 = _errs543 === errors;
valid99 = valid99 || _valid13;
if(!valid99){
const _errs545 = errors;
if(Array.isArray(data224)){
const len25 = data224.length;
for(let i26=0; i26<len25; i26++){
let data225 = data224[i26];
if(typeof data225 === "string"){
if(func5(data225) < 1){
const err670 = {instancePath:instancePath+"/cache/sessionCookie/" + i26,schemaPath:"#/properties/cache/properties/sessionCookie/anyOf/1/items/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.cache.properties.sessionCookie.anyOf[1].items,data:data225};
if(vErrors === null){
vErrors = [err670];
}
else {
vErrors.push(err670);
}
errors++;
}
}
else {
const err671 = {instancePath:instancePath+"/cache/sessionCookie/" + i26,schemaPath:"#/properties/cache/properties/sessionCookie/anyOf/1/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.cache.properties.sessionCookie.anyOf[1].items.type,parentSchema:schema11.properties.cache.properties.sessionCookie.anyOf[1].items,data:data225};
if(vErrors === null){
vErrors = [err671];
}
else {
vErrors.push(err671);
}
errors++;
}
}
}
else {
const err672 = {instancePath:instancePath+"/cache/sessionCookie",schemaPath:"#/properties/cache/properties/sessionCookie/anyOf/1/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.cache.properties.sessionCookie.anyOf[1].type,parentSchema:schema11.properties.cache.properties.sessionCookie.anyOf[1],data:data224};
if(vErrors === null){
vErrors = [err672];
}
else {
vErrors.push(err672);
}
errors++;
}
var _valid13 = _errs545 === errors;
valid99 = valid99 || _valid13;
}
if(!valid99){
const err673 = {instancePath:instancePath+"/cache/sessionCookie",schemaPath:"#/properties/cache/properties/sessionCookie/anyOf",keyword:"anyOf",params:{},message:"must match a schema in anyOf",schema:schema11.properties.cache.properties.sessionCookie.anyOf,parentSchema:schema11.properties.cache.properties.sessionCookie,data:data224};
if(vErrors === null){
vErrors = [err673];
}
else {
vErrors.push(err673);
}
errors++;
}
else {
errors = _errs542;
if(vErrors !== null){
if(_errs542){
vErrors.length = _errs542;
}
else {
vErrors = null;
}
}
}
let data226 = data219.loggedIn;
if(data226 && typeof data226 == "object" && !Array.isArray(data226)){
if(data226.cookies === undefined){
data226.cookies = [];
}
if(data226.anonymousContext === undefined){
data226.anonymousContext = "";
}
if(data226.cookies === undefined){
const err674 = {instancePath:instancePath+"/cache/loggedIn",schemaPath:"#/properties/cache/properties/loggedIn/required",keyword:"required",params:{missingProperty: "cookies"},message:"must have required property '"+"cookies"+"'",schema:schema11.properties.cache.properties.loggedIn.required,parentSchema:schema11.properties.cache.properties.loggedIn,data:data226};
if(vErrors === null){
vErrors = [err674];
}
else {
vErrors.push(err674);
}
errors++;
}
if(data226.anonymousContext === undefined){
const err675 = {instancePath:instancePath+"/cache/loggedIn",schemaPath:"#/properties/cache/properties/loggedIn/required",keyword:"required",params:{missingProperty: "anonymousContext"},message:"must have required property '"+"anonymousContext"+"'",schema:schema11.properties.cache.properties.loggedIn.required,parentSchema:schema11.properties.cache.properties.loggedIn,data:data226};
if(vErrors === null){
vErrors = [err675];
}
else {
vErrors.push(err675);
}
errors++;
}
for(const key35 in data226){
if(!((key35 === "cookies") || (key35 === "anonymousContext"))){
const err676 = {instancePath:instancePath+"/cache/loggedIn",schemaPath:"#/properties/cache/properties/loggedIn/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key35},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.cache.properties.loggedIn,data:data226};
if(vErrors === null){
vErrors = [err676];
}
else {
vErrors.push(err676);
}
errors++;
}
}
let data227 = data226.cookies;
if(Array.isArray(data227)){
const len26 = data227.length;
for(let i27=0; i27<len26; i27++){
let data228 = data227[i27];
if(typeof data228 === "string"){
if(func5(data228) < 1){
const err677 = {instancePath:instancePath+"/cache/loggedIn/cookies/" + i27,schemaPath:"#/properties/cache/properties/loggedIn/properties/cookies/items/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.cache.properties.loggedIn.properties.cookies.items,data:data228};
if(vErrors === null){
vErrors = [err677];
}
else {
vErrors.push(err677);
}
errors++;
}
}
else {
const err678 = {instancePath:instancePath+"/cache/loggedIn/cookies/" + i27,schemaPath:"#/properties/cache/properties/loggedIn/properties/cookies/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.cache.properties.loggedIn.properties.cookies.items.type,parentSchema:schema11.properties.cache.properties.loggedIn.properties.cookies.items,data:data228};
if(vErrors === null){
vErrors = [err678];
}
else {
vErrors.push(err678);
}
errors++;
}
}
}
else {
const err679 = {instancePath:instancePath+"/cache/loggedIn/cookies",schemaPath:"#/properties/cache/properties/loggedIn/properties/cookies/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.cache.properties.loggedIn.properties.cookies.type,parentSchema:schema11.properties.cache.properties.loggedIn.properties.cookies,data:data227};
if(vErrors === null){
vErrors = [err679];
}
else {
vErrors.push(err679);
}
errors++;
}
let data229 = data226.anonymousContext;
if(typeof data229 !== "string"){
const err680 = {instancePath:instancePath+"/cache/loggedIn/anonymousContext",schemaPath:"#/properties/cache/properties/loggedIn/properties/anonymousContext/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.cache.properties.loggedIn.properties.anonymousContext.type,parentSchema:schema11.properties.cache.properties.loggedIn.properties.anonymousContext,data:data229};
if(vErrors === null){
vErrors = [err680];
}
else {
vErrors.push(err680);
}
errors++;
}
}
else {
const err681 = {instancePath:instancePath+"/cache/loggedIn",schemaPath:"#/properties/cache/properties/loggedIn/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.cache.properties.loggedIn.type,parentSchema:schema11.properties.cache.properties.loggedIn,data:data226};
if(vErrors === null){
vErrors = [err681];
}
else {
vErrors.push(err681);
}
errors++;
}
let data230 = data219.query;
if(data230 && typeof data230 == "object" && !Array.isArray(data230)){
if(data230.sort === undefined){
data230.sort = true;
}
if(data230.drop === undefined){
data230.drop = ["utm_*","gclid","fbclid"];
}
if(data230.sort === undefined){
const err682 = {instancePath:instancePath+"/cache/query",schemaPath:"#/properties/cache/properties/query/required",keyword:"required",params:{missingProperty: "sort"},message:"must have required property '"+"sort"+"'",schema:schema11.properties.cache.properties.query.required,parentSchema:schema11.properties.cache.properties.query,data:data230};
if(vErrors === null){
vErrors = [err682];
}
else {
vErrors.push(err682);
}
errors++;
}
if(data230.drop === undefined){
const err683 = {instancePath:instancePath+"/cache/query",schemaPath:"#/properties/cache/properties/query/required",keyword:"required",params:{missingProperty: "drop"},message:"must have required property '"+"drop"+"'",schema:schema11.properties.cache.properties.query.required,parentSchema:schema11.properties.cache.properties.query,data:data230};
if(vErrors === null){
vErrors = [err683];
}
else {
vErrors.push(err683);
}
errors++;
}
for(const key36 in data230){
if(!((key36 === "sort") || (key36 === "drop"))){
const err684 = {instancePath:instancePath+"/cache/query",schemaPath:"#/properties/cache/properties/query/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key36},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.cache.properties.query,data:data230};
if(vErrors === null){
vErrors = [err684];
}
else {
vErrors.push(err684);
}
errors++;
}
}
let data231 = data230.sort;
if(typeof data231 !== "boolean"){
const err685 = {instancePath:instancePath+"/cache/query/sort",schemaPath:"#/properties/cache/properties/query/properties/sort/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema11.properties.cache.properties.query.properties.sort.type,parentSchema:schema11.properties.cache.properties.query.properties.sort,data:data231};
if(vErrors === null){
vErrors = [err685];
}
else {
vErrors.push(err685);
}
errors++;
}
let data232 = data230.drop;
if(Array.isArray(data232)){
const len27 = data232.length;
for(let i28=0; i28<len27; i28++){
let data233 = data232[i28];
if(typeof data233 === "string"){
if(func5(data233) < 1){
const err686 = {instancePath:instancePath+"/cache/query/drop/" + i28,schemaPath:"#/properties/cache/properties/query/properties/drop/items/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.cache.properties.query.properties.drop.items,data:data233};
if(vErrors === null){
vErrors = [err686];
}
else {
vErrors.push(err686);
}
errors++;
}
}
else {
const err687 = {instancePath:instancePath+"/cache/query/drop/" + i28,schemaPath:"#/properties/cache/properties/query/properties/drop/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.cache.properties.query.properties.drop.items.type,parentSchema:schema11.properties.cache.properties.query.properties.drop.items,data:data233};
if(vErrors === null){
vErrors = [err687];
}
else {
vErrors.push(err687);
}
errors++;
}
}
}
else {
const err688 = {instancePath:instancePath+"/cache/query/drop",schemaPath:"#/properties/cache/properties/query/properties/drop/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.cache.properties.query.properties.drop.type,parentSchema:schema11.properties.cache.properties.query.properties.drop,data:data232};
if(vErrors === null){
vErrors = [err688];
}
else {
vErrors.push(err688);
}
errors++;
}
}
else {
const err689 = {instancePath:instancePath+"/cache/query",schemaPath:"#/properties/cache/properties/query/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.cache.properties.query.type,parentSchema:schema11.properties.cache.properties.query,data:data230};
if(vErrors === null){
vErrors = [err689];
}
else {
vErrors.push(err689);
}
errors++;
}
let data234 = data219.compression;
if(data234 && typeof data234 == "object" && !Array.isArray(data234)){
if(data234.enabled === undefined){
data234.enabled = true;
}
if(data234.minSize === undefined){
data234.minSize = "1KB";
}
if(data234.types === undefined){
data234.types = ["text/*","application/json","application/javascript","application/xml","image/svg+xml"];
}
if(data234.enabled === undefined){
const err690 = {instancePath:instancePath+"/cache/compression",schemaPath:"#/properties/cache/properties/compression/required",keyword:"required",params:{missingProperty: "enabled"},message:"must have required property '"+"enabled"+"'",schema:schema11.properties.cache.properties.compression.required,parentSchema:schema11.properties.cache.properties.compression,data:data234};
if(vErrors === null){
vErrors = [err690];
}
else {
vErrors.push(err690);
}
errors++;
}
if(data234.minSize === undefined){
const err691 = {instancePath:instancePath+"/cache/compression",schemaPath:"#/properties/cache/properties/compression/required",keyword:"required",params:{missingProperty: "minSize"},message:"must have required property '"+"minSize"+"'",schema:schema11.properties.cache.properties.compression.required,parentSchema:schema11.properties.cache.properties.compression,data:data234};
if(vErrors === null){
vErrors = [err691];
}
else {
vErrors.push(err691);
}
errors++;
}
if(data234.types === undefined){
const err692 = {instancePath:instancePath+"/cache/compression",schemaPath:"#/properties/cache/properties/compression/required",keyword:"required",params:{missingProperty: "types"},message:"must have required property '"+"types"+"'",schema:schema11.properties.cache.properties.compression.required,parentSchema:schema11.properties.cache.properties.compression,data:data234};
if(vErrors === null){
vErrors = [err692];
}
else {
vErrors.push(err692);
}
errors++;
}
for(const key37 in data234){
if(!(((key37 === "enabled") || (key37 === "minSize")) || (key37 === "types"))){
const err693 = {instancePath:instancePath+"/cache/compression",schemaPath:"#/properties/cache/properties/compression/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key37},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.cache.properties.compression,data:data234};
if(vErrors === null){
vErrors = [err693];
}
else {
vErrors.push(err693);
}
errors++;
}
}
let data235 = data234.enabled;
if(typeof data235 !== "boolean"){
const err694 = {instancePath:instancePath+"/cache/compression/enabled",schemaPath:"#/properties/cache/properties/compression/properties/enabled/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema11.properties.cache.properties.compression.properties.enabled.type,parentSchema:schema11.properties.cache.properties.compression.properties.enabled,data:data235};
if(vErrors === null){
vErrors = [err694];
}
else {
vErrors.push(err694);
}
errors++;
}
let data236 = data234.minSize;
const parsed35 = func6(data236);
if(parsed35 === undefined){
const err695 = {instancePath:instancePath+"/cache/compression/minSize",schemaPath:"#/properties/cache/properties/compression/properties/minSize/x-unit",keyword:"x-unit",params:{unit: "bytes", value: data236, minimum: undefined},message:"unit",schema:"bytes",parentSchema:schema11.properties.cache.properties.compression.properties.minSize,data:data236};
if(vErrors === null){
vErrors = [err695];
}
else {
vErrors.push(err695);
}
errors++;
}
else {
if(data234){
data234["minSize"] = parsed35;
data236 = parsed35;
}
}
let data237 = data234.types;
if(Array.isArray(data237)){
const len28 = data237.length;
for(let i29=0; i29<len28; i29++){
let data238 = data237[i29];
if(typeof data238 === "string"){
if(func5(data238) < 1){
const err696 = {instancePath:instancePath+"/cache/compression/types/" + i29,schemaPath:"#/properties/cache/properties/compression/properties/types/items/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.cache.properties.compression.properties.types.items,data:data238};
if(vErrors === null){
vErrors = [err696];
}
else {
vErrors.push(err696);
}
errors++;
}
}
else {
const err697 = {instancePath:instancePath+"/cache/compression/types/" + i29,schemaPath:"#/properties/cache/properties/compression/properties/types/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.cache.properties.compression.properties.types.items.type,parentSchema:schema11.properties.cache.properties.compression.properties.types.items,data:data238};
if(vErrors === null){
vErrors = [err697];
}
else {
vErrors.push(err697);
}
errors++;
}
}
}
else {
const err698 = {instancePath:instancePath+"/cache/compression/types",schemaPath:"#/properties/cache/properties/compression/properties/types/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.cache.properties.compression.properties.types.type,parentSchema:schema11.properties.cache.properties.compression.properties.types,data:data237};
if(vErrors === null){
vErrors = [err698];
}
else {
vErrors.push(err698);
}
errors++;
}
}
else {
const err699 = {instancePath:instancePath+"/cache/compression",schemaPath:"#/properties/cache/properties/compression/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.cache.properties.compression.type,parentSchema:schema11.properties.cache.properties.compression,data:data234};
if(vErrors === null){
vErrors = [err699];
}
else {
vErrors.push(err699);
}
errors++;
}
let data239 = data219.coalescing;
if(data239 && typeof data239 == "object" && !Array.isArray(data239)){
if(data239.enabled === undefined){
data239.enabled = true;
}
if(data239.maxWait === undefined){
data239.maxWait = "10s";
}
if(data239.hitForMiss === undefined){
data239.hitForMiss = "30s";
}
if(data239.enabled === undefined){
const err700 = {instancePath:instancePath+"/cache/coalescing",schemaPath:"#/properties/cache/properties/coalescing/required",keyword:"required",params:{missingProperty: "enabled"},message:"must have required property '"+"enabled"+"'",schema:schema11.properties.cache.properties.coalescing.required,parentSchema:schema11.properties.cache.properties.coalescing,data:data239};
if(vErrors === null){
vErrors = [err700];
}
else {
vErrors.push(err700);
}
errors++;
}
if(data239.maxWait === undefined){
const err701 = {instancePath:instancePath+"/cache/coalescing",schemaPath:"#/properties/cache/properties/coalescing/required",keyword:"required",params:{missingProperty: "maxWait"},message:"must have required property '"+"maxWait"+"'",schema:schema11.properties.cache.properties.coalescing.required,parentSchema:schema11.properties.cache.properties.coalescing,data:data239};
if(vErrors === null){
vErrors = [err701];
}
else {
vErrors.push(err701);
}
errors++;
}
if(data239.hitForMiss === undefined){
const err702 = {instancePath:instancePath+"/cache/coalescing",schemaPath:"#/properties/cache/properties/coalescing/required",keyword:"required",params:{missingProperty: "hitForMiss"},message:"must have required property '"+"hitForMiss"+"'",schema:schema11.properties.cache.properties.coalescing.required,parentSchema:schema11.properties.cache.properties.coalescing,data:data239};
if(vErrors === null){
vErrors = [err702];
}
else {
vErrors.push(err702);
}
errors++;
}
for(const key38 in data239){
if(!(((key38 === "enabled") || (key38 === "maxWait")) || (key38 === "hitForMiss"))){
const err703 = {instancePath:instancePath+"/cache/coalescing",schemaPath:"#/properties/cache/properties/coalescing/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key38},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.cache.properties.coalescing,data:data239};
if(vErrors === null){
vErrors = [err703];
}
else {
vErrors.push(err703);
}
errors++;
}
}
let data240 = data239.enabled;
if(typeof data240 !== "boolean"){
const err704 = {instancePath:instancePath+"/cache/coalescing/enabled",schemaPath:"#/properties/cache/properties/coalescing/properties/enabled/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema11.properties.cache.properties.coalescing.properties.enabled.type,parentSchema:schema11.properties.cache.properties.coalescing.properties.enabled,data:data240};
if(vErrors === null){
vErrors = [err704];
}
else {
vErrors.push(err704);
}
errors++;
}
let data241 = data239.maxWait;
const parsed36 = func7(data241);
if(parsed36 === undefined){
const err705 = {instancePath:instancePath+"/cache/coalescing/maxWait",schemaPath:"#/properties/cache/properties/coalescing/properties/maxWait/x-unit",keyword:"x-unit",params:{unit: "duration", value: data241, minimum: undefined},message:"unit",schema:"duration",parentSchema:schema11.properties.cache.properties.coalescing.properties.maxWait,data:data241};
if(vErrors === null){
vErrors = [err705];
}
else {
vErrors.push(err705);
}
errors++;
}
else {
if(data239){
data239["maxWait"] = parsed36;
data241 = parsed36;
}
}
let data242 = data239.hitForMiss;
const parsed37 = func7(data242);
if(parsed37 === undefined){
const err706 = {instancePath:instancePath+"/cache/coalescing/hitForMiss",schemaPath:"#/properties/cache/properties/coalescing/properties/hitForMiss/x-unit",keyword:"x-unit",params:{unit: "duration", value: data242, minimum: undefined},message:"unit",schema:"duration",parentSchema:schema11.properties.cache.properties.coalescing.properties.hitForMiss,data:data242};
if(vErrors === null){
vErrors = [err706];
}
else {
vErrors.push(err706);
}
errors++;
}
else {
if(data239){
data239["hitForMiss"] = parsed37;
data242 = parsed37;
}
}
}
else {
const err707 = {instancePath:instancePath+"/cache/coalescing",schemaPath:"#/properties/cache/properties/coalescing/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.cache.properties.coalescing.type,parentSchema:schema11.properties.cache.properties.coalescing,data:data239};
if(vErrors === null){
vErrors = [err707];
}
else {
vErrors.push(err707);
}
errors++;
}
let data243 = data219.context;
if(data243 && typeof data243 == "object" && !Array.isArray(data243)){
if(data243.endpoint === undefined){
data243.endpoint = "/sidecar-context.php";
}
if(data243.header === undefined){
data243.header = "X-User-Context-Hash";
}
if(data243.ttl === undefined){
data243.ttl = "5m";
}
if(data243.timeout === undefined){
data243.timeout = "2s";
}
if(data243.maxSessions === undefined){
data243.maxSessions = 50000;
}
if(data243.endpoint === undefined){
const err708 = {instancePath:instancePath+"/cache/context",schemaPath:"#/properties/cache/properties/context/required",keyword:"required",params:{missingProperty: "endpoint"},message:"must have required property '"+"endpoint"+"'",schema:schema11.properties.cache.properties.context.required,parentSchema:schema11.properties.cache.properties.context,data:data243};
if(vErrors === null){
vErrors = [err708];
}
else {
vErrors.push(err708);
}
errors++;
}
if(data243.header === undefined){
const err709 = {instancePath:instancePath+"/cache/context",schemaPath:"#/properties/cache/properties/context/required",keyword:"required",params:{missingProperty: "header"},message:"must have required property '"+"header"+"'",schema:schema11.properties.cache.properties.context.required,parentSchema:schema11.properties.cache.properties.context,data:data243};
if(vErrors === null){
vErrors = [err709];
}
else {
vErrors.push(err709);
}
errors++;
}
if(data243.ttl === undefined){
const err710 = {instancePath:instancePath+"/cache/context",schemaPath:"#/properties/cache/properties/context/required",keyword:"required",params:{missingProperty: "ttl"},message:"must have required property '"+"ttl"+"'",schema:schema11.properties.cache.properties.context.required,parentSchema:schema11.properties.cache.properties.context,data:data243};
if(vErrors === null){
vErrors = [err710];
}
else {
vErrors.push(err710);
}
errors++;
}
if(data243.timeout === undefined){
const err711 = {instancePath:instancePath+"/cache/context",schemaPath:"#/properties/cache/properties/context/required",keyword:"required",params:{missingProperty: "timeout"},message:"must have required property '"+"timeout"+"'",schema:schema11.properties.cache.properties.context.required,parentSchema:schema11.properties.cache.properties.context,data:data243};
if(vErrors === null){
vErrors = [err711];
}
else {
vErrors.push(err711);
}
errors++;
}
if(data243.maxSessions === undefined){
const err712 = {instancePath:instancePath+"/cache/context",schemaPath:"#/properties/cache/properties/context/required",keyword:"required",params:{missingProperty: "maxSessions"},message:"must have required property '"+"maxSessions"+"'",schema:schema11.properties.cache.properties.context.required,parentSchema:schema11.properties.cache.properties.context,data:data243};
if(vErrors === null){
vErrors = [err712];
}
else {
vErrors.push(err712);
}
errors++;
}
for(const key39 in data243){
if(!(((((key39 === "endpoint") || (key39 === "header")) || (key39 === "ttl")) || (key39 === "timeout")) || (key39 === "maxSessions"))){
const err713 = {instancePath:instancePath+"/cache/context",schemaPath:"#/properties/cache/properties/context/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key39},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.cache.properties.context,data:data243};
if(vErrors === null){
vErrors = [err713];
}
else {
vErrors.push(err713);
}
errors++;
}
}
let data244 = data243.endpoint;
if(typeof data244 !== "string"){
const err714 = {instancePath:instancePath+"/cache/context/endpoint",schemaPath:"#/properties/cache/properties/context/properties/endpoint/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.cache.properties.context.properties.endpoint.type,parentSchema:schema11.properties.cache.properties.context.properties.endpoint,data:data244};
if(vErrors === null){
vErrors = [err714];
}
else {
vErrors.push(err714);
}
errors++;
}
let data245 = data243.header;
if(typeof data245 !== "string"){
const err715 = {instancePath:instancePath+"/cache/context/header",schemaPath:"#/properties/cache/properties/context/properties/header/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.cache.properties.context.properties.header.type,parentSchema:schema11.properties.cache.properties.context.properties.header,data:data245};
if(vErrors === null){
vErrors = [err715];
}
else {
vErrors.push(err715);
}
errors++;
}
let data246 = data243.ttl;
const parsed38 = func7(data246);
if(parsed38 === undefined){
const err716 = {instancePath:instancePath+"/cache/context/ttl",schemaPath:"#/properties/cache/properties/context/properties/ttl/x-unit",keyword:"x-unit",params:{unit: "duration", value: data246, minimum: undefined},message:"unit",schema:"duration",parentSchema:schema11.properties.cache.properties.context.properties.ttl,data:data246};
if(vErrors === null){
vErrors = [err716];
}
else {
vErrors.push(err716);
}
errors++;
}
else {
if(data243){
data243["ttl"] = parsed38;
data246 = parsed38;
}
}
let data247 = data243.timeout;
const parsed39 = func7(data247);
if(parsed39 === undefined){
const err717 = {instancePath:instancePath+"/cache/context/timeout",schemaPath:"#/properties/cache/properties/context/properties/timeout/x-unit",keyword:"x-unit",params:{unit: "duration", value: data247, minimum: undefined},message:"unit",schema:"duration",parentSchema:schema11.properties.cache.properties.context.properties.timeout,data:data247};
if(vErrors === null){
vErrors = [err717];
}
else {
vErrors.push(err717);
}
errors++;
}
else {
if(data243){
data243["timeout"] = parsed39;
data247 = parsed39;
}
}
let data248 = data243.maxSessions;
if(!((typeof data248 == "number") && (!(data248 % 1) && !isNaN(data248)))){
const err718 = {instancePath:instancePath+"/cache/context/maxSessions",schemaPath:"#/properties/cache/properties/context/properties/maxSessions/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.cache.properties.context.properties.maxSessions.type,parentSchema:schema11.properties.cache.properties.context.properties.maxSessions,data:data248};
if(vErrors === null){
vErrors = [err718];
}
else {
vErrors.push(err718);
}
errors++;
}
if(typeof data248 == "number"){
if(data248 < 1 || isNaN(data248)){
const err719 = {instancePath:instancePath+"/cache/context/maxSessions",schemaPath:"#/properties/cache/properties/context/properties/maxSessions/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema11.properties.cache.properties.context.properties.maxSessions,data:data248};
if(vErrors === null){
vErrors = [err719];
}
else {
vErrors.push(err719);
}
errors++;
}
}
}
else {
const err720 = {instancePath:instancePath+"/cache/context",schemaPath:"#/properties/cache/properties/context/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.cache.properties.context.type,parentSchema:schema11.properties.cache.properties.context,data:data243};
if(vErrors === null){
vErrors = [err720];
}
else {
vErrors.push(err720);
}
errors++;
}
let data249 = data219.purge;
if(data249 && typeof data249 == "object" && !Array.isArray(data249)){
if(data249.method === undefined){
data249.method = true;
}
if(data249.allow === undefined){
data249.allow = ["127.0.0.1/8","::1/128"];
}
if(data249.method === undefined){
const err721 = {instancePath:instancePath+"/cache/purge",schemaPath:"#/properties/cache/properties/purge/required",keyword:"required",params:{missingProperty: "method"},message:"must have required property '"+"method"+"'",schema:schema11.properties.cache.properties.purge.required,parentSchema:schema11.properties.cache.properties.purge,data:data249};
if(vErrors === null){
vErrors = [err721];
}
else {
vErrors.push(err721);
}
errors++;
}
if(data249.allow === undefined){
const err722 = {instancePath:instancePath+"/cache/purge",schemaPath:"#/properties/cache/properties/purge/required",keyword:"required",params:{missingProperty: "allow"},message:"must have required property '"+"allow"+"'",schema:schema11.properties.cache.properties.purge.required,parentSchema:schema11.properties.cache.properties.purge,data:data249};
if(vErrors === null){
vErrors = [err722];
}
else {
vErrors.push(err722);
}
errors++;
}
for(const key40 in data249){
if(!((key40 === "method") || (key40 === "allow"))){
const err723 = {instancePath:instancePath+"/cache/purge",schemaPath:"#/properties/cache/properties/purge/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key40},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.cache.properties.purge,data:data249};
if(vErrors === null){
vErrors = [err723];
}
else {
vErrors.push(err723);
}
errors++;
}
}
let data250 = data249.method;
if(typeof data250 !== "boolean"){
const err724 = {instancePath:instancePath+"/cache/purge/method",schemaPath:"#/properties/cache/properties/purge/properties/method/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema11.properties.cache.properties.purge.properties.method.type,parentSchema:schema11.properties.cache.properties.purge.properties.method,data:data250};
if(vErrors === null){
vErrors = [err724];
}
else {
vErrors.push(err724);
}
errors++;
}
let data251 = data249.allow;
if(Array.isArray(data251)){
const len29 = data251.length;
for(let i30=0; i30<len29; i30++){
let data252 = data251[i30];
if(!func4(data252)){
const err725 = {instancePath:instancePath+"/cache/purge/allow/" + i30,schemaPath:"#/properties/cache/properties/purge/properties/allow/items/x-address",keyword:"x-address",params:{},message:"must pass \"x-address\" keyword validation",schema:true,parentSchema:schema11.properties.cache.properties.purge.properties.allow.items,data:data252};
if(vErrors === null){
vErrors = [err725];
}
else {
vErrors.push(err725);
}
errors++;
}
if(typeof data252 === "string"){
if(func5(data252) < 1){
const err726 = {instancePath:instancePath+"/cache/purge/allow/" + i30,schemaPath:"#/properties/cache/properties/purge/properties/allow/items/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.cache.properties.purge.properties.allow.items,data:data252};
if(vErrors === null){
vErrors = [err726];
}
else {
vErrors.push(err726);
}
errors++;
}
}
else {
const err727 = {instancePath:instancePath+"/cache/purge/allow/" + i30,schemaPath:"#/properties/cache/properties/purge/properties/allow/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.cache.properties.purge.properties.allow.items.type,parentSchema:schema11.properties.cache.properties.purge.properties.allow.items,data:data252};
if(vErrors === null){
vErrors = [err727];
}
else {
vErrors.push(err727);
}
errors++;
}
}
}
else {
const err728 = {instancePath:instancePath+"/cache/purge/allow",schemaPath:"#/properties/cache/properties/purge/properties/allow/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.cache.properties.purge.properties.allow.type,parentSchema:schema11.properties.cache.properties.purge.properties.allow,data:data251};
if(vErrors === null){
vErrors = [err728];
}
else {
vErrors.push(err728);
}
errors++;
}
}
else {
const err729 = {instancePath:instancePath+"/cache/purge",schemaPath:"#/properties/cache/properties/purge/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.cache.properties.purge.type,parentSchema:schema11.properties.cache.properties.purge,data:data249};
if(vErrors === null){
vErrors = [err729];
}
else {
vErrors.push(err729);
}
errors++;
}
let data253 = data219.targetedHeader;
if(typeof data253 !== "string"){
const err730 = {instancePath:instancePath+"/cache/targetedHeader",schemaPath:"#/properties/cache/properties/targetedHeader/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.cache.properties.targetedHeader.type,parentSchema:schema11.properties.cache.properties.targetedHeader,data:data253};
if(vErrors === null){
vErrors = [err730];
}
else {
vErrors.push(err730);
}
errors++;
}
let data254 = data219.cdnCacheControl;
if(typeof data254 !== "boolean"){
const err731 = {instancePath:instancePath+"/cache/cdnCacheControl",schemaPath:"#/properties/cache/properties/cdnCacheControl/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema11.properties.cache.properties.cdnCacheControl.type,parentSchema:schema11.properties.cache.properties.cdnCacheControl,data:data254};
if(vErrors === null){
vErrors = [err731];
}
else {
vErrors.push(err731);
}
errors++;
}
let data255 = data219.invalidate;
if(Array.isArray(data255)){
const len30 = data255.length;
for(let i31=0; i31<len30; i31++){
let data256 = data255[i31];
if(data256 && typeof data256 == "object" && !Array.isArray(data256)){
if(data256.methods === undefined){
data256.methods = ["POST","PUT","PATCH","DELETE"];
}
if(data256.purge === undefined){
data256.purge = {};
}
if(data256.methods === undefined){
const err732 = {instancePath:instancePath+"/cache/invalidate/" + i31,schemaPath:"#/properties/cache/properties/invalidate/items/required",keyword:"required",params:{missingProperty: "methods"},message:"must have required property '"+"methods"+"'",schema:schema11.properties.cache.properties.invalidate.items.required,parentSchema:schema11.properties.cache.properties.invalidate.items,data:data256};
if(vErrors === null){
vErrors = [err732];
}
else {
vErrors.push(err732);
}
errors++;
}
if(data256.path === undefined){
const err733 = {instancePath:instancePath+"/cache/invalidate/" + i31,schemaPath:"#/properties/cache/properties/invalidate/items/required",keyword:"required",params:{missingProperty: "path"},message:"must have required property '"+"path"+"'",schema:schema11.properties.cache.properties.invalidate.items.required,parentSchema:schema11.properties.cache.properties.invalidate.items,data:data256};
if(vErrors === null){
vErrors = [err733];
}
else {
vErrors.push(err733);
}
errors++;
}
if(data256.purge === undefined){
const err734 = {instancePath:instancePath+"/cache/invalidate/" + i31,schemaPath:"#/properties/cache/properties/invalidate/items/required",keyword:"required",params:{missingProperty: "purge"},message:"must have required property '"+"purge"+"'",schema:schema11.properties.cache.properties.invalidate.items.required,parentSchema:schema11.properties.cache.properties.invalidate.items,data:data256};
if(vErrors === null){
vErrors = [err734];
}
else {
vErrors.push(err734);
}
errors++;
}
for(const key41 in data256){
if(!(((key41 === "methods") || (key41 === "path")) || (key41 === "purge"))){
const err735 = {instancePath:instancePath+"/cache/invalidate/" + i31,schemaPath:"#/properties/cache/properties/invalidate/items/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key41},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.cache.properties.invalidate.items,data:data256};
if(vErrors === null){
vErrors = [err735];
}
else {
vErrors.push(err735);
}
errors++;
}
}
let data257 = data256.methods;
if(Array.isArray(data257)){
if(data257.length < 1){
const err736 = {instancePath:instancePath+"/cache/invalidate/" + i31+"/methods",schemaPath:"#/properties/cache/properties/invalidate/items/properties/methods/minItems",keyword:"minItems",params:{limit: 1},message:"must NOT have fewer than 1 items",schema:1,parentSchema:schema11.properties.cache.properties.invalidate.items.properties.methods,data:data257};
if(vErrors === null){
vErrors = [err736];
}
else {
vErrors.push(err736);
}
errors++;
}
const len31 = data257.length;
for(let i32=0; i32<len31; i32++){
let data258 = data257[i32];
const _errs616 = errors;
let valid121 = false;
const _errs617 = errors;
if(typeof data258 !== "string"){
const err737 = {instancePath:instancePath+"/cache/invalidate/" + i31+"/methods/" + i32,schemaPath:"#/properties/cache/properties/invalidate/items/properties/methods/items/anyOf/0/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.cache.properties.invalidate.items.properties.methods.items.anyOf[0].type,parentSchema:schema11.properties.cache.properties.invalidate.items.properties.methods.items.anyOf[0],data:data258};
if(vErrors === null){
vErrors = [err737];
}
else {
vErrors.push(err737);
}
errors++;
}
if("POST" !== data258){
const err738 = {instancePath:instancePath+"/cache/invalidate/" + i31+"/methods/" + i32,schemaPath:"#/properties/cache/properties/invalidate/items/properties/methods/items/anyOf/0/const",keyword:"const",params:{allowedValue: "POST"},message:"must be equal to constant",schema:"POST",parentSchema:schema11.properties.cache.properties.invalidate.items.properties.methods.items.anyOf[0],data:data258};
if(vErrors === null){
vErrors = [err738];
}
else {
vErrors.push(err738);
}
errors++;
}
var _valid14 = _errs617 === errors;
valid121 = valid121 || _valid14;
if(!valid121){
const _errs619 = errors;
if(typeof data258 !== "string"){
const err739 = {instancePath:instancePath+"/cache/invalidate/" + i31+"/methods/" + i32,schemaPath:"#/properties/cache/properties/invalidate/items/properties/methods/items/anyOf/1/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.cache.properties.invalidate.items.properties.methods.items.anyOf[1].type,parentSchema:schema11.properties.cache.properties.invalidate.items.properties.methods.items.anyOf[1],data:data258};
if(vErrors === null){
vErrors = [err739];
}
else {
vErrors.push(err739);
}
errors++;
}
if("PUT" !== data258){
const err740 = {instancePath:instancePath+"/cache/invalidate/" + i31+"/methods/" + i32,schemaPath:"#/properties/cache/properties/invalidate/items/properties/methods/items/anyOf/1/const",keyword:"const",params:{allowedValue: "PUT"},message:"must be equal to constant",schema:"PUT",parentSchema:schema11.properties.cache.properties.invalidate.items.properties.methods.items.anyOf[1],data:data258};
if(vErrors === null){
vErrors = [err740];
}
else {
vErrors.push(err740);
}
errors++;
}
var _valid14 = _errs619 === errors;
valid121 = valid121 || _valid14;
if(!valid121){
const _errs621 = errors;
if(typeof data258 !== "string"){
const err741 = {instancePath:instancePath+"/cache/invalidate/" + i31+"/methods/" + i32,schemaPath:"#/properties/cache/properties/invalidate/items/properties/methods/items/anyOf/2/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.cache.properties.invalidate.items.properties.methods.items.anyOf[2].type,parentSchema:schema11.properties.cache.properties.invalidate.items.properties.methods.items.anyOf[2],data:data258};
if(vErrors === null){
vErrors = [err741];
}
else {
vErrors.push(err741);
}
errors++;
}
if("PATCH" !== data258){
const err742 = {instancePath:instancePath+"/cache/invalidate/" + i31+"/methods/" + i32,schemaPath:"#/properties/cache/properties/invalidate/items/properties/methods/items/anyOf/2/const",keyword:"const",params:{allowedValue: "PATCH"},message:"must be equal to constant",schema:"PATCH",parentSchema:schema11.properties.cache.properties.invalidate.items.properties.methods.items.anyOf[2],data:data258};
if(vErrors === null){
vErrors = [err742];
}
else {
vErrors.push(err742);
}
errors++;
}
var _valid14 = _errs621 === errors;
valid121 = valid121 || _valid14;
if(!valid121){
const _errs623 = errors;
if(typeof data258 !== "string"){
const err743 = {instancePath:instancePath+"/cache/invalidate/" + i31+"/methods/" + i32,schemaPath:"#/properties/cache/properties/invalidate/items/properties/methods/items/anyOf/3/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.cache.properties.invalidate.items.properties.methods.items.anyOf[3].type,parentSchema:schema11.properties.cache.properties.invalidate.items.properties.methods.items.anyOf[3],data:data258};
if(vErrors === null){
vErrors = [err743];
}
else {
vErrors.push(err743);
}
errors++;
}
if("DELETE" !== data258){
const err744 = {instancePath:instancePath+"/cache/invalidate/" + i31+"/methods/" + i32,schemaPath:"#/properties/cache/properties/invalidate/items/properties/methods/items/anyOf/3/const",keyword:"const",params:{allowedValue: "DELETE"},message:"must be equal to constant",schema:"DELETE",parentSchema:schema11.properties.cache.properties.invalidate.items.properties.methods.items.anyOf[3],data:data258};
if(vErrors === null){
vErrors = [err744];
}
else {
vErrors.push(err744);
}
errors++;
}
var _valid14 = _errs623 === errors;
valid121 = valid121 || _valid14;
}
}
}
if(!valid121){
const err745 = {instancePath:instancePath+"/cache/invalidate/" + i31+"/methods/" + i32,schemaPath:"#/properties/cache/properties/invalidate/items/properties/methods/items/anyOf",keyword:"anyOf",params:{},message:"must match a schema in anyOf",schema:schema11.properties.cache.properties.invalidate.items.properties.methods.items.anyOf,parentSchema:schema11.properties.cache.properties.invalidate.items.properties.methods.items,data:data258};
if(vErrors === null){
vErrors = [err745];
}
else {
vErrors.push(err745);
}
errors++;
}
else {
errors = _errs616;
if(vErrors !== null){
if(_errs616){
vErrors.length = _errs616;
}
else {
vErrors = null;
}
}
}
}
}
else {
const err746 = {instancePath:instancePath+"/cache/invalidate/" + i31+"/methods",schemaPath:"#/properties/cache/properties/invalidate/items/properties/methods/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.cache.properties.invalidate.items.properties.methods.type,parentSchema:schema11.properties.cache.properties.invalidate.items.properties.methods,data:data257};
if(vErrors === null){
vErrors = [err746];
}
else {
vErrors.push(err746);
}
errors++;
}
if(data256.path !== undefined){
let data259 = data256.path;
if(typeof data259 === "string"){
if(func5(data259) < 1){
const err747 = {instancePath:instancePath+"/cache/invalidate/" + i31+"/path",schemaPath:"#/properties/cache/properties/invalidate/items/properties/path/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.cache.properties.invalidate.items.properties.path,data:data259};
if(vErrors === null){
vErrors = [err747];
}
else {
vErrors.push(err747);
}
errors++;
}
if(!pattern0.test(data259)){
const err748 = {instancePath:instancePath+"/cache/invalidate/" + i31+"/path",schemaPath:"#/properties/cache/properties/invalidate/items/properties/path/pattern",keyword:"pattern",params:{pattern: "^/"},message:"must match pattern \""+"^/"+"\"",schema:"^/",parentSchema:schema11.properties.cache.properties.invalidate.items.properties.path,data:data259};
if(vErrors === null){
vErrors = [err748];
}
else {
vErrors.push(err748);
}
errors++;
}
}
else {
const err749 = {instancePath:instancePath+"/cache/invalidate/" + i31+"/path",schemaPath:"#/properties/cache/properties/invalidate/items/properties/path/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.cache.properties.invalidate.items.properties.path.type,parentSchema:schema11.properties.cache.properties.invalidate.items.properties.path,data:data259};
if(vErrors === null){
vErrors = [err749];
}
else {
vErrors.push(err749);
}
errors++;
}
}
let data260 = data256.purge;
if(data260 && typeof data260 == "object" && !Array.isArray(data260)){
if(data260.prefixes === undefined){
data260.prefixes = [];
}
if(data260.urls === undefined){
data260.urls = [];
}
if(data260.tags === undefined){
data260.tags = [];
}
if(data260.prefixes === undefined){
const err750 = {instancePath:instancePath+"/cache/invalidate/" + i31+"/purge",schemaPath:"#/properties/cache/properties/invalidate/items/properties/purge/required",keyword:"required",params:{missingProperty: "prefixes"},message:"must have required property '"+"prefixes"+"'",schema:schema11.properties.cache.properties.invalidate.items.properties.purge.required,parentSchema:schema11.properties.cache.properties.invalidate.items.properties.purge,data:data260};
if(vErrors === null){
vErrors = [err750];
}
else {
vErrors.push(err750);
}
errors++;
}
if(data260.urls === undefined){
const err751 = {instancePath:instancePath+"/cache/invalidate/" + i31+"/purge",schemaPath:"#/properties/cache/properties/invalidate/items/properties/purge/required",keyword:"required",params:{missingProperty: "urls"},message:"must have required property '"+"urls"+"'",schema:schema11.properties.cache.properties.invalidate.items.properties.purge.required,parentSchema:schema11.properties.cache.properties.invalidate.items.properties.purge,data:data260};
if(vErrors === null){
vErrors = [err751];
}
else {
vErrors.push(err751);
}
errors++;
}
if(data260.tags === undefined){
const err752 = {instancePath:instancePath+"/cache/invalidate/" + i31+"/purge",schemaPath:"#/properties/cache/properties/invalidate/items/properties/purge/required",keyword:"required",params:{missingProperty: "tags"},message:"must have required property '"+"tags"+"'",schema:schema11.properties.cache.properties.invalidate.items.properties.purge.required,parentSchema:schema11.properties.cache.properties.invalidate.items.properties.purge,data:data260};
if(vErrors === null){
vErrors = [err752];
}
else {
vErrors.push(err752);
}
errors++;
}
for(const key42 in data260){
if(!(((key42 === "prefixes") || (key42 === "urls")) || (key42 === "tags"))){
const err753 = {instancePath:instancePath+"/cache/invalidate/" + i31+"/purge",schemaPath:"#/properties/cache/properties/invalidate/items/properties/purge/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key42},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.cache.properties.invalidate.items.properties.purge,data:data260};
if(vErrors === null){
vErrors = [err753];
}
else {
vErrors.push(err753);
}
errors++;
}
}
let data261 = data260.prefixes;
if(Array.isArray(data261)){
const len32 = data261.length;
for(let i33=0; i33<len32; i33++){
let data262 = data261[i33];
if(typeof data262 === "string"){
if(func5(data262) < 1){
const err754 = {instancePath:instancePath+"/cache/invalidate/" + i31+"/purge/prefixes/" + i33,schemaPath:"#/properties/cache/properties/invalidate/items/properties/purge/properties/prefixes/items/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.cache.properties.invalidate.items.properties.purge.properties.prefixes.items,data:data262};
if(vErrors === null){
vErrors = [err754];
}
else {
vErrors.push(err754);
}
errors++;
}
}
else {
const err755 = {instancePath:instancePath+"/cache/invalidate/" + i31+"/purge/prefixes/" + i33,schemaPath:"#/properties/cache/properties/invalidate/items/properties/purge/properties/prefixes/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.cache.properties.invalidate.items.properties.purge.properties.prefixes.items.type,parentSchema:schema11.properties.cache.properties.invalidate.items.properties.purge.properties.prefixes.items,data:data262};
if(vErrors === null){
vErrors = [err755];
}
else {
vErrors.push(err755);
}
errors++;
}
}
}
else {
const err756 = {instancePath:instancePath+"/cache/invalidate/" + i31+"/purge/prefixes",schemaPath:"#/properties/cache/properties/invalidate/items/properties/purge/properties/prefixes/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.cache.properties.invalidate.items.properties.purge.properties.prefixes.type,parentSchema:schema11.properties.cache.properties.invalidate.items.properties.purge.properties.prefixes,data:data261};
if(vErrors === null){
vErrors = [err756];
}
else {
vErrors.push(err756);
}
errors++;
}
let data263 = data260.urls;
if(Array.isArray(data263)){
const len33 = data263.length;
for(let i34=0; i34<len33; i34++){
let data264 = data263[i34];
if(typeof data264 === "string"){
if(func5(data264) < 1){
const err757 = {instancePath:instancePath+"/cache/invalidate/" + i31+"/purge/urls/" + i34,schemaPath:"#/properties/cache/properties/invalidate/items/properties/purge/properties/urls/items/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.cache.properties.invalidate.items.properties.purge.properties.urls.items,data:data264};
if(vErrors === null){
vErrors = [err757];
}
else {
vErrors.push(err757);
}
errors++;
}
}
else {
const err758 = {instancePath:instancePath+"/cache/invalidate/" + i31+"/purge/urls/" + i34,schemaPath:"#/properties/cache/properties/invalidate/items/properties/purge/properties/urls/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.cache.properties.invalidate.items.properties.purge.properties.urls.items.type,parentSchema:schema11.properties.cache.properties.invalidate.items.properties.purge.properties.urls.items,data:data264};
if(vErrors === null){
vErrors = [err758];
}
else {
vErrors.push(err758);
}
errors++;
}
}
}
else {
const err759 = {instancePath:instancePath+"/cache/invalidate/" + i31+"/purge/urls",schemaPath:"#/properties/cache/properties/invalidate/items/properties/purge/properties/urls/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.cache.properties.invalidate.items.properties.purge.properties.urls.type,parentSchema:schema11.properties.cache.properties.invalidate.items.properties.purge.properties.urls,data:data263};
if(vErrors === null){
vErrors = [err759];
}
else {
vErrors.push(err759);
}
errors++;
}
let data265 = data260.tags;
if(Array.isArray(data265)){
const len34 = data265.length;
for(let i35=0; i35<len34; i35++){
let data266 = data265[i35];
if(typeof data266 === "string"){
if(func5(data266) < 1){
const err760 = {instancePath:instancePath+"/cache/invalidate/" + i31+"/purge/tags/" + i35,schemaPath:"#/properties/cache/properties/invalidate/items/properties/purge/properties/tags/items/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.cache.properties.invalidate.items.properties.purge.properties.tags.items,data:data266};
if(vErrors === null){
vErrors = [err760];
}
else {
vErrors.push(err760);
}
errors++;
}
}
else {
const err761 = {instancePath:instancePath+"/cache/invalidate/" + i31+"/purge/tags/" + i35,schemaPath:"#/properties/cache/properties/invalidate/items/properties/purge/properties/tags/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.cache.properties.invalidate.items.properties.purge.properties.tags.items.type,parentSchema:schema11.properties.cache.properties.invalidate.items.properties.purge.properties.tags.items,data:data266};
if(vErrors === null){
vErrors = [err761];
}
else {
vErrors.push(err761);
}
errors++;
}
}
}
else {
const err762 = {instancePath:instancePath+"/cache/invalidate/" + i31+"/purge/tags",schemaPath:"#/properties/cache/properties/invalidate/items/properties/purge/properties/tags/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.cache.properties.invalidate.items.properties.purge.properties.tags.type,parentSchema:schema11.properties.cache.properties.invalidate.items.properties.purge.properties.tags,data:data265};
if(vErrors === null){
vErrors = [err762];
}
else {
vErrors.push(err762);
}
errors++;
}
}
else {
const err763 = {instancePath:instancePath+"/cache/invalidate/" + i31+"/purge",schemaPath:"#/properties/cache/properties/invalidate/items/properties/purge/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.cache.properties.invalidate.items.properties.purge.type,parentSchema:schema11.properties.cache.properties.invalidate.items.properties.purge,data:data260};
if(vErrors === null){
vErrors = [err763];
}
else {
vErrors.push(err763);
}
errors++;
}
}
else {
const err764 = {instancePath:instancePath+"/cache/invalidate/" + i31,schemaPath:"#/properties/cache/properties/invalidate/items/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.cache.properties.invalidate.items.type,parentSchema:schema11.properties.cache.properties.invalidate.items,data:data256};
if(vErrors === null){
vErrors = [err764];
}
else {
vErrors.push(err764);
}
errors++;
}
}
}
else {
const err765 = {instancePath:instancePath+"/cache/invalidate",schemaPath:"#/properties/cache/properties/invalidate/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.cache.properties.invalidate.type,parentSchema:schema11.properties.cache.properties.invalidate,data:data255};
if(vErrors === null){
vErrors = [err765];
}
else {
vErrors.push(err765);
}
errors++;
}
let data267 = data219.xCache;
if(typeof data267 !== "boolean"){
const err766 = {instancePath:instancePath+"/cache/xCache",schemaPath:"#/properties/cache/properties/xCache/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema11.properties.cache.properties.xCache.type,parentSchema:schema11.properties.cache.properties.xCache,data:data267};
if(vErrors === null){
vErrors = [err766];
}
else {
vErrors.push(err766);
}
errors++;
}
let data268 = data219.statusName;
if(typeof data268 !== "string"){
const err767 = {instancePath:instancePath+"/cache/statusName",schemaPath:"#/properties/cache/properties/statusName/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.cache.properties.statusName.type,parentSchema:schema11.properties.cache.properties.statusName,data:data268};
if(vErrors === null){
vErrors = [err767];
}
else {
vErrors.push(err767);
}
errors++;
}
let data269 = data219.grace;
const parsed40 = func7(data269);
if(parsed40 === undefined){
const err768 = {instancePath:instancePath+"/cache/grace",schemaPath:"#/properties/cache/properties/grace/x-unit",keyword:"x-unit",params:{unit: "duration", value: data269, minimum: undefined},message:"unit",schema:"duration",parentSchema:schema11.properties.cache.properties.grace,data:data269};
if(vErrors === null){
vErrors = [err768];
}
else {
vErrors.push(err768);
}
errors++;
}
else {
if(data219){
data219["grace"] = parsed40;
data269 = parsed40;
}
}
let data270 = data219.rules;
if(Array.isArray(data270)){
const len35 = data270.length;
for(let i36=0; i36<len35; i36++){
let data271 = data270[i36];
if(data271 && typeof data271 == "object" && !Array.isArray(data271)){
if(data271.name === undefined){
data271.name = "";
}
if(data271.path === undefined){
data271.path = "";
}
if(data271.pathRegex === undefined){
data271.pathRegex = "";
}
if(data271.methods === undefined){
data271.methods = ["GET","HEAD"];
}
if(data271.host === undefined){
data271.host = "";
}
if(data271.query === undefined){
data271.query = {};
}
if(data271.cookies === undefined){
data271.cookies = {};
}
if(data271.ttl === undefined){
data271.ttl = 0;
}
if(data271.override === undefined){
data271.override = false;
}
if(data271.statuses === undefined){
data271.statuses = [200,203,301,404,410];
}
if(data271.notFoundTtl === undefined){
data271.notFoundTtl = "1m";
}
if(data271.anonymousOnly === undefined){
data271.anonymousOnly = false;
}
if(data271.stripSetCookie === undefined){
data271.stripSetCookie = false;
}
if(data271.vary === undefined){
data271.vary = {};
}
if(data271.scope === undefined){
data271.scope = "shared";
}
if(data271.bypass === undefined){
data271.bypass = false;
}
if(data271.grace === undefined){
data271.grace = 0;
}
if(data271.name === undefined){
const err769 = {instancePath:instancePath+"/cache/rules/" + i36,schemaPath:"#/properties/cache/properties/rules/items/required",keyword:"required",params:{missingProperty: "name"},message:"must have required property '"+"name"+"'",schema:schema11.properties.cache.properties.rules.items.required,parentSchema:schema11.properties.cache.properties.rules.items,data:data271};
if(vErrors === null){
vErrors = [err769];
}
else {
vErrors.push(err769);
}
errors++;
}
if(data271.path === undefined){
const err770 = {instancePath:instancePath+"/cache/rules/" + i36,schemaPath:"#/properties/cache/properties/rules/items/required",keyword:"required",params:{missingProperty: "path"},message:"must have required property '"+"path"+"'",schema:schema11.properties.cache.properties.rules.items.required,parentSchema:schema11.properties.cache.properties.rules.items,data:data271};
if(vErrors === null){
vErrors = [err770];
}
else {
vErrors.push(err770);
}
errors++;
}
if(data271.pathRegex === undefined){
const err771 = {instancePath:instancePath+"/cache/rules/" + i36,schemaPath:"#/properties/cache/properties/rules/items/required",keyword:"required",params:{missingProperty: "pathRegex"},message:"must have required property '"+"pathRegex"+"'",schema:schema11.properties.cache.properties.rules.items.required,parentSchema:schema11.properties.cache.properties.rules.items,data:data271};
if(vErrors === null){
vErrors = [err771];
}
else {
vErrors.push(err771);
}
errors++;
}
if(data271.methods === undefined){
const err772 = {instancePath:instancePath+"/cache/rules/" + i36,schemaPath:"#/properties/cache/properties/rules/items/required",keyword:"required",params:{missingProperty: "methods"},message:"must have required property '"+"methods"+"'",schema:schema11.properties.cache.properties.rules.items.required,parentSchema:schema11.properties.cache.properties.rules.items,data:data271};
if(vErrors === null){
vErrors = [err772];
}
else {
vErrors.push(err772);
}
errors++;
}
if(data271.host === undefined){
const err773 = {instancePath:instancePath+"/cache/rules/" + i36,schemaPath:"#/properties/cache/properties/rules/items/required",keyword:"required",params:{missingProperty: "host"},message:"must have required property '"+"host"+"'",schema:schema11.properties.cache.properties.rules.items.required,parentSchema:schema11.properties.cache.properties.rules.items,data:data271};
if(vErrors === null){
vErrors = [err773];
}
else {
vErrors.push(err773);
}
errors++;
}
if(data271.query === undefined){
const err774 = {instancePath:instancePath+"/cache/rules/" + i36,schemaPath:"#/properties/cache/properties/rules/items/required",keyword:"required",params:{missingProperty: "query"},message:"must have required property '"+"query"+"'",schema:schema11.properties.cache.properties.rules.items.required,parentSchema:schema11.properties.cache.properties.rules.items,data:data271};
if(vErrors === null){
vErrors = [err774];
}
else {
vErrors.push(err774);
}
errors++;
}
if(data271.cookies === undefined){
const err775 = {instancePath:instancePath+"/cache/rules/" + i36,schemaPath:"#/properties/cache/properties/rules/items/required",keyword:"required",params:{missingProperty: "cookies"},message:"must have required property '"+"cookies"+"'",schema:schema11.properties.cache.properties.rules.items.required,parentSchema:schema11.properties.cache.properties.rules.items,data:data271};
if(vErrors === null){
vErrors = [err775];
}
else {
vErrors.push(err775);
}
errors++;
}
if(data271.ttl === undefined){
const err776 = {instancePath:instancePath+"/cache/rules/" + i36,schemaPath:"#/properties/cache/properties/rules/items/required",keyword:"required",params:{missingProperty: "ttl"},message:"must have required property '"+"ttl"+"'",schema:schema11.properties.cache.properties.rules.items.required,parentSchema:schema11.properties.cache.properties.rules.items,data:data271};
if(vErrors === null){
vErrors = [err776];
}
else {
vErrors.push(err776);
}
errors++;
}
if(data271.override === undefined){
const err777 = {instancePath:instancePath+"/cache/rules/" + i36,schemaPath:"#/properties/cache/properties/rules/items/required",keyword:"required",params:{missingProperty: "override"},message:"must have required property '"+"override"+"'",schema:schema11.properties.cache.properties.rules.items.required,parentSchema:schema11.properties.cache.properties.rules.items,data:data271};
if(vErrors === null){
vErrors = [err777];
}
else {
vErrors.push(err777);
}
errors++;
}
if(data271.statuses === undefined){
const err778 = {instancePath:instancePath+"/cache/rules/" + i36,schemaPath:"#/properties/cache/properties/rules/items/required",keyword:"required",params:{missingProperty: "statuses"},message:"must have required property '"+"statuses"+"'",schema:schema11.properties.cache.properties.rules.items.required,parentSchema:schema11.properties.cache.properties.rules.items,data:data271};
if(vErrors === null){
vErrors = [err778];
}
else {
vErrors.push(err778);
}
errors++;
}
if(data271.notFoundTtl === undefined){
const err779 = {instancePath:instancePath+"/cache/rules/" + i36,schemaPath:"#/properties/cache/properties/rules/items/required",keyword:"required",params:{missingProperty: "notFoundTtl"},message:"must have required property '"+"notFoundTtl"+"'",schema:schema11.properties.cache.properties.rules.items.required,parentSchema:schema11.properties.cache.properties.rules.items,data:data271};
if(vErrors === null){
vErrors = [err779];
}
else {
vErrors.push(err779);
}
errors++;
}
if(data271.anonymousOnly === undefined){
const err780 = {instancePath:instancePath+"/cache/rules/" + i36,schemaPath:"#/properties/cache/properties/rules/items/required",keyword:"required",params:{missingProperty: "anonymousOnly"},message:"must have required property '"+"anonymousOnly"+"'",schema:schema11.properties.cache.properties.rules.items.required,parentSchema:schema11.properties.cache.properties.rules.items,data:data271};
if(vErrors === null){
vErrors = [err780];
}
else {
vErrors.push(err780);
}
errors++;
}
if(data271.stripSetCookie === undefined){
const err781 = {instancePath:instancePath+"/cache/rules/" + i36,schemaPath:"#/properties/cache/properties/rules/items/required",keyword:"required",params:{missingProperty: "stripSetCookie"},message:"must have required property '"+"stripSetCookie"+"'",schema:schema11.properties.cache.properties.rules.items.required,parentSchema:schema11.properties.cache.properties.rules.items,data:data271};
if(vErrors === null){
vErrors = [err781];
}
else {
vErrors.push(err781);
}
errors++;
}
if(data271.vary === undefined){
const err782 = {instancePath:instancePath+"/cache/rules/" + i36,schemaPath:"#/properties/cache/properties/rules/items/required",keyword:"required",params:{missingProperty: "vary"},message:"must have required property '"+"vary"+"'",schema:schema11.properties.cache.properties.rules.items.required,parentSchema:schema11.properties.cache.properties.rules.items,data:data271};
if(vErrors === null){
vErrors = [err782];
}
else {
vErrors.push(err782);
}
errors++;
}
if(data271.scope === undefined){
const err783 = {instancePath:instancePath+"/cache/rules/" + i36,schemaPath:"#/properties/cache/properties/rules/items/required",keyword:"required",params:{missingProperty: "scope"},message:"must have required property '"+"scope"+"'",schema:schema11.properties.cache.properties.rules.items.required,parentSchema:schema11.properties.cache.properties.rules.items,data:data271};
if(vErrors === null){
vErrors = [err783];
}
else {
vErrors.push(err783);
}
errors++;
}
if(data271.bypass === undefined){
const err784 = {instancePath:instancePath+"/cache/rules/" + i36,schemaPath:"#/properties/cache/properties/rules/items/required",keyword:"required",params:{missingProperty: "bypass"},message:"must have required property '"+"bypass"+"'",schema:schema11.properties.cache.properties.rules.items.required,parentSchema:schema11.properties.cache.properties.rules.items,data:data271};
if(vErrors === null){
vErrors = [err784];
}
else {
vErrors.push(err784);
}
errors++;
}
if(data271.grace === undefined){
const err785 = {instancePath:instancePath+"/cache/rules/" + i36,schemaPath:"#/properties/cache/properties/rules/items/required",keyword:"required",params:{missingProperty: "grace"},message:"must have required property '"+"grace"+"'",schema:schema11.properties.cache.properties.rules.items.required,parentSchema:schema11.properties.cache.properties.rules.items,data:data271};
if(vErrors === null){
vErrors = [err785];
}
else {
vErrors.push(err785);
}
errors++;
}
for(const key43 in data271){
if(!(func2.call(schema11.properties.cache.properties.rules.items.properties, key43))){
const err786 = {instancePath:instancePath+"/cache/rules/" + i36,schemaPath:"#/properties/cache/properties/rules/items/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key43},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.cache.properties.rules.items,data:data271};
if(vErrors === null){
vErrors = [err786];
}
else {
vErrors.push(err786);
}
errors++;
}
}
let data272 = data271.name;
if(typeof data272 !== "string"){
const err787 = {instancePath:instancePath+"/cache/rules/" + i36+"/name",schemaPath:"#/properties/cache/properties/rules/items/properties/name/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.cache.properties.rules.items.properties.name.type,parentSchema:schema11.properties.cache.properties.rules.items.properties.name,data:data272};
if(vErrors === null){
vErrors = [err787];
}
else {
vErrors.push(err787);
}
errors++;
}
let data273 = data271.path;
if(typeof data273 !== "string"){
const err788 = {instancePath:instancePath+"/cache/rules/" + i36+"/path",schemaPath:"#/properties/cache/properties/rules/items/properties/path/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.cache.properties.rules.items.properties.path.type,parentSchema:schema11.properties.cache.properties.rules.items.properties.path,data:data273};
if(vErrors === null){
vErrors = [err788];
}
else {
vErrors.push(err788);
}
errors++;
}
let data274 = data271.pathRegex;
if(typeof data274 !== "string"){
const err789 = {instancePath:instancePath+"/cache/rules/" + i36+"/pathRegex",schemaPath:"#/properties/cache/properties/rules/items/properties/pathRegex/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.cache.properties.rules.items.properties.pathRegex.type,parentSchema:schema11.properties.cache.properties.rules.items.properties.pathRegex,data:data274};
if(vErrors === null){
vErrors = [err789];
}
else {
vErrors.push(err789);
}
errors++;
}
let data275 = data271.methods;
if(Array.isArray(data275)){
const len36 = data275.length;
for(let i37=0; i37<len36; i37++){
let data276 = data275[i37];
const _errs661 = errors;
let valid134 = false;
const _errs662 = errors;
if(typeof data276 !== "string"){
const err790 = {instancePath:instancePath+"/cache/rules/" + i36+"/methods/" + i37,schemaPath:"#/properties/cache/properties/rules/items/properties/methods/items/anyOf/0/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.cache.properties.rules.items.properties.methods.items.anyOf[0].type,parentSchema:schema11.properties.cache.properties.rules.items.properties.methods.items.anyOf[0],data:data276};
if(vErrors === null){
vErrors = [err790];
}
else {
vErrors.push(err790);
}
errors++;
}
if("GET" !== data276){
const err791 = {instancePath:instancePath+"/cache/rules/" + i36+"/methods/" + i37,schemaPath:"#/properties/cache/properties/rules/items/properties/methods/items/anyOf/0/const",keyword:"const",params:{allowedValue: "GET"},message:"must be equal to constant",schema:"GET",parentSchema:schema11.properties.cache.properties.rules.items.properties.methods.items.anyOf[0],data:data276};
if(vErrors === null){
vErrors = [err791];
}
else {
vErrors.push(err791);
}
errors++;
}
var _valid15 = _errs662 === errors;
valid134 = valid134 || _valid15;
if(!valid134){
const _errs664 = errors;
if(typeof data276 !== "string"){
const err792 = {instancePath:instancePath+"/cache/rules/" + i36+"/methods/" + i37,schemaPath:"#/properties/cache/properties/rules/items/properties/methods/items/anyOf/1/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.cache.properties.rules.items.properties.methods.items.anyOf[1].type,parentSchema:schema11.properties.cache.properties.rules.items.properties.methods.items.anyOf[1],data:data276};
if(vErrors === null){
vErrors = [err792];
}
else {
vErrors.push(err792);
}
errors++;
}
if("HEAD" !== data276){
const err793 = {instancePath:instancePath+"/cache/rules/" + i36+"/methods/" + i37,schemaPath:"#/properties/cache/properties/rules/items/properties/methods/items/anyOf/1/const",keyword:"const",params:{allowedValue: "HEAD"},message:"must be equal to constant",schema:"HEAD",parentSchema:schema11.properties.cache.properties.rules.items.properties.methods.items.anyOf[1],data:data276};
if(vErrors === null){
vErrors = [err793];
}
else {
vErrors.push(err793);
}
errors++;
}
var _valid15 = _errs664 === errors;
valid134 = valid134 || _valid15;
}
if(!valid134){
const err794 = {instancePath:instancePath+"/cache/rules/" + i36+"/methods/" + i37,schemaPath:"#/properties/cache/properties/rules/items/properties/methods/items/anyOf",keyword:"anyOf",params:{},message:"must match a schema in anyOf",schema:schema11.properties.cache.properties.rules.items.properties.methods.items.anyOf,parentSchema:schema11.properties.cache.properties.rules.items.properties.methods.items,data:data276};
if(vErrors === null){
vErrors = [err794];
}
else {
vErrors.push(err794);
}
errors++;
}
else {
errors = _errs661;
if(vErrors !== null){
if(_errs661){
vErrors.length = _errs661;
}
else {
vErrors = null;
}
}
}
}
}
else {
const err795 = {instancePath:instancePath+"/cache/rules/" + i36+"/methods",schemaPath:"#/properties/cache/properties/rules/items/properties/methods/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.cache.properties.rules.items.properties.methods.type,parentSchema:schema11.properties.cache.properties.rules.items.properties.methods,data:data275};
if(vErrors === null){
vErrors = [err795];
}
else {
vErrors.push(err795);
}
errors++;
}
let data277 = data271.host;
if(typeof data277 !== "string"){
const err796 = {instancePath:instancePath+"/cache/rules/" + i36+"/host",schemaPath:"#/properties/cache/properties/rules/items/properties/host/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.cache.properties.rules.items.properties.host.type,parentSchema:schema11.properties.cache.properties.rules.items.properties.host,data:data277};
if(vErrors === null){
vErrors = [err796];
}
else {
vErrors.push(err796);
}
errors++;
}
let data278 = data271.query;
if(data278 && typeof data278 == "object" && !Array.isArray(data278)){
for(const key44 in data278){
if(pattern11.test(key44)){
let data279 = data278[key44];
if(typeof data279 !== "string"){
const err797 = {instancePath:instancePath+"/cache/rules/" + i36+"/query/" + key44.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/properties/cache/properties/rules/items/properties/query/patternProperties/%5E(.*)%24/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.cache.properties.rules.items.properties.query.patternProperties["^(.*)$"].type,parentSchema:schema11.properties.cache.properties.rules.items.properties.query.patternProperties["^(.*)$"],data:data279};
if(vErrors === null){
vErrors = [err797];
}
else {
vErrors.push(err797);
}
errors++;
}
}
}
}
else {
const err798 = {instancePath:instancePath+"/cache/rules/" + i36+"/query",schemaPath:"#/properties/cache/properties/rules/items/properties/query/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.cache.properties.rules.items.properties.query.type,parentSchema:schema11.properties.cache.properties.rules.items.properties.query,data:data278};
if(vErrors === null){
vErrors = [err798];
}
else {
vErrors.push(err798);
}
errors++;
}
let data280 = data271.cookies;
if(data280 && typeof data280 == "object" && !Array.isArray(data280)){
if(data280.present === undefined){
data280.present = [];
}
if(data280.absent === undefined){
data280.absent = [];
}
if(data280.present === undefined){
const err799 = {instancePath:instancePath+"/cache/rules/" + i36+"/cookies",schemaPath:"#/properties/cache/properties/rules/items/properties/cookies/required",keyword:"required",params:{missingProperty: "present"},message:"must have required property '"+"present"+"'",schema:schema11.properties.cache.properties.rules.items.properties.cookies.required,parentSchema:schema11.properties.cache.properties.rules.items.properties.cookies,data:data280};
if(vErrors === null){
vErrors = [err799];
}
else {
vErrors.push(err799);
}
errors++;
}
if(data280.absent === undefined){
const err800 = {instancePath:instancePath+"/cache/rules/" + i36+"/cookies",schemaPath:"#/properties/cache/properties/rules/items/properties/cookies/required",keyword:"required",params:{missingProperty: "absent"},message:"must have required property '"+"absent"+"'",schema:schema11.properties.cache.properties.rules.items.properties.cookies.required,parentSchema:schema11.properties.cache.properties.rules.items.properties.cookies,data:data280};
if(vErrors === null){
vErrors = [err800];
}
else {
vErrors.push(err800);
}
errors++;
}
for(const key45 in data280){
if(!((key45 === "present") || (key45 === "absent"))){
const err801 = {instancePath:instancePath+"/cache/rules/" + i36+"/cookies",schemaPath:"#/properties/cache/properties/rules/items/properties/cookies/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key45},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.cache.properties.rules.items.properties.cookies,data:data280};
if(vErrors === null){
vErrors = [err801];
}
else {
vErrors.push(err801);
}
errors++;
}
}
let data281 = data280.present;
if(Array.isArray(data281)){
const len37 = data281.length;
for(let i38=0; i38<len37; i38++){
let data282 = data281[i38];
if(typeof data282 === "string"){
if(func5(data282) < 1){
const err802 = {instancePath:instancePath+"/cache/rules/" + i36+"/cookies/present/" + i38,schemaPath:"#/properties/cache/properties/rules/items/properties/cookies/properties/present/items/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.cache.properties.rules.items.properties.cookies.properties.present.items,data:data282};
if(vErrors === null){
vErrors = [err802];
}
else {
vErrors.push(err802);
}
errors++;
}
}
else {
const err803 = {instancePath:instancePath+"/cache/rules/" + i36+"/cookies/present/" + i38,schemaPath:"#/properties/cache/properties/rules/items/properties/cookies/properties/present/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.cache.properties.rules.items.properties.cookies.properties.present.items.type,parentSchema:schema11.properties.cache.properties.rules.items.properties.cookies.properties.present.items,data:data282};
if(vErrors === null){
vErrors = [err803];
}
else {
vErrors.push(err803);
}
errors++;
}
}
}
else {
const err804 = {instancePath:instancePath+"/cache/rules/" + i36+"/cookies/present",schemaPath:"#/properties/cache/properties/rules/items/properties/cookies/properties/present/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.cache.properties.rules.items.properties.cookies.properties.present.type,parentSchema:schema11.properties.cache.properties.rules.items.properties.cookies.properties.present,data:data281};
if(vErrors === null){
vErrors = [err804];
}
else {
vErrors.push(err804);
}
errors++;
}
let data283 = data280.absent;
if(Array.isArray(data283)){
const len38 = data283.length;
for(let i39=0; i39<len38; i39++){
let data284 = data283[i39];
if(typeof data284 === "string"){
if(func5(data284) < 1){
const err805 = {instancePath:instancePath+"/cache/rules/" + i36+"/cookies/absent/" + i39,schemaPath:"#/properties/cache/properties/rules/items/properties/cookies/properties/absent/items/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.cache.properties.rules.items.properties.cookies.properties.absent.items,data:data284};
if(vErrors === null){
vErrors = [err805];
}
else {
vErrors.push(err805);
}
errors++;
}
}
else {
const err806 = {instancePath:instancePath+"/cache/rules/" + i36+"/cookies/absent/" + i39,schemaPath:"#/properties/cache/properties/rules/items/properties/cookies/properties/absent/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.cache.properties.rules.items.properties.cookies.properties.absent.items.type,parentSchema:schema11.properties.cache.properties.rules.items.properties.cookies.properties.absent.items,data:data284};
if(vErrors === null){
vErrors = [err806];
}
else {
vErrors.push(err806);
}
errors++;
}
}
}
else {
const err807 = {instancePath:instancePath+"/cache/rules/" + i36+"/cookies/absent",schemaPath:"#/properties/cache/properties/rules/items/properties/cookies/properties/absent/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.cache.properties.rules.items.properties.cookies.properties.absent.type,parentSchema:schema11.properties.cache.properties.rules.items.properties.cookies.properties.absent,data:data283};
if(vErrors === null){
vErrors = [err807];
}
else {
vErrors.push(err807);
}
errors++;
}
}
else {
const err808 = {instancePath:instancePath+"/cache/rules/" + i36+"/cookies",schemaPath:"#/properties/cache/properties/rules/items/properties/cookies/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.cache.properties.rules.items.properties.cookies.type,parentSchema:schema11.properties.cache.properties.rules.items.properties.cookies,data:data280};
if(vErrors === null){
vErrors = [err808];
}
else {
vErrors.push(err808);
}
errors++;
}
let data285 = data271.ttl;
const parsed41 = func7(data285);
if(parsed41 === undefined){
const err809 = {instancePath:instancePath+"/cache/rules/" + i36+"/ttl",schemaPath:"#/properties/cache/properties/rules/items/properties/ttl/x-unit",keyword:"x-unit",params:{unit: "duration", value: data285, minimum: undefined},message:"unit",schema:"duration",parentSchema:schema11.properties.cache.properties.rules.items.properties.ttl,data:data285};
if(vErrors === null){
vErrors = [err809];
}
else {
vErrors.push(err809);
}
errors++;
}
else {
if(data271){
data271["ttl"] = parsed41;
data285 = parsed41;
}
}
let data286 = data271.override;
if(typeof data286 !== "boolean"){
const err810 = {instancePath:instancePath+"/cache/rules/" + i36+"/override",schemaPath:"#/properties/cache/properties/rules/items/properties/override/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema11.properties.cache.properties.rules.items.properties.override.type,parentSchema:schema11.properties.cache.properties.rules.items.properties.override,data:data286};
if(vErrors === null){
vErrors = [err810];
}
else {
vErrors.push(err810);
}
errors++;
}
let data287 = data271.statuses;
if(Array.isArray(data287)){
const len39 = data287.length;
for(let i40=0; i40<len39; i40++){
let data288 = data287[i40];
if(!((typeof data288 == "number") && (!(data288 % 1) && !isNaN(data288)))){
const err811 = {instancePath:instancePath+"/cache/rules/" + i36+"/statuses/" + i40,schemaPath:"#/properties/cache/properties/rules/items/properties/statuses/items/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.cache.properties.rules.items.properties.statuses.items.type,parentSchema:schema11.properties.cache.properties.rules.items.properties.statuses.items,data:data288};
if(vErrors === null){
vErrors = [err811];
}
else {
vErrors.push(err811);
}
errors++;
}
}
}
else {
const err812 = {instancePath:instancePath+"/cache/rules/" + i36+"/statuses",schemaPath:"#/properties/cache/properties/rules/items/properties/statuses/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.cache.properties.rules.items.properties.statuses.type,parentSchema:schema11.properties.cache.properties.rules.items.properties.statuses,data:data287};
if(vErrors === null){
vErrors = [err812];
}
else {
vErrors.push(err812);
}
errors++;
}
let data289 = data271.notFoundTtl;
const parsed42 = func7(data289);
if(parsed42 === undefined){
const err813 = {instancePath:instancePath+"/cache/rules/" + i36+"/notFoundTtl",schemaPath:"#/properties/cache/properties/rules/items/properties/notFoundTtl/x-unit",keyword:"x-unit",params:{unit: "duration", value: data289, minimum: undefined},message:"unit",schema:"duration",parentSchema:schema11.properties.cache.properties.rules.items.properties.notFoundTtl,data:data289};
if(vErrors === null){
vErrors = [err813];
}
else {
vErrors.push(err813);
}
errors++;
}
else {
if(data271){
data271["notFoundTtl"] = parsed42;
data289 = parsed42;
}
}
let data290 = data271.anonymousOnly;
if(typeof data290 !== "boolean"){
const err814 = {instancePath:instancePath+"/cache/rules/" + i36+"/anonymousOnly",schemaPath:"#/properties/cache/properties/rules/items/properties/anonymousOnly/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema11.properties.cache.properties.rules.items.properties.anonymousOnly.type,parentSchema:schema11.properties.cache.properties.rules.items.properties.anonymousOnly,data:data290};
if(vErrors === null){
vErrors = [err814];
}
else {
vErrors.push(err814);
}
errors++;
}
let data291 = data271.stripSetCookie;
if(typeof data291 !== "boolean"){
const err815 = {instancePath:instancePath+"/cache/rules/" + i36+"/stripSetCookie",schemaPath:"#/properties/cache/properties/rules/items/properties/stripSetCookie/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema11.properties.cache.properties.rules.items.properties.stripSetCookie.type,parentSchema:schema11.properties.cache.properties.rules.items.properties.stripSetCookie,data:data291};
if(vErrors === null){
vErrors = [err815];
}
else {
vErrors.push(err815);
}
errors++;
}
let data292 = data271.vary;
if(data292 && typeof data292 == "object" && !Array.isArray(data292)){
if(data292.cookies === undefined){
data292.cookies = [];
}
if(data292.headers === undefined){
data292.headers = [];
}
if(data292.cookies === undefined){
const err816 = {instancePath:instancePath+"/cache/rules/" + i36+"/vary",schemaPath:"#/properties/cache/properties/rules/items/properties/vary/required",keyword:"required",params:{missingProperty: "cookies"},message:"must have required property '"+"cookies"+"'",schema:schema11.properties.cache.properties.rules.items.properties.vary.required,parentSchema:schema11.properties.cache.properties.rules.items.properties.vary,data:data292};
if(vErrors === null){
vErrors = [err816];
}
else {
vErrors.push(err816);
}
errors++;
}
if(data292.headers === undefined){
const err817 = {instancePath:instancePath+"/cache/rules/" + i36+"/vary",schemaPath:"#/properties/cache/properties/rules/items/properties/vary/required",keyword:"required",params:{missingProperty: "headers"},message:"must have required property '"+"headers"+"'",schema:schema11.properties.cache.properties.rules.items.properties.vary.required,parentSchema:schema11.properties.cache.properties.rules.items.properties.vary,data:data292};
if(vErrors === null){
vErrors = [err817];
}
else {
vErrors.push(err817);
}
errors++;
}
for(const key46 in data292){
if(!((key46 === "cookies") || (key46 === "headers"))){
const err818 = {instancePath:instancePath+"/cache/rules/" + i36+"/vary",schemaPath:"#/properties/cache/properties/rules/items/properties/vary/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key46},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.cache.properties.rules.items.properties.vary,data:data292};
if(vErrors === null){
vErrors = [err818];
}
else {
vErrors.push(err818);
}
errors++;
}
}
let data293 = data292.cookies;
if(Array.isArray(data293)){
const len40 = data293.length;
for(let i41=0; i41<len40; i41++){
let data294 = data293[i41];
if(typeof data294 === "string"){
if(func5(data294) < 1){
const err819 = {instancePath:instancePath+"/cache/rules/" + i36+"/vary/cookies/" + i41,schemaPath:"#/properties/cache/properties/rules/items/properties/vary/properties/cookies/items/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.cache.properties.rules.items.properties.vary.properties.cookies.items,data:data294};
if(vErrors === null){
vErrors = [err819];
}
else {
vErrors.push(err819);
}
errors++;
}
}
else {
const err820 = {instancePath:instancePath+"/cache/rules/" + i36+"/vary/cookies/" + i41,schemaPath:"#/properties/cache/properties/rules/items/properties/vary/properties/cookies/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.cache.properties.rules.items.properties.vary.properties.cookies.items.type,parentSchema:schema11.properties.cache.properties.rules.items.properties.vary.properties.cookies.items,data:data294};
if(vErrors === null){
vErrors = [err820];
}
else {
vErrors.push(err820);
}
errors++;
}
}
}
else {
const err821 = {instancePath:instancePath+"/cache/rules/" + i36+"/vary/cookies",schemaPath:"#/properties/cache/properties/rules/items/properties/vary/properties/cookies/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.cache.properties.rules.items.properties.vary.properties.cookies.type,parentSchema:schema11.properties.cache.properties.rules.items.properties.vary.properties.cookies,data:data293};
if(vErrors === null){
vErrors = [err821];
}
else {
vErrors.push(err821);
}
errors++;
}
let data295 = data292.headers;
if(Array.isArray(data295)){
const len41 = data295.length;
for(let i42=0; i42<len41; i42++){
let data296 = data295[i42];
if(typeof data296 === "string"){
if(func5(data296) < 1){
const err822 = {instancePath:instancePath+"/cache/rules/" + i36+"/vary/headers/" + i42,schemaPath:"#/properties/cache/properties/rules/items/properties/vary/properties/headers/items/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.cache.properties.rules.items.properties.vary.properties.headers.items,data:data296};
if(vErrors === null){
vErrors = [err822];
}
else {
vErrors.push(err822);
}
errors++;
}
}
else {
const err823 = {instancePath:instancePath+"/cache/rules/" + i36+"/vary/headers/" + i42,schemaPath:"#/properties/cache/properties/rules/items/properties/vary/properties/headers/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.cache.properties.rules.items.properties.vary.properties.headers.items.type,parentSchema:schema11.properties.cache.properties.rules.items.properties.vary.properties.headers.items,data:data296};
if(vErrors === null){
vErrors = [err823];
}
else {
vErrors.push(err823);
}
errors++;
}
}
}
else {
const err824 = {instancePath:instancePath+"/cache/rules/" + i36+"/vary/headers",schemaPath:"#/properties/cache/properties/rules/items/properties/vary/properties/headers/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.cache.properties.rules.items.properties.vary.properties.headers.type,parentSchema:schema11.properties.cache.properties.rules.items.properties.vary.properties.headers,data:data295};
if(vErrors === null){
vErrors = [err824];
}
else {
vErrors.push(err824);
}
errors++;
}
}
else {
const err825 = {instancePath:instancePath+"/cache/rules/" + i36+"/vary",schemaPath:"#/properties/cache/properties/rules/items/properties/vary/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.cache.properties.rules.items.properties.vary.type,parentSchema:schema11.properties.cache.properties.rules.items.properties.vary,data:data292};
if(vErrors === null){
vErrors = [err825];
}
else {
vErrors.push(err825);
}
errors++;
}
let data297 = data271.scope;
const _errs707 = errors;
let valid148 = false;
const _errs708 = errors;
if(typeof data297 !== "string"){
const err826 = {instancePath:instancePath+"/cache/rules/" + i36+"/scope",schemaPath:"#/properties/cache/properties/rules/items/properties/scope/anyOf/0/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.cache.properties.rules.items.properties.scope.anyOf[0].type,parentSchema:schema11.properties.cache.properties.rules.items.properties.scope.anyOf[0],data:data297};
if(vErrors === null){
vErrors = [err826];
}
else {
vErrors.push(err826);
}
errors++;
}
if("shared" !== data297){
const err827 = {instancePath:instancePath+"/cache/rules/" + i36+"/scope",schemaPath:"#/properties/cache/properties/rules/items/properties/scope/anyOf/0/const",keyword:"const",params:{allowedValue: "shared"},message:"must be equal to constant",schema:"shared",parentSchema:schema11.properties.cache.properties.rules.items.properties.scope.anyOf[0],data:data297};
if(vErrors === null){
vErrors = [err827];
}
else {
vErrors.push(err827);
}
errors++;
}
var _valid16 = _errs708 === errors;
valid148 = valid148 || _valid16;
if(!valid148){
const _errs710 = errors;
if(typeof data297 !== "string"){
const err828 = {instancePath:instancePath+"/cache/rules/" + i36+"/scope",schemaPath:"#/properties/cache/properties/rules/items/properties/scope/anyOf/1/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.cache.properties.rules.items.properties.scope.anyOf[1].type,parentSchema:schema11.properties.cache.properties.rules.items.properties.scope.anyOf[1],data:data297};
if(vErrors === null){
vErrors = [err828];
}
else {
vErrors.push(err828);
}
errors++;
}
if("per-user" !== data297){
const err829 = {instancePath:instancePath+"/cache/rules/" + i36+"/scope",schemaPath:"#/properties/cache/properties/rules/items/properties/scope/anyOf/1/const",keyword:"const",params:{allowedValue: "per-user"},message:"must be equal to constant",schema:"per-user",parentSchema:schema11.properties.cache.properties.rules.items.properties.scope.anyOf[1],data:data297};
if(vErrors === null){
vErrors = [err829];
}
else {
vErrors.push(err829);
}
errors++;
}
var _valid16 = _errs710 === errors;
valid148 = valid148 || _valid16;
if(!valid148){
const _errs712 = errors;
if(typeof data297 !== "string"){
const err830 = {instancePath:instancePath+"/cache/rules/" + i36+"/scope",schemaPath:"#/properties/cache/properties/rules/items/properties/scope/anyOf/2/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.cache.properties.rules.items.properties.scope.anyOf[2].type,parentSchema:schema11.properties.cache.properties.rules.items.properties.scope.anyOf[2],data:data297};
if(vErrors === null){
vErrors = [err830];
}
else {
vErrors.push(err830);
}
errors++;
}
if("context" !== data297){
const err831 = {instancePath:instancePath+"/cache/rules/" + i36+"/scope",schemaPath:"#/properties/cache/properties/rules/items/properties/scope/anyOf/2/const",keyword:"const",params:{allowedValue: "context"},message:"must be equal to constant",schema:"context",parentSchema:schema11.properties.cache.properties.rules.items.properties.scope.anyOf[2],data:data297};
if(vErrors === null){
vErrors = [err831];
}
else {
vErrors.push(err831);
}
errors++;
}
var _valid16 = _errs712 === errors;
valid148 = valid148 || _valid16;
}
}
if(!valid148){
const err832 = {instancePath:instancePath+"/cache/rules/" + i36+"/scope",schemaPath:"#/properties/cache/properties/rules/items/properties/scope/anyOf",keyword:"anyOf",params:{},message:"must match a schema in anyOf",schema:schema11.properties.cache.properties.rules.items.properties.scope.anyOf,parentSchema:schema11.properties.cache.properties.rules.items.properties.scope,data:data297};
if(vErrors === null){
vErrors = [err832];
}
else {
vErrors.push(err832);
}
errors++;
}
else {
errors = _errs707;
if(vErrors !== null){
if(_errs707){
vErrors.length = _errs707;
}
else {
vErrors = null;
}
}
}
let data298 = data271.bypass;
if(typeof data298 !== "boolean"){
const err833 = {instancePath:instancePath+"/cache/rules/" + i36+"/bypass",schemaPath:"#/properties/cache/properties/rules/items/properties/bypass/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema11.properties.cache.properties.rules.items.properties.bypass.type,parentSchema:schema11.properties.cache.properties.rules.items.properties.bypass,data:data298};
if(vErrors === null){
vErrors = [err833];
}
else {
vErrors.push(err833);
}
errors++;
}
let data299 = data271.grace;
const parsed43 = func7(data299);
if(parsed43 === undefined){
const err834 = {instancePath:instancePath+"/cache/rules/" + i36+"/grace",schemaPath:"#/properties/cache/properties/rules/items/properties/grace/x-unit",keyword:"x-unit",params:{unit: "duration", value: data299, minimum: undefined},message:"unit",schema:"duration",parentSchema:schema11.properties.cache.properties.rules.items.properties.grace,data:data299};
if(vErrors === null){
vErrors = [err834];
}
else {
vErrors.push(err834);
}
errors++;
}
else {
if(data271){
data271["grace"] = parsed43;
data299 = parsed43;
}
}
}
else {
const err835 = {instancePath:instancePath+"/cache/rules/" + i36,schemaPath:"#/properties/cache/properties/rules/items/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.cache.properties.rules.items.type,parentSchema:schema11.properties.cache.properties.rules.items,data:data271};
if(vErrors === null){
vErrors = [err835];
}
else {
vErrors.push(err835);
}
errors++;
}
}
}
else {
const err836 = {instancePath:instancePath+"/cache/rules",schemaPath:"#/properties/cache/properties/rules/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.cache.properties.rules.type,parentSchema:schema11.properties.cache.properties.rules,data:data270};
if(vErrors === null){
vErrors = [err836];
}
else {
vErrors.push(err836);
}
errors++;
}
}
else {
const err837 = {instancePath:instancePath+"/cache",schemaPath:"#/properties/cache/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.cache.type,parentSchema:schema11.properties.cache,data:data219};
if(vErrors === null){
vErrors = [err837];
}
else {
vErrors.push(err837);
}
errors++;
}
let data300 = data.metrics;
if(data300 && typeof data300 == "object" && !Array.isArray(data300)){
if(data300.enabled === undefined){
data300.enabled = true;
}
if(data300.port === undefined){
data300.port = 0;
}
if(data300.host === undefined){
data300.host = "127.0.0.1";
}
if(data300.processMetrics === undefined){
data300.processMetrics = true;
}
if(data300.maxRoutes === undefined){
data300.maxRoutes = 200;
}
if(data300.history === undefined){
data300.history = "15m";
}
if(data300.buckets === undefined){
data300.buckets = [0.005,0.01,0.025,0.05,0.1,0.25,0.5,1,2.5,5,10];
}
if(data300.enabled === undefined){
const err838 = {instancePath:instancePath+"/metrics",schemaPath:"#/properties/metrics/required",keyword:"required",params:{missingProperty: "enabled"},message:"must have required property '"+"enabled"+"'",schema:schema11.properties.metrics.required,parentSchema:schema11.properties.metrics,data:data300};
if(vErrors === null){
vErrors = [err838];
}
else {
vErrors.push(err838);
}
errors++;
}
if(data300.port === undefined){
const err839 = {instancePath:instancePath+"/metrics",schemaPath:"#/properties/metrics/required",keyword:"required",params:{missingProperty: "port"},message:"must have required property '"+"port"+"'",schema:schema11.properties.metrics.required,parentSchema:schema11.properties.metrics,data:data300};
if(vErrors === null){
vErrors = [err839];
}
else {
vErrors.push(err839);
}
errors++;
}
if(data300.host === undefined){
const err840 = {instancePath:instancePath+"/metrics",schemaPath:"#/properties/metrics/required",keyword:"required",params:{missingProperty: "host"},message:"must have required property '"+"host"+"'",schema:schema11.properties.metrics.required,parentSchema:schema11.properties.metrics,data:data300};
if(vErrors === null){
vErrors = [err840];
}
else {
vErrors.push(err840);
}
errors++;
}
if(data300.processMetrics === undefined){
const err841 = {instancePath:instancePath+"/metrics",schemaPath:"#/properties/metrics/required",keyword:"required",params:{missingProperty: "processMetrics"},message:"must have required property '"+"processMetrics"+"'",schema:schema11.properties.metrics.required,parentSchema:schema11.properties.metrics,data:data300};
if(vErrors === null){
vErrors = [err841];
}
else {
vErrors.push(err841);
}
errors++;
}
if(data300.maxRoutes === undefined){
const err842 = {instancePath:instancePath+"/metrics",schemaPath:"#/properties/metrics/required",keyword:"required",params:{missingProperty: "maxRoutes"},message:"must have required property '"+"maxRoutes"+"'",schema:schema11.properties.metrics.required,parentSchema:schema11.properties.metrics,data:data300};
if(vErrors === null){
vErrors = [err842];
}
else {
vErrors.push(err842);
}
errors++;
}
if(data300.history === undefined){
const err843 = {instancePath:instancePath+"/metrics",schemaPath:"#/properties/metrics/required",keyword:"required",params:{missingProperty: "history"},message:"must have required property '"+"history"+"'",schema:schema11.properties.metrics.required,parentSchema:schema11.properties.metrics,data:data300};
if(vErrors === null){
vErrors = [err843];
}
else {
vErrors.push(err843);
}
errors++;
}
if(data300.buckets === undefined){
const err844 = {instancePath:instancePath+"/metrics",schemaPath:"#/properties/metrics/required",keyword:"required",params:{missingProperty: "buckets"},message:"must have required property '"+"buckets"+"'",schema:schema11.properties.metrics.required,parentSchema:schema11.properties.metrics,data:data300};
if(vErrors === null){
vErrors = [err844];
}
else {
vErrors.push(err844);
}
errors++;
}
for(const key47 in data300){
if(!(((((((key47 === "enabled") || (key47 === "port")) || (key47 === "host")) || (key47 === "processMetrics")) || (key47 === "maxRoutes")) || (key47 === "history")) || (key47 === "buckets"))){
const err845 = {instancePath:instancePath+"/metrics",schemaPath:"#/properties/metrics/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key47},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.metrics,data:data300};
if(vErrors === null){
vErrors = [err845];
}
else {
vErrors.push(err845);
}
errors++;
}
}
let data301 = data300.enabled;
if(typeof data301 !== "boolean"){
const err846 = {instancePath:instancePath+"/metrics/enabled",schemaPath:"#/properties/metrics/properties/enabled/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema11.properties.metrics.properties.enabled.type,parentSchema:schema11.properties.metrics.properties.enabled,data:data301};
if(vErrors === null){
vErrors = [err846];
}
else {
vErrors.push(err846);
}
errors++;
}
let data302 = data300.port;
if(!((typeof data302 == "number") && (!(data302 % 1) && !isNaN(data302)))){
const err847 = {instancePath:instancePath+"/metrics/port",schemaPath:"#/properties/metrics/properties/port/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.metrics.properties.port.type,parentSchema:schema11.properties.metrics.properties.port,data:data302};
if(vErrors === null){
vErrors = [err847];
}
else {
vErrors.push(err847);
}
errors++;
}
if(typeof data302 == "number"){
if(data302 > 65535 || isNaN(data302)){
const err848 = {instancePath:instancePath+"/metrics/port",schemaPath:"#/properties/metrics/properties/port/maximum",keyword:"maximum",params:{comparison: "<=", limit: 65535},message:"must be <= 65535",schema:65535,parentSchema:schema11.properties.metrics.properties.port,data:data302};
if(vErrors === null){
vErrors = [err848];
}
else {
vErrors.push(err848);
}
errors++;
}
if(data302 < 0 || isNaN(data302)){
const err849 = {instancePath:instancePath+"/metrics/port",schemaPath:"#/properties/metrics/properties/port/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0",schema:0,parentSchema:schema11.properties.metrics.properties.port,data:data302};
if(vErrors === null){
vErrors = [err849];
}
else {
vErrors.push(err849);
}
errors++;
}
}
let data303 = data300.host;
if(typeof data303 !== "string"){
const err850 = {instancePath:instancePath+"/metrics/host",schemaPath:"#/properties/metrics/properties/host/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.metrics.properties.host.type,parentSchema:schema11.properties.metrics.properties.host,data:data303};
if(vErrors === null){
vErrors = [err850];
}
else {
vErrors.push(err850);
}
errors++;
}
let data304 = data300.processMetrics;
if(typeof data304 !== "boolean"){
const err851 = {instancePath:instancePath+"/metrics/processMetrics",schemaPath:"#/properties/metrics/properties/processMetrics/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema11.properties.metrics.properties.processMetrics.type,parentSchema:schema11.properties.metrics.properties.processMetrics,data:data304};
if(vErrors === null){
vErrors = [err851];
}
else {
vErrors.push(err851);
}
errors++;
}
let data305 = data300.maxRoutes;
if(!((typeof data305 == "number") && (!(data305 % 1) && !isNaN(data305)))){
const err852 = {instancePath:instancePath+"/metrics/maxRoutes",schemaPath:"#/properties/metrics/properties/maxRoutes/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.metrics.properties.maxRoutes.type,parentSchema:schema11.properties.metrics.properties.maxRoutes,data:data305};
if(vErrors === null){
vErrors = [err852];
}
else {
vErrors.push(err852);
}
errors++;
}
if(typeof data305 == "number"){
if(data305 > 10000 || isNaN(data305)){
const err853 = {instancePath:instancePath+"/metrics/maxRoutes",schemaPath:"#/properties/metrics/properties/maxRoutes/maximum",keyword:"maximum",params:{comparison: "<=", limit: 10000},message:"must be <= 10000",schema:10000,parentSchema:schema11.properties.metrics.properties.maxRoutes,data:data305};
if(vErrors === null){
vErrors = [err853];
}
else {
vErrors.push(err853);
}
errors++;
}
if(data305 < 10 || isNaN(data305)){
const err854 = {instancePath:instancePath+"/metrics/maxRoutes",schemaPath:"#/properties/metrics/properties/maxRoutes/minimum",keyword:"minimum",params:{comparison: ">=", limit: 10},message:"must be >= 10",schema:10,parentSchema:schema11.properties.metrics.properties.maxRoutes,data:data305};
if(vErrors === null){
vErrors = [err854];
}
else {
vErrors.push(err854);
}
errors++;
}
}
let data306 = data300.history;
const parsed44 = func7(data306);
if(parsed44 === undefined){
const err855 = {instancePath:instancePath+"/metrics/history",schemaPath:"#/properties/metrics/properties/history/x-unit",keyword:"x-unit",params:{unit: "duration", value: data306, minimum: undefined},message:"unit",schema:"duration",parentSchema:schema11.properties.metrics.properties.history,data:data306};
if(vErrors === null){
vErrors = [err855];
}
else {
vErrors.push(err855);
}
errors++;
}
else {
if(data300){
data300["history"] = parsed44;
data306 = parsed44;
}
}
let data307 = data300.buckets;
if(Array.isArray(data307)){
if(data307.length > 30){
const err856 = {instancePath:instancePath+"/metrics/buckets",schemaPath:"#/properties/metrics/properties/buckets/maxItems",keyword:"maxItems",params:{limit: 30},message:"must NOT have more than 30 items",schema:30,parentSchema:schema11.properties.metrics.properties.buckets,data:data307};
if(vErrors === null){
vErrors = [err856];
}
else {
vErrors.push(err856);
}
errors++;
}
if(data307.length < 1){
const err857 = {instancePath:instancePath+"/metrics/buckets",schemaPath:"#/properties/metrics/properties/buckets/minItems",keyword:"minItems",params:{limit: 1},message:"must NOT have fewer than 1 items",schema:1,parentSchema:schema11.properties.metrics.properties.buckets,data:data307};
if(vErrors === null){
vErrors = [err857];
}
else {
vErrors.push(err857);
}
errors++;
}
const len42 = data307.length;
for(let i43=0; i43<len42; i43++){
let data308 = data307[i43];
if(typeof data308 == "number"){
if(data308 <= 0 || isNaN(data308)){
const err858 = {instancePath:instancePath+"/metrics/buckets/" + i43,schemaPath:"#/properties/metrics/properties/buckets/items/exclusiveMinimum",keyword:"exclusiveMinimum",params:{comparison: ">", limit: 0},message:"must be > 0",schema:0,parentSchema:schema11.properties.metrics.properties.buckets.items,data:data308};
if(vErrors === null){
vErrors = [err858];
}
else {
vErrors.push(err858);
}
errors++;
}
}
else {
const err859 = {instancePath:instancePath+"/metrics/buckets/" + i43,schemaPath:"#/properties/metrics/properties/buckets/items/type",keyword:"type",params:{type: "number"},message:"must be number",schema:schema11.properties.metrics.properties.buckets.items.type,parentSchema:schema11.properties.metrics.properties.buckets.items,data:data308};
if(vErrors === null){
vErrors = [err859];
}
else {
vErrors.push(err859);
}
errors++;
}
}
}
else {
const err860 = {instancePath:instancePath+"/metrics/buckets",schemaPath:"#/properties/metrics/properties/buckets/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.metrics.properties.buckets.type,parentSchema:schema11.properties.metrics.properties.buckets,data:data307};
if(vErrors === null){
vErrors = [err860];
}
else {
vErrors.push(err860);
}
errors++;
}
}
else {
const err861 = {instancePath:instancePath+"/metrics",schemaPath:"#/properties/metrics/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.metrics.type,parentSchema:schema11.properties.metrics,data:data300};
if(vErrors === null){
vErrors = [err861];
}
else {
vErrors.push(err861);
}
errors++;
}
let data309 = data.db;
if(data309 && typeof data309 == "object" && !Array.isArray(data309)){
if(data309.enabled === undefined){
data309.enabled = false;
}
if(data309.schemas === undefined){
data309.schemas = [];
}
if(data309.auditSchema === undefined){
data309.auditSchema = "sipup_sidecar";
}
if(data309.sources === undefined){
data309.sources = ["digest","slowlog","processlist"];
}
if(data309.processlistWindow === undefined){
data309.processlistWindow = "60s";
}
if(data309.processlistInterval === undefined){
data309.processlistInterval = "100ms";
}
if(data309.slowLogFile === undefined){
data309.slowLogFile = "";
}
if(data309.slowLogMaxAge === undefined){
data309.slowLogMaxAge = "24h";
}
if(data309.slowLogMaxBytes === undefined){
data309.slowLogMaxBytes = "64MB";
}
if(data309.maxShapes === undefined){
data309.maxShapes = 200;
}
if(data309.analyzeStatements === undefined){
data309.analyzeStatements = true;
}
if(data309.statementTimeout === undefined){
data309.statementTimeout = "10s";
}
if(data309.explainConcurrency === undefined){
data309.explainConcurrency = 2;
}
if(data309.lockWaitTimeout === undefined){
data309.lockWaitTimeout = "5s";
}
if(data309.maxOnlineTableSize === undefined){
data309.maxOnlineTableSize = "1GB";
}
if(data309.verifyRuns === undefined){
data309.verifyRuns = 5;
}
if(data309.minGain === undefined){
data309.minGain = 1.5;
}
if(data309.coveringMaxColumns === undefined){
data309.coveringMaxColumns = 2;
}
if(data309.coveringMaxBytes === undefined){
data309.coveringMaxBytes = 16;
}
if(data309.partitionMinRows === undefined){
data309.partitionMinRows = 5000000;
}
if(data309.maintenance === undefined){
data309.maintenance = {};
}
if(data309.enabled === undefined){
const err862 = {instancePath:instancePath+"/db",schemaPath:"#/properties/db/required",keyword:"required",params:{missingProperty: "enabled"},message:"must have required property '"+"enabled"+"'",schema:schema11.properties.db.required,parentSchema:schema11.properties.db,data:data309};
if(vErrors === null){
vErrors = [err862];
}
else {
vErrors.push(err862);
}
errors++;
}
if(data309.schemas === undefined){
const err863 = {instancePath:instancePath+"/db",schemaPath:"#/properties/db/required",keyword:"required",params:{missingProperty: "schemas"},message:"must have required property '"+"schemas"+"'",schema:schema11.properties.db.required,parentSchema:schema11.properties.db,data:data309};
if(vErrors === null){
vErrors = [err863];
}
else {
vErrors.push(err863);
}
errors++;
}
if(data309.auditSchema === undefined){
const err864 = {instancePath:instancePath+"/db",schemaPath:"#/properties/db/required",keyword:"required",params:{missingProperty: "auditSchema"},message:"must have required property '"+"auditSchema"+"'",schema:schema11.properties.db.required,parentSchema:schema11.properties.db,data:data309};
if(vErrors === null){
vErrors = [err864];
}
else {
vErrors.push(err864);
}
errors++;
}
if(data309.sources === undefined){
const err865 = {instancePath:instancePath+"/db",schemaPath:"#/properties/db/required",keyword:"required",params:{missingProperty: "sources"},message:"must have required property '"+"sources"+"'",schema:schema11.properties.db.required,parentSchema:schema11.properties.db,data:data309};
if(vErrors === null){
vErrors = [err865];
}
else {
vErrors.push(err865);
}
errors++;
}
if(data309.processlistWindow === undefined){
const err866 = {instancePath:instancePath+"/db",schemaPath:"#/properties/db/required",keyword:"required",params:{missingProperty: "processlistWindow"},message:"must have required property '"+"processlistWindow"+"'",schema:schema11.properties.db.required,parentSchema:schema11.properties.db,data:data309};
if(vErrors === null){
vErrors = [err866];
}
else {
vErrors.push(err866);
}
errors++;
}
if(data309.processlistInterval === undefined){
const err867 = {instancePath:instancePath+"/db",schemaPath:"#/properties/db/required",keyword:"required",params:{missingProperty: "processlistInterval"},message:"must have required property '"+"processlistInterval"+"'",schema:schema11.properties.db.required,parentSchema:schema11.properties.db,data:data309};
if(vErrors === null){
vErrors = [err867];
}
else {
vErrors.push(err867);
}
errors++;
}
if(data309.slowLogFile === undefined){
const err868 = {instancePath:instancePath+"/db",schemaPath:"#/properties/db/required",keyword:"required",params:{missingProperty: "slowLogFile"},message:"must have required property '"+"slowLogFile"+"'",schema:schema11.properties.db.required,parentSchema:schema11.properties.db,data:data309};
if(vErrors === null){
vErrors = [err868];
}
else {
vErrors.push(err868);
}
errors++;
}
if(data309.slowLogMaxAge === undefined){
const err869 = {instancePath:instancePath+"/db",schemaPath:"#/properties/db/required",keyword:"required",params:{missingProperty: "slowLogMaxAge"},message:"must have required property '"+"slowLogMaxAge"+"'",schema:schema11.properties.db.required,parentSchema:schema11.properties.db,data:data309};
if(vErrors === null){
vErrors = [err869];
}
else {
vErrors.push(err869);
}
errors++;
}
if(data309.slowLogMaxBytes === undefined){
const err870 = {instancePath:instancePath+"/db",schemaPath:"#/properties/db/required",keyword:"required",params:{missingProperty: "slowLogMaxBytes"},message:"must have required property '"+"slowLogMaxBytes"+"'",schema:schema11.properties.db.required,parentSchema:schema11.properties.db,data:data309};
if(vErrors === null){
vErrors = [err870];
}
else {
vErrors.push(err870);
}
errors++;
}
if(data309.maxShapes === undefined){
const err871 = {instancePath:instancePath+"/db",schemaPath:"#/properties/db/required",keyword:"required",params:{missingProperty: "maxShapes"},message:"must have required property '"+"maxShapes"+"'",schema:schema11.properties.db.required,parentSchema:schema11.properties.db,data:data309};
if(vErrors === null){
vErrors = [err871];
}
else {
vErrors.push(err871);
}
errors++;
}
if(data309.analyzeStatements === undefined){
const err872 = {instancePath:instancePath+"/db",schemaPath:"#/properties/db/required",keyword:"required",params:{missingProperty: "analyzeStatements"},message:"must have required property '"+"analyzeStatements"+"'",schema:schema11.properties.db.required,parentSchema:schema11.properties.db,data:data309};
if(vErrors === null){
vErrors = [err872];
}
else {
vErrors.push(err872);
}
errors++;
}
if(data309.statementTimeout === undefined){
const err873 = {instancePath:instancePath+"/db",schemaPath:"#/properties/db/required",keyword:"required",params:{missingProperty: "statementTimeout"},message:"must have required property '"+"statementTimeout"+"'",schema:schema11.properties.db.required,parentSchema:schema11.properties.db,data:data309};
if(vErrors === null){
vErrors = [err873];
}
else {
vErrors.push(err873);
}
errors++;
}
if(data309.explainConcurrency === undefined){
const err874 = {instancePath:instancePath+"/db",schemaPath:"#/properties/db/required",keyword:"required",params:{missingProperty: "explainConcurrency"},message:"must have required property '"+"explainConcurrency"+"'",schema:schema11.properties.db.required,parentSchema:schema11.properties.db,data:data309};
if(vErrors === null){
vErrors = [err874];
}
else {
vErrors.push(err874);
}
errors++;
}
if(data309.lockWaitTimeout === undefined){
const err875 = {instancePath:instancePath+"/db",schemaPath:"#/properties/db/required",keyword:"required",params:{missingProperty: "lockWaitTimeout"},message:"must have required property '"+"lockWaitTimeout"+"'",schema:schema11.properties.db.required,parentSchema:schema11.properties.db,data:data309};
if(vErrors === null){
vErrors = [err875];
}
else {
vErrors.push(err875);
}
errors++;
}
if(data309.maxOnlineTableSize === undefined){
const err876 = {instancePath:instancePath+"/db",schemaPath:"#/properties/db/required",keyword:"required",params:{missingProperty: "maxOnlineTableSize"},message:"must have required property '"+"maxOnlineTableSize"+"'",schema:schema11.properties.db.required,parentSchema:schema11.properties.db,data:data309};
if(vErrors === null){
vErrors = [err876];
}
else {
vErrors.push(err876);
}
errors++;
}
if(data309.verifyRuns === undefined){
const err877 = {instancePath:instancePath+"/db",schemaPath:"#/properties/db/required",keyword:"required",params:{missingProperty: "verifyRuns"},message:"must have required property '"+"verifyRuns"+"'",schema:schema11.properties.db.required,parentSchema:schema11.properties.db,data:data309};
if(vErrors === null){
vErrors = [err877];
}
else {
vErrors.push(err877);
}
errors++;
}
if(data309.minGain === undefined){
const err878 = {instancePath:instancePath+"/db",schemaPath:"#/properties/db/required",keyword:"required",params:{missingProperty: "minGain"},message:"must have required property '"+"minGain"+"'",schema:schema11.properties.db.required,parentSchema:schema11.properties.db,data:data309};
if(vErrors === null){
vErrors = [err878];
}
else {
vErrors.push(err878);
}
errors++;
}
if(data309.coveringMaxColumns === undefined){
const err879 = {instancePath:instancePath+"/db",schemaPath:"#/properties/db/required",keyword:"required",params:{missingProperty: "coveringMaxColumns"},message:"must have required property '"+"coveringMaxColumns"+"'",schema:schema11.properties.db.required,parentSchema:schema11.properties.db,data:data309};
if(vErrors === null){
vErrors = [err879];
}
else {
vErrors.push(err879);
}
errors++;
}
if(data309.coveringMaxBytes === undefined){
const err880 = {instancePath:instancePath+"/db",schemaPath:"#/properties/db/required",keyword:"required",params:{missingProperty: "coveringMaxBytes"},message:"must have required property '"+"coveringMaxBytes"+"'",schema:schema11.properties.db.required,parentSchema:schema11.properties.db,data:data309};
if(vErrors === null){
vErrors = [err880];
}
else {
vErrors.push(err880);
}
errors++;
}
if(data309.partitionMinRows === undefined){
const err881 = {instancePath:instancePath+"/db",schemaPath:"#/properties/db/required",keyword:"required",params:{missingProperty: "partitionMinRows"},message:"must have required property '"+"partitionMinRows"+"'",schema:schema11.properties.db.required,parentSchema:schema11.properties.db,data:data309};
if(vErrors === null){
vErrors = [err881];
}
else {
vErrors.push(err881);
}
errors++;
}
if(data309.maintenance === undefined){
const err882 = {instancePath:instancePath+"/db",schemaPath:"#/properties/db/required",keyword:"required",params:{missingProperty: "maintenance"},message:"must have required property '"+"maintenance"+"'",schema:schema11.properties.db.required,parentSchema:schema11.properties.db,data:data309};
if(vErrors === null){
vErrors = [err882];
}
else {
vErrors.push(err882);
}
errors++;
}
for(const key48 in data309){
if(!(func2.call(schema11.properties.db.properties, key48))){
const err883 = {instancePath:instancePath+"/db",schemaPath:"#/properties/db/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key48},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.db,data:data309};
if(vErrors === null){
vErrors = [err883];
}
else {
vErrors.push(err883);
}
errors++;
}
}
let data310 = data309.enabled;
if(typeof data310 !== "boolean"){
const err884 = {instancePath:instancePath+"/db/enabled",schemaPath:"#/properties/db/properties/enabled/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema11.properties.db.properties.enabled.type,parentSchema:schema11.properties.db.properties.enabled,data:data310};
if(vErrors === null){
vErrors = [err884];
}
else {
vErrors.push(err884);
}
errors++;
}
let data311 = data309.schemas;
if(Array.isArray(data311)){
const len43 = data311.length;
for(let i44=0; i44<len43; i44++){
let data312 = data311[i44];
if(typeof data312 === "string"){
if(func5(data312) < 1){
const err885 = {instancePath:instancePath+"/db/schemas/" + i44,schemaPath:"#/properties/db/properties/schemas/items/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.db.properties.schemas.items,data:data312};
if(vErrors === null){
vErrors = [err885];
}
else {
vErrors.push(err885);
}
errors++;
}
}
else {
const err886 = {instancePath:instancePath+"/db/schemas/" + i44,schemaPath:"#/properties/db/properties/schemas/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.db.properties.schemas.items.type,parentSchema:schema11.properties.db.properties.schemas.items,data:data312};
if(vErrors === null){
vErrors = [err886];
}
else {
vErrors.push(err886);
}
errors++;
}
}
}
else {
const err887 = {instancePath:instancePath+"/db/schemas",schemaPath:"#/properties/db/properties/schemas/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.db.properties.schemas.type,parentSchema:schema11.properties.db.properties.schemas,data:data311};
if(vErrors === null){
vErrors = [err887];
}
else {
vErrors.push(err887);
}
errors++;
}
let data313 = data309.auditSchema;
if(typeof data313 !== "string"){
const err888 = {instancePath:instancePath+"/db/auditSchema",schemaPath:"#/properties/db/properties/auditSchema/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.db.properties.auditSchema.type,parentSchema:schema11.properties.db.properties.auditSchema,data:data313};
if(vErrors === null){
vErrors = [err888];
}
else {
vErrors.push(err888);
}
errors++;
}
let data314 = data309.sources;
if(Array.isArray(data314)){
const len44 = data314.length;
for(let i45=0; i45<len44; i45++){
let data315 = data314[i45];
const _errs749 = errors;
let valid157 = false;
const _errs750 = errors;
if(typeof data315 !== "string"){
const err889 = {instancePath:instancePath+"/db/sources/" + i45,schemaPath:"#/properties/db/properties/sources/items/anyOf/0/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.db.properties.sources.items.anyOf[0].type,parentSchema:schema11.properties.db.properties.sources.items.anyOf[0],data:data315};
if(vErrors === null){
vErrors = [err889];
}
else {
vErrors.push(err889);
}
errors++;
}
if("digest" !== data315){
const err890 = {instancePath:instancePath+"/db/sources/" + i45,schemaPath:"#/properties/db/properties/sources/items/anyOf/0/const",keyword:"const",params:{allowedValue: "digest"},message:"must be equal to constant",schema:"digest",parentSchema:schema11.properties.db.properties.sources.items.anyOf[0],data:data315};
if(vErrors === null){
vErrors = [err890];
}
else {
vErrors.push(err890);
}
errors++;
}
var _valid17 = _errs750 === errors;
valid157 = valid157 || _valid17;
if(!valid157){
const _errs752 = errors;
if(typeof data315 !== "string"){
const err891 = {instancePath:instancePath+"/db/sources/" + i45,schemaPath:"#/properties/db/properties/sources/items/anyOf/1/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.db.properties.sources.items.anyOf[1].type,parentSchema:schema11.properties.db.properties.sources.items.anyOf[1],data:data315};
if(vErrors === null){
vErrors = [err891];
}
else {
vErrors.push(err891);
}
errors++;
}
if("slowlog" !== data315){
const err892 = {instancePath:instancePath+"/db/sources/" + i45,schemaPath:"#/properties/db/properties/sources/items/anyOf/1/const",keyword:"const",params:{allowedValue: "slowlog"},message:"must be equal to constant",schema:"slowlog",parentSchema:schema11.properties.db.properties.sources.items.anyOf[1],data:data315};
if(vErrors === null){
vErrors = [err892];
}
else {
vErrors.push(err892);
}
errors++;
}
var _valid17 = _errs752 === errors;
valid157 = valid157 || _valid17;
if(!valid157){
const _errs754 = errors;
if(typeof data315 !== "string"){
const err893 = {instancePath:instancePath+"/db/sources/" + i45,schemaPath:"#/properties/db/properties/sources/items/anyOf/2/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.db.properties.sources.items.anyOf[2].type,parentSchema:schema11.properties.db.properties.sources.items.anyOf[2],data:data315};
if(vErrors === null){
vErrors = [err893];
}
else {
vErrors.push(err893);
}
errors++;
}
if("processlist" !== data315){
const err894 = {instancePath:instancePath+"/db/sources/" + i45,schemaPath:"#/properties/db/properties/sources/items/anyOf/2/const",keyword:"const",params:{allowedValue: "processlist"},message:"must be equal to constant",schema:"processlist",parentSchema:schema11.properties.db.properties.sources.items.anyOf[2],data:data315};
if(vErrors === null){
vErrors = [err894];
}
else {
vErrors.push(err894);
}
errors++;
}
var _valid17 = _errs754 === errors;
valid157 = valid157 || _valid17;
}
}
if(!valid157){
const err895 = {instancePath:instancePath+"/db/sources/" + i45,schemaPath:"#/properties/db/properties/sources/items/anyOf",keyword:"anyOf",params:{},message:"must match a schema in anyOf",schema:schema11.properties.db.properties.sources.items.anyOf,parentSchema:schema11.properties.db.properties.sources.items,data:data315};
if(vErrors === null){
vErrors = [err895];
}
else {
vErrors.push(err895);
}
errors++;
}
else {
errors = _errs749;
if(vErrors !== null){
if(_errs749){
vErrors.length = _errs749;
}
else {
vErrors = null;
}
}
}
}
}
else {
const err896 = {instancePath:instancePath+"/db/sources",schemaPath:"#/properties/db/properties/sources/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.db.properties.sources.type,parentSchema:schema11.properties.db.properties.sources,data:data314};
if(vErrors === null){
vErrors = [err896];
}
else {
vErrors.push(err896);
}
errors++;
}
let data316 = data309.processlistWindow;
const parsed45 = func7(data316);
if(parsed45 === undefined){
const err897 = {instancePath:instancePath+"/db/processlistWindow",schemaPath:"#/properties/db/properties/processlistWindow/x-unit",keyword:"x-unit",params:{unit: "duration", value: data316, minimum: undefined},message:"unit",schema:"duration",parentSchema:schema11.properties.db.properties.processlistWindow,data:data316};
if(vErrors === null){
vErrors = [err897];
}
else {
vErrors.push(err897);
}
errors++;
}
else {
if(data309){
data309["processlistWindow"] = parsed45;
data316 = parsed45;
}
}
let data317 = data309.processlistInterval;
const parsed46 = func7(data317);
if(parsed46 === undefined){
const err898 = {instancePath:instancePath+"/db/processlistInterval",schemaPath:"#/properties/db/properties/processlistInterval/x-unit",keyword:"x-unit",params:{unit: "duration", value: data317, minimum: undefined},message:"unit",schema:"duration",parentSchema:schema11.properties.db.properties.processlistInterval,data:data317};
if(vErrors === null){
vErrors = [err898];
}
else {
vErrors.push(err898);
}
errors++;
}
else {
if(data309){
data309["processlistInterval"] = parsed46;
data317 = parsed46;
}
}
let data318 = data309.slowLogFile;
if(typeof data318 !== "string"){
const err899 = {instancePath:instancePath+"/db/slowLogFile",schemaPath:"#/properties/db/properties/slowLogFile/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.db.properties.slowLogFile.type,parentSchema:schema11.properties.db.properties.slowLogFile,data:data318};
if(vErrors === null){
vErrors = [err899];
}
else {
vErrors.push(err899);
}
errors++;
}
let data319 = data309.slowLogMaxAge;
const parsed47 = func7(data319);
if(parsed47 === undefined){
const err900 = {instancePath:instancePath+"/db/slowLogMaxAge",schemaPath:"#/properties/db/properties/slowLogMaxAge/x-unit",keyword:"x-unit",params:{unit: "duration", value: data319, minimum: undefined},message:"unit",schema:"duration",parentSchema:schema11.properties.db.properties.slowLogMaxAge,data:data319};
if(vErrors === null){
vErrors = [err900];
}
else {
vErrors.push(err900);
}
errors++;
}
else {
if(data309){
data309["slowLogMaxAge"] = parsed47;
data319 = parsed47;
}
}
let data320 = data309.slowLogMaxBytes;
const parsed48 = func6(data320);
if(parsed48 === undefined){
const err901 = {instancePath:instancePath+"/db/slowLogMaxBytes",schemaPath:"#/properties/db/properties/slowLogMaxBytes/x-unit",keyword:"x-unit",params:{unit: "bytes", value: data320, minimum: undefined},message:"unit",schema:"bytes",parentSchema:schema11.properties.db.properties.slowLogMaxBytes,data:data320};
if(vErrors === null){
vErrors = [err901];
}
else {
vErrors.push(err901);
}
errors++;
}
else {
if(data309){
data309["slowLogMaxBytes"] = parsed48;
data320 = parsed48;
}
}
let data321 = data309.maxShapes;
if(!((typeof data321 == "number") && (!(data321 % 1) && !isNaN(data321)))){
const err902 = {instancePath:instancePath+"/db/maxShapes",schemaPath:"#/properties/db/properties/maxShapes/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.db.properties.maxShapes.type,parentSchema:schema11.properties.db.properties.maxShapes,data:data321};
if(vErrors === null){
vErrors = [err902];
}
else {
vErrors.push(err902);
}
errors++;
}
if(typeof data321 == "number"){
if(data321 > 10000 || isNaN(data321)){
const err903 = {instancePath:instancePath+"/db/maxShapes",schemaPath:"#/properties/db/properties/maxShapes/maximum",keyword:"maximum",params:{comparison: "<=", limit: 10000},message:"must be <= 10000",schema:10000,parentSchema:schema11.properties.db.properties.maxShapes,data:data321};
if(vErrors === null){
vErrors = [err903];
}
else {
vErrors.push(err903);
}
errors++;
}
if(data321 < 1 || isNaN(data321)){
const err904 = {instancePath:instancePath+"/db/maxShapes",schemaPath:"#/properties/db/properties/maxShapes/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema11.properties.db.properties.maxShapes,data:data321};
if(vErrors === null){
vErrors = [err904];
}
else {
vErrors.push(err904);
}
errors++;
}
}
let data322 = data309.analyzeStatements;
if(typeof data322 !== "boolean"){
const err905 = {instancePath:instancePath+"/db/analyzeStatements",schemaPath:"#/properties/db/properties/analyzeStatements/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema11.properties.db.properties.analyzeStatements.type,parentSchema:schema11.properties.db.properties.analyzeStatements,data:data322};
if(vErrors === null){
vErrors = [err905];
}
else {
vErrors.push(err905);
}
errors++;
}
let data323 = data309.statementTimeout;
const parsed49 = func7(data323);
if(parsed49 === undefined){
const err906 = {instancePath:instancePath+"/db/statementTimeout",schemaPath:"#/properties/db/properties/statementTimeout/x-unit",keyword:"x-unit",params:{unit: "duration", value: data323, minimum: undefined},message:"unit",schema:"duration",parentSchema:schema11.properties.db.properties.statementTimeout,data:data323};
if(vErrors === null){
vErrors = [err906];
}
else {
vErrors.push(err906);
}
errors++;
}
else {
if(data309){
data309["statementTimeout"] = parsed49;
data323 = parsed49;
}
}
let data324 = data309.explainConcurrency;
if(!((typeof data324 == "number") && (!(data324 % 1) && !isNaN(data324)))){
const err907 = {instancePath:instancePath+"/db/explainConcurrency",schemaPath:"#/properties/db/properties/explainConcurrency/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.db.properties.explainConcurrency.type,parentSchema:schema11.properties.db.properties.explainConcurrency,data:data324};
if(vErrors === null){
vErrors = [err907];
}
else {
vErrors.push(err907);
}
errors++;
}
if(typeof data324 == "number"){
if(data324 > 16 || isNaN(data324)){
const err908 = {instancePath:instancePath+"/db/explainConcurrency",schemaPath:"#/properties/db/properties/explainConcurrency/maximum",keyword:"maximum",params:{comparison: "<=", limit: 16},message:"must be <= 16",schema:16,parentSchema:schema11.properties.db.properties.explainConcurrency,data:data324};
if(vErrors === null){
vErrors = [err908];
}
else {
vErrors.push(err908);
}
errors++;
}
if(data324 < 1 || isNaN(data324)){
const err909 = {instancePath:instancePath+"/db/explainConcurrency",schemaPath:"#/properties/db/properties/explainConcurrency/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema11.properties.db.properties.explainConcurrency,data:data324};
if(vErrors === null){
vErrors = [err909];
}
else {
vErrors.push(err909);
}
errors++;
}
}
let data325 = data309.lockWaitTimeout;
const parsed50 = func7(data325);
if(parsed50 === undefined){
const err910 = {instancePath:instancePath+"/db/lockWaitTimeout",schemaPath:"#/properties/db/properties/lockWaitTimeout/x-unit",keyword:"x-unit",params:{unit: "duration", value: data325, minimum: undefined},message:"unit",schema:"duration",parentSchema:schema11.properties.db.properties.lockWaitTimeout,data:data325};
if(vErrors === null){
vErrors = [err910];
}
else {
vErrors.push(err910);
}
errors++;
}
else {
if(data309){
data309["lockWaitTimeout"] = parsed50;
data325 = parsed50;
}
}
let data326 = data309.maxOnlineTableSize;
const parsed51 = func6(data326);
if(parsed51 === undefined){
const err911 = {instancePath:instancePath+"/db/maxOnlineTableSize",schemaPath:"#/properties/db/properties/maxOnlineTableSize/x-unit",keyword:"x-unit",params:{unit: "bytes", value: data326, minimum: undefined},message:"unit",schema:"bytes",parentSchema:schema11.properties.db.properties.maxOnlineTableSize,data:data326};
if(vErrors === null){
vErrors = [err911];
}
else {
vErrors.push(err911);
}
errors++;
}
else {
if(data309){
data309["maxOnlineTableSize"] = parsed51;
data326 = parsed51;
}
}
let data327 = data309.verifyRuns;
if(!((typeof data327 == "number") && (!(data327 % 1) && !isNaN(data327)))){
const err912 = {instancePath:instancePath+"/db/verifyRuns",schemaPath:"#/properties/db/properties/verifyRuns/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.db.properties.verifyRuns.type,parentSchema:schema11.properties.db.properties.verifyRuns,data:data327};
if(vErrors === null){
vErrors = [err912];
}
else {
vErrors.push(err912);
}
errors++;
}
if(typeof data327 == "number"){
if(data327 > 50 || isNaN(data327)){
const err913 = {instancePath:instancePath+"/db/verifyRuns",schemaPath:"#/properties/db/properties/verifyRuns/maximum",keyword:"maximum",params:{comparison: "<=", limit: 50},message:"must be <= 50",schema:50,parentSchema:schema11.properties.db.properties.verifyRuns,data:data327};
if(vErrors === null){
vErrors = [err913];
}
else {
vErrors.push(err913);
}
errors++;
}
if(data327 < 1 || isNaN(data327)){
const err914 = {instancePath:instancePath+"/db/verifyRuns",schemaPath:"#/properties/db/properties/verifyRuns/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema11.properties.db.properties.verifyRuns,data:data327};
if(vErrors === null){
vErrors = [err914];
}
else {
vErrors.push(err914);
}
errors++;
}
}
let data328 = data309.minGain;
if(typeof data328 == "number"){
if(data328 < 1 || isNaN(data328)){
const err915 = {instancePath:instancePath+"/db/minGain",schemaPath:"#/properties/db/properties/minGain/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema11.properties.db.properties.minGain,data:data328};
if(vErrors === null){
vErrors = [err915];
}
else {
vErrors.push(err915);
}
errors++;
}
}
else {
const err916 = {instancePath:instancePath+"/db/minGain",schemaPath:"#/properties/db/properties/minGain/type",keyword:"type",params:{type: "number"},message:"must be number",schema:schema11.properties.db.properties.minGain.type,parentSchema:schema11.properties.db.properties.minGain,data:data328};
if(vErrors === null){
vErrors = [err916];
}
else {
vErrors.push(err916);
}
errors++;
}
let data329 = data309.coveringMaxColumns;
if(!((typeof data329 == "number") && (!(data329 % 1) && !isNaN(data329)))){
const err917 = {instancePath:instancePath+"/db/coveringMaxColumns",schemaPath:"#/properties/db/properties/coveringMaxColumns/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.db.properties.coveringMaxColumns.type,parentSchema:schema11.properties.db.properties.coveringMaxColumns,data:data329};
if(vErrors === null){
vErrors = [err917];
}
else {
vErrors.push(err917);
}
errors++;
}
if(typeof data329 == "number"){
if(data329 > 8 || isNaN(data329)){
const err918 = {instancePath:instancePath+"/db/coveringMaxColumns",schemaPath:"#/properties/db/properties/coveringMaxColumns/maximum",keyword:"maximum",params:{comparison: "<=", limit: 8},message:"must be <= 8",schema:8,parentSchema:schema11.properties.db.properties.coveringMaxColumns,data:data329};
if(vErrors === null){
vErrors = [err918];
}
else {
vErrors.push(err918);
}
errors++;
}
if(data329 < 0 || isNaN(data329)){
const err919 = {instancePath:instancePath+"/db/coveringMaxColumns",schemaPath:"#/properties/db/properties/coveringMaxColumns/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0",schema:0,parentSchema:schema11.properties.db.properties.coveringMaxColumns,data:data329};
if(vErrors === null){
vErrors = [err919];
}
else {
vErrors.push(err919);
}
errors++;
}
}
let data330 = data309.coveringMaxBytes;
if(!((typeof data330 == "number") && (!(data330 % 1) && !isNaN(data330)))){
const err920 = {instancePath:instancePath+"/db/coveringMaxBytes",schemaPath:"#/properties/db/properties/coveringMaxBytes/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.db.properties.coveringMaxBytes.type,parentSchema:schema11.properties.db.properties.coveringMaxBytes,data:data330};
if(vErrors === null){
vErrors = [err920];
}
else {
vErrors.push(err920);
}
errors++;
}
if(typeof data330 == "number"){
if(data330 > 256 || isNaN(data330)){
const err921 = {instancePath:instancePath+"/db/coveringMaxBytes",schemaPath:"#/properties/db/properties/coveringMaxBytes/maximum",keyword:"maximum",params:{comparison: "<=", limit: 256},message:"must be <= 256",schema:256,parentSchema:schema11.properties.db.properties.coveringMaxBytes,data:data330};
if(vErrors === null){
vErrors = [err921];
}
else {
vErrors.push(err921);
}
errors++;
}
if(data330 < 0 || isNaN(data330)){
const err922 = {instancePath:instancePath+"/db/coveringMaxBytes",schemaPath:"#/properties/db/properties/coveringMaxBytes/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0",schema:0,parentSchema:schema11.properties.db.properties.coveringMaxBytes,data:data330};
if(vErrors === null){
vErrors = [err922];
}
else {
vErrors.push(err922);
}
errors++;
}
}
let data331 = data309.partitionMinRows;
if(!((typeof data331 == "number") && (!(data331 % 1) && !isNaN(data331)))){
const err923 = {instancePath:instancePath+"/db/partitionMinRows",schemaPath:"#/properties/db/properties/partitionMinRows/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.db.properties.partitionMinRows.type,parentSchema:schema11.properties.db.properties.partitionMinRows,data:data331};
if(vErrors === null){
vErrors = [err923];
}
else {
vErrors.push(err923);
}
errors++;
}
if(typeof data331 == "number"){
if(data331 < 1 || isNaN(data331)){
const err924 = {instancePath:instancePath+"/db/partitionMinRows",schemaPath:"#/properties/db/properties/partitionMinRows/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema11.properties.db.properties.partitionMinRows,data:data331};
if(vErrors === null){
vErrors = [err924];
}
else {
vErrors.push(err924);
}
errors++;
}
}
let data332 = data309.maintenance;
if(data332 && typeof data332 == "object" && !Array.isArray(data332)){
if(data332.enabled === undefined){
data332.enabled = true;
}
if(data332.interval === undefined){
data332.interval = "7d";
}
if(data332.enabled === undefined){
const err925 = {instancePath:instancePath+"/db/maintenance",schemaPath:"#/properties/db/properties/maintenance/required",keyword:"required",params:{missingProperty: "enabled"},message:"must have required property '"+"enabled"+"'",schema:schema11.properties.db.properties.maintenance.required,parentSchema:schema11.properties.db.properties.maintenance,data:data332};
if(vErrors === null){
vErrors = [err925];
}
else {
vErrors.push(err925);
}
errors++;
}
if(data332.interval === undefined){
const err926 = {instancePath:instancePath+"/db/maintenance",schemaPath:"#/properties/db/properties/maintenance/required",keyword:"required",params:{missingProperty: "interval"},message:"must have required property '"+"interval"+"'",schema:schema11.properties.db.properties.maintenance.required,parentSchema:schema11.properties.db.properties.maintenance,data:data332};
if(vErrors === null){
vErrors = [err926];
}
else {
vErrors.push(err926);
}
errors++;
}
for(const key49 in data332){
if(!((key49 === "enabled") || (key49 === "interval"))){
const err927 = {instancePath:instancePath+"/db/maintenance",schemaPath:"#/properties/db/properties/maintenance/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key49},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.db.properties.maintenance,data:data332};
if(vErrors === null){
vErrors = [err927];
}
else {
vErrors.push(err927);
}
errors++;
}
}
let data333 = data332.enabled;
if(typeof data333 !== "boolean"){
const err928 = {instancePath:instancePath+"/db/maintenance/enabled",schemaPath:"#/properties/db/properties/maintenance/properties/enabled/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema11.properties.db.properties.maintenance.properties.enabled.type,parentSchema:schema11.properties.db.properties.maintenance.properties.enabled,data:data333};
if(vErrors === null){
vErrors = [err928];
}
else {
vErrors.push(err928);
}
errors++;
}
let data334 = data332.interval;
const parsed52 = func7(data334);
if(parsed52 === undefined){
const err929 = {instancePath:instancePath+"/db/maintenance/interval",schemaPath:"#/properties/db/properties/maintenance/properties/interval/x-unit",keyword:"x-unit",params:{unit: "duration", value: data334, minimum: undefined},message:"unit",schema:"duration",parentSchema:schema11.properties.db.properties.maintenance.properties.interval,data:data334};
if(vErrors === null){
vErrors = [err929];
}
else {
vErrors.push(err929);
}
errors++;
}
else {
if(data332){
data332["interval"] = parsed52;
data334 = parsed52;
}
}
}
else {
const err930 = {instancePath:instancePath+"/db/maintenance",schemaPath:"#/properties/db/properties/maintenance/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.db.properties.maintenance.type,parentSchema:schema11.properties.db.properties.maintenance,data:data332};
if(vErrors === null){
vErrors = [err930];
}
else {
vErrors.push(err930);
}
errors++;
}
}
else {
const err931 = {instancePath:instancePath+"/db",schemaPath:"#/properties/db/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.db.type,parentSchema:schema11.properties.db,data:data309};
if(vErrors === null){
vErrors = [err931];
}
else {
vErrors.push(err931);
}
errors++;
}
let data335 = data.jobs;
if(data335 && typeof data335 == "object" && !Array.isArray(data335)){
if(data335.enabled === undefined){
data335.enabled = false;
}
if(data335.prefix === undefined){
data335.prefix = "/_jobs";
}
if(data335.inline === undefined){
data335.inline = false;
}
if(data335.secret === undefined){
data335.secret = "";
}
if(data335.bearer === undefined){
data335.bearer = true;
}
if(data335.replayWindow === undefined){
data335.replayWindow = "5m";
}
if(data335.maxPayload === undefined){
data335.maxPayload = "256KB";
}
if(data335.batch === undefined){
data335.batch = {};
}
if(data335.idempotencyTtl === undefined){
data335.idempotencyTtl = "24h";
}
if(data335.concurrency === undefined){
data335.concurrency = 10;
}
if(data335.fairness === undefined){
data335.fairness = {};
}
if(data335.stallInterval === undefined){
data335.stallInterval = "5s";
}
if(data335.stallLimit === undefined){
data335.stallLimit = 3;
}
if(data335.shutdownTimeout === undefined){
data335.shutdownTimeout = "30s";
}
if(data335.keepFailed === undefined){
data335.keepFailed = "7d";
}
if(data335.keepSucceeded === undefined){
data335.keepSucceeded = "1h";
}
if(data335.heartbeat === undefined){
data335.heartbeat = "5s";
}
if(data335.workerTtl === undefined){
data335.workerTtl = "30s";
}
if(data335.timezone === undefined){
data335.timezone = "UTC";
}
if(data335.redis === undefined){
data335.redis = {};
}
if(data335.http === undefined){
data335.http = {};
}
if(data335.email === undefined){
data335.email = {};
}
if(data335.types === undefined){
data335.types = [];
}
if(data335.schedules === undefined){
data335.schedules = [];
}
if(data335.enabled === undefined){
const err932 = {instancePath:instancePath+"/jobs",schemaPath:"#/properties/jobs/required",keyword:"required",params:{missingProperty: "enabled"},message:"must have required property '"+"enabled"+"'",schema:schema11.properties.jobs.required,parentSchema:schema11.properties.jobs,data:data335};
if(vErrors === null){
vErrors = [err932];
}
else {
vErrors.push(err932);
}
errors++;
}
if(data335.prefix === undefined){
const err933 = {instancePath:instancePath+"/jobs",schemaPath:"#/properties/jobs/required",keyword:"required",params:{missingProperty: "prefix"},message:"must have required property '"+"prefix"+"'",schema:schema11.properties.jobs.required,parentSchema:schema11.properties.jobs,data:data335};
if(vErrors === null){
vErrors = [err933];
}
else {
vErrors.push(err933);
}
errors++;
}
if(data335.inline === undefined){
const err934 = {instancePath:instancePath+"/jobs",schemaPath:"#/properties/jobs/required",keyword:"required",params:{missingProperty: "inline"},message:"must have required property '"+"inline"+"'",schema:schema11.properties.jobs.required,parentSchema:schema11.properties.jobs,data:data335};
if(vErrors === null){
vErrors = [err934];
}
else {
vErrors.push(err934);
}
errors++;
}
if(data335.secret === undefined){
const err935 = {instancePath:instancePath+"/jobs",schemaPath:"#/properties/jobs/required",keyword:"required",params:{missingProperty: "secret"},message:"must have required property '"+"secret"+"'",schema:schema11.properties.jobs.required,parentSchema:schema11.properties.jobs,data:data335};
if(vErrors === null){
vErrors = [err935];
}
else {
vErrors.push(err935);
}
errors++;
}
if(data335.bearer === undefined){
const err936 = {instancePath:instancePath+"/jobs",schemaPath:"#/properties/jobs/required",keyword:"required",params:{missingProperty: "bearer"},message:"must have required property '"+"bearer"+"'",schema:schema11.properties.jobs.required,parentSchema:schema11.properties.jobs,data:data335};
if(vErrors === null){
vErrors = [err936];
}
else {
vErrors.push(err936);
}
errors++;
}
if(data335.replayWindow === undefined){
const err937 = {instancePath:instancePath+"/jobs",schemaPath:"#/properties/jobs/required",keyword:"required",params:{missingProperty: "replayWindow"},message:"must have required property '"+"replayWindow"+"'",schema:schema11.properties.jobs.required,parentSchema:schema11.properties.jobs,data:data335};
if(vErrors === null){
vErrors = [err937];
}
else {
vErrors.push(err937);
}
errors++;
}
if(data335.maxPayload === undefined){
const err938 = {instancePath:instancePath+"/jobs",schemaPath:"#/properties/jobs/required",keyword:"required",params:{missingProperty: "maxPayload"},message:"must have required property '"+"maxPayload"+"'",schema:schema11.properties.jobs.required,parentSchema:schema11.properties.jobs,data:data335};
if(vErrors === null){
vErrors = [err938];
}
else {
vErrors.push(err938);
}
errors++;
}
if(data335.batch === undefined){
const err939 = {instancePath:instancePath+"/jobs",schemaPath:"#/properties/jobs/required",keyword:"required",params:{missingProperty: "batch"},message:"must have required property '"+"batch"+"'",schema:schema11.properties.jobs.required,parentSchema:schema11.properties.jobs,data:data335};
if(vErrors === null){
vErrors = [err939];
}
else {
vErrors.push(err939);
}
errors++;
}
if(data335.idempotencyTtl === undefined){
const err940 = {instancePath:instancePath+"/jobs",schemaPath:"#/properties/jobs/required",keyword:"required",params:{missingProperty: "idempotencyTtl"},message:"must have required property '"+"idempotencyTtl"+"'",schema:schema11.properties.jobs.required,parentSchema:schema11.properties.jobs,data:data335};
if(vErrors === null){
vErrors = [err940];
}
else {
vErrors.push(err940);
}
errors++;
}
if(data335.concurrency === undefined){
const err941 = {instancePath:instancePath+"/jobs",schemaPath:"#/properties/jobs/required",keyword:"required",params:{missingProperty: "concurrency"},message:"must have required property '"+"concurrency"+"'",schema:schema11.properties.jobs.required,parentSchema:schema11.properties.jobs,data:data335};
if(vErrors === null){
vErrors = [err941];
}
else {
vErrors.push(err941);
}
errors++;
}
if(data335.fairness === undefined){
const err942 = {instancePath:instancePath+"/jobs",schemaPath:"#/properties/jobs/required",keyword:"required",params:{missingProperty: "fairness"},message:"must have required property '"+"fairness"+"'",schema:schema11.properties.jobs.required,parentSchema:schema11.properties.jobs,data:data335};
if(vErrors === null){
vErrors = [err942];
}
else {
vErrors.push(err942);
}
errors++;
}
if(data335.stallInterval === undefined){
const err943 = {instancePath:instancePath+"/jobs",schemaPath:"#/properties/jobs/required",keyword:"required",params:{missingProperty: "stallInterval"},message:"must have required property '"+"stallInterval"+"'",schema:schema11.properties.jobs.required,parentSchema:schema11.properties.jobs,data:data335};
if(vErrors === null){
vErrors = [err943];
}
else {
vErrors.push(err943);
}
errors++;
}
if(data335.stallLimit === undefined){
const err944 = {instancePath:instancePath+"/jobs",schemaPath:"#/properties/jobs/required",keyword:"required",params:{missingProperty: "stallLimit"},message:"must have required property '"+"stallLimit"+"'",schema:schema11.properties.jobs.required,parentSchema:schema11.properties.jobs,data:data335};
if(vErrors === null){
vErrors = [err944];
}
else {
vErrors.push(err944);
}
errors++;
}
if(data335.shutdownTimeout === undefined){
const err945 = {instancePath:instancePath+"/jobs",schemaPath:"#/properties/jobs/required",keyword:"required",params:{missingProperty: "shutdownTimeout"},message:"must have required property '"+"shutdownTimeout"+"'",schema:schema11.properties.jobs.required,parentSchema:schema11.properties.jobs,data:data335};
if(vErrors === null){
vErrors = [err945];
}
else {
vErrors.push(err945);
}
errors++;
}
if(data335.keepFailed === undefined){
const err946 = {instancePath:instancePath+"/jobs",schemaPath:"#/properties/jobs/required",keyword:"required",params:{missingProperty: "keepFailed"},message:"must have required property '"+"keepFailed"+"'",schema:schema11.properties.jobs.required,parentSchema:schema11.properties.jobs,data:data335};
if(vErrors === null){
vErrors = [err946];
}
else {
vErrors.push(err946);
}
errors++;
}
if(data335.keepSucceeded === undefined){
const err947 = {instancePath:instancePath+"/jobs",schemaPath:"#/properties/jobs/required",keyword:"required",params:{missingProperty: "keepSucceeded"},message:"must have required property '"+"keepSucceeded"+"'",schema:schema11.properties.jobs.required,parentSchema:schema11.properties.jobs,data:data335};
if(vErrors === null){
vErrors = [err947];
}
else {
vErrors.push(err947);
}
errors++;
}
if(data335.heartbeat === undefined){
const err948 = {instancePath:instancePath+"/jobs",schemaPath:"#/properties/jobs/required",keyword:"required",params:{missingProperty: "heartbeat"},message:"must have required property '"+"heartbeat"+"'",schema:schema11.properties.jobs.required,parentSchema:schema11.properties.jobs,data:data335};
if(vErrors === null){
vErrors = [err948];
}
else {
vErrors.push(err948);
}
errors++;
}
if(data335.workerTtl === undefined){
const err949 = {instancePath:instancePath+"/jobs",schemaPath:"#/properties/jobs/required",keyword:"required",params:{missingProperty: "workerTtl"},message:"must have required property '"+"workerTtl"+"'",schema:schema11.properties.jobs.required,parentSchema:schema11.properties.jobs,data:data335};
if(vErrors === null){
vErrors = [err949];
}
else {
vErrors.push(err949);
}
errors++;
}
if(data335.timezone === undefined){
const err950 = {instancePath:instancePath+"/jobs",schemaPath:"#/properties/jobs/required",keyword:"required",params:{missingProperty: "timezone"},message:"must have required property '"+"timezone"+"'",schema:schema11.properties.jobs.required,parentSchema:schema11.properties.jobs,data:data335};
if(vErrors === null){
vErrors = [err950];
}
else {
vErrors.push(err950);
}
errors++;
}
if(data335.redis === undefined){
const err951 = {instancePath:instancePath+"/jobs",schemaPath:"#/properties/jobs/required",keyword:"required",params:{missingProperty: "redis"},message:"must have required property '"+"redis"+"'",schema:schema11.properties.jobs.required,parentSchema:schema11.properties.jobs,data:data335};
if(vErrors === null){
vErrors = [err951];
}
else {
vErrors.push(err951);
}
errors++;
}
if(data335.http === undefined){
const err952 = {instancePath:instancePath+"/jobs",schemaPath:"#/properties/jobs/required",keyword:"required",params:{missingProperty: "http"},message:"must have required property '"+"http"+"'",schema:schema11.properties.jobs.required,parentSchema:schema11.properties.jobs,data:data335};
if(vErrors === null){
vErrors = [err952];
}
else {
vErrors.push(err952);
}
errors++;
}
if(data335.email === undefined){
const err953 = {instancePath:instancePath+"/jobs",schemaPath:"#/properties/jobs/required",keyword:"required",params:{missingProperty: "email"},message:"must have required property '"+"email"+"'",schema:schema11.properties.jobs.required,parentSchema:schema11.properties.jobs,data:data335};
if(vErrors === null){
vErrors = [err953];
}
else {
vErrors.push(err953);
}
errors++;
}
if(data335.types === undefined){
const err954 = {instancePath:instancePath+"/jobs",schemaPath:"#/properties/jobs/required",keyword:"required",params:{missingProperty: "types"},message:"must have required property '"+"types"+"'",schema:schema11.properties.jobs.required,parentSchema:schema11.properties.jobs,data:data335};
if(vErrors === null){
vErrors = [err954];
}
else {
vErrors.push(err954);
}
errors++;
}
if(data335.schedules === undefined){
const err955 = {instancePath:instancePath+"/jobs",schemaPath:"#/properties/jobs/required",keyword:"required",params:{missingProperty: "schedules"},message:"must have required property '"+"schedules"+"'",schema:schema11.properties.jobs.required,parentSchema:schema11.properties.jobs,data:data335};
if(vErrors === null){
vErrors = [err955];
}
else {
vErrors.push(err955);
}
errors++;
}
for(const key50 in data335){
if(!(func2.call(schema11.properties.jobs.properties, key50))){
const err956 = {instancePath:instancePath+"/jobs",schemaPath:"#/properties/jobs/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key50},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.jobs,data:data335};
if(vErrors === null){
vErrors = [err956];
}
else {
vErrors.push(err956);
}
errors++;
}
}
let data336 = data335.enabled;
if(typeof data336 !== "boolean"){
const err957 = {instancePath:instancePath+"/jobs/enabled",schemaPath:"#/properties/jobs/properties/enabled/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema11.properties.jobs.properties.enabled.type,parentSchema:schema11.properties.jobs.properties.enabled,data:data336};
if(vErrors === null){
vErrors = [err957];
}
else {
vErrors.push(err957);
}
errors++;
}
let data337 = data335.prefix;
if(typeof data337 === "string"){
if(!pattern4.test(data337)){
const err958 = {instancePath:instancePath+"/jobs/prefix",schemaPath:"#/properties/jobs/properties/prefix/pattern",keyword:"pattern",params:{pattern: "^/[A-Za-z0-9._~/-]*[^/]$"},message:"must match pattern \""+"^/[A-Za-z0-9._~/-]*[^/]$"+"\"",schema:"^/[A-Za-z0-9._~/-]*[^/]$",parentSchema:schema11.properties.jobs.properties.prefix,data:data337};
if(vErrors === null){
vErrors = [err958];
}
else {
vErrors.push(err958);
}
errors++;
}
}
else {
const err959 = {instancePath:instancePath+"/jobs/prefix",schemaPath:"#/properties/jobs/properties/prefix/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.jobs.properties.prefix.type,parentSchema:schema11.properties.jobs.properties.prefix,data:data337};
if(vErrors === null){
vErrors = [err959];
}
else {
vErrors.push(err959);
}
errors++;
}
let data338 = data335.inline;
if(typeof data338 !== "boolean"){
const err960 = {instancePath:instancePath+"/jobs/inline",schemaPath:"#/properties/jobs/properties/inline/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema11.properties.jobs.properties.inline.type,parentSchema:schema11.properties.jobs.properties.inline,data:data338};
if(vErrors === null){
vErrors = [err960];
}
else {
vErrors.push(err960);
}
errors++;
}
let data339 = data335.secret;
if(typeof data339 !== "string"){
const err961 = {instancePath:instancePath+"/jobs/secret",schemaPath:"#/properties/jobs/properties/secret/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.jobs.properties.secret.type,parentSchema:schema11.properties.jobs.properties.secret,data:data339};
if(vErrors === null){
vErrors = [err961];
}
else {
vErrors.push(err961);
}
errors++;
}
let data340 = data335.bearer;
if(typeof data340 !== "boolean"){
const err962 = {instancePath:instancePath+"/jobs/bearer",schemaPath:"#/properties/jobs/properties/bearer/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema11.properties.jobs.properties.bearer.type,parentSchema:schema11.properties.jobs.properties.bearer,data:data340};
if(vErrors === null){
vErrors = [err962];
}
else {
vErrors.push(err962);
}
errors++;
}
let data341 = data335.replayWindow;
const parsed53 = func7(data341);
if(parsed53 === undefined){
const err963 = {instancePath:instancePath+"/jobs/replayWindow",schemaPath:"#/properties/jobs/properties/replayWindow/x-unit",keyword:"x-unit",params:{unit: "duration", value: data341, minimum: undefined},message:"unit",schema:"duration",parentSchema:schema11.properties.jobs.properties.replayWindow,data:data341};
if(vErrors === null){
vErrors = [err963];
}
else {
vErrors.push(err963);
}
errors++;
}
else {
if(data335){
data335["replayWindow"] = parsed53;
data341 = parsed53;
}
}
let data342 = data335.maxPayload;
const parsed54 = func6(data342);
if(parsed54 === undefined){
const err964 = {instancePath:instancePath+"/jobs/maxPayload",schemaPath:"#/properties/jobs/properties/maxPayload/x-unit",keyword:"x-unit",params:{unit: "bytes", value: data342, minimum: undefined},message:"unit",schema:"bytes",parentSchema:schema11.properties.jobs.properties.maxPayload,data:data342};
if(vErrors === null){
vErrors = [err964];
}
else {
vErrors.push(err964);
}
errors++;
}
else {
if(data335){
data335["maxPayload"] = parsed54;
data342 = parsed54;
}
}
let data343 = data335.batch;
if(data343 && typeof data343 == "object" && !Array.isArray(data343)){
if(data343.maxItems === undefined){
data343.maxItems = 100;
}
if(data343.maxBody === undefined){
data343.maxBody = "1MB";
}
if(data343.maxItems === undefined){
const err965 = {instancePath:instancePath+"/jobs/batch",schemaPath:"#/properties/jobs/properties/batch/required",keyword:"required",params:{missingProperty: "maxItems"},message:"must have required property '"+"maxItems"+"'",schema:schema11.properties.jobs.properties.batch.required,parentSchema:schema11.properties.jobs.properties.batch,data:data343};
if(vErrors === null){
vErrors = [err965];
}
else {
vErrors.push(err965);
}
errors++;
}
if(data343.maxBody === undefined){
const err966 = {instancePath:instancePath+"/jobs/batch",schemaPath:"#/properties/jobs/properties/batch/required",keyword:"required",params:{missingProperty: "maxBody"},message:"must have required property '"+"maxBody"+"'",schema:schema11.properties.jobs.properties.batch.required,parentSchema:schema11.properties.jobs.properties.batch,data:data343};
if(vErrors === null){
vErrors = [err966];
}
else {
vErrors.push(err966);
}
errors++;
}
for(const key51 in data343){
if(!((key51 === "maxItems") || (key51 === "maxBody"))){
const err967 = {instancePath:instancePath+"/jobs/batch",schemaPath:"#/properties/jobs/properties/batch/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key51},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.jobs.properties.batch,data:data343};
if(vErrors === null){
vErrors = [err967];
}
else {
vErrors.push(err967);
}
errors++;
}
}
let data344 = data343.maxItems;
if(!((typeof data344 == "number") && (!(data344 % 1) && !isNaN(data344)))){
const err968 = {instancePath:instancePath+"/jobs/batch/maxItems",schemaPath:"#/properties/jobs/properties/batch/properties/maxItems/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.jobs.properties.batch.properties.maxItems.type,parentSchema:schema11.properties.jobs.properties.batch.properties.maxItems,data:data344};
if(vErrors === null){
vErrors = [err968];
}
else {
vErrors.push(err968);
}
errors++;
}
if(typeof data344 == "number"){
if(data344 > 10000 || isNaN(data344)){
const err969 = {instancePath:instancePath+"/jobs/batch/maxItems",schemaPath:"#/properties/jobs/properties/batch/properties/maxItems/maximum",keyword:"maximum",params:{comparison: "<=", limit: 10000},message:"must be <= 10000",schema:10000,parentSchema:schema11.properties.jobs.properties.batch.properties.maxItems,data:data344};
if(vErrors === null){
vErrors = [err969];
}
else {
vErrors.push(err969);
}
errors++;
}
if(data344 < 1 || isNaN(data344)){
const err970 = {instancePath:instancePath+"/jobs/batch/maxItems",schemaPath:"#/properties/jobs/properties/batch/properties/maxItems/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema11.properties.jobs.properties.batch.properties.maxItems,data:data344};
if(vErrors === null){
vErrors = [err970];
}
else {
vErrors.push(err970);
}
errors++;
}
}
let data345 = data343.maxBody;
const parsed55 = func6(data345);
if(parsed55 === undefined){
const err971 = {instancePath:instancePath+"/jobs/batch/maxBody",schemaPath:"#/properties/jobs/properties/batch/properties/maxBody/x-unit",keyword:"x-unit",params:{unit: "bytes", value: data345, minimum: undefined},message:"unit",schema:"bytes",parentSchema:schema11.properties.jobs.properties.batch.properties.maxBody,data:data345};
if(vErrors === null){
vErrors = [err971];
}
else {
vErrors.push(err971);
}
errors++;
}
else {
if(data343){
data343["maxBody"] = parsed55;
data345 = parsed55;
}
}
}
else {
const err972 = {instancePath:instancePath+"/jobs/batch",schemaPath:"#/properties/jobs/properties/batch/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.jobs.properties.batch.type,parentSchema:schema11.properties.jobs.properties.batch,data:data343};
if(vErrors === null){
vErrors = [err972];
}
else {
vErrors.push(err972);
}
errors++;
}
let data346 = data335.idempotencyTtl;
const parsed56 = func7(data346);
if(parsed56 === undefined){
const err973 = {instancePath:instancePath+"/jobs/idempotencyTtl",schemaPath:"#/properties/jobs/properties/idempotencyTtl/x-unit",keyword:"x-unit",params:{unit: "duration", value: data346, minimum: undefined},message:"unit",schema:"duration",parentSchema:schema11.properties.jobs.properties.idempotencyTtl,data:data346};
if(vErrors === null){
vErrors = [err973];
}
else {
vErrors.push(err973);
}
errors++;
}
else {
if(data335){
data335["idempotencyTtl"] = parsed56;
data346 = parsed56;
}
}
let data347 = data335.concurrency;
if(!((typeof data347 == "number") && (!(data347 % 1) && !isNaN(data347)))){
const err974 = {instancePath:instancePath+"/jobs/concurrency",schemaPath:"#/properties/jobs/properties/concurrency/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.jobs.properties.concurrency.type,parentSchema:schema11.properties.jobs.properties.concurrency,data:data347};
if(vErrors === null){
vErrors = [err974];
}
else {
vErrors.push(err974);
}
errors++;
}
if(typeof data347 == "number"){
if(data347 > 10000 || isNaN(data347)){
const err975 = {instancePath:instancePath+"/jobs/concurrency",schemaPath:"#/properties/jobs/properties/concurrency/maximum",keyword:"maximum",params:{comparison: "<=", limit: 10000},message:"must be <= 10000",schema:10000,parentSchema:schema11.properties.jobs.properties.concurrency,data:data347};
if(vErrors === null){
vErrors = [err975];
}
else {
vErrors.push(err975);
}
errors++;
}
if(data347 < 1 || isNaN(data347)){
const err976 = {instancePath:instancePath+"/jobs/concurrency",schemaPath:"#/properties/jobs/properties/concurrency/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema11.properties.jobs.properties.concurrency,data:data347};
if(vErrors === null){
vErrors = [err976];
}
else {
vErrors.push(err976);
}
errors++;
}
}
let data348 = data335.fairness;
if(data348 && typeof data348 == "object" && !Array.isArray(data348)){
if(data348.normal === undefined){
data348.normal = 0.2;
}
if(data348.low === undefined){
data348.low = 0.05;
}
if(data348.normal === undefined){
const err977 = {instancePath:instancePath+"/jobs/fairness",schemaPath:"#/properties/jobs/properties/fairness/required",keyword:"required",params:{missingProperty: "normal"},message:"must have required property '"+"normal"+"'",schema:schema11.properties.jobs.properties.fairness.required,parentSchema:schema11.properties.jobs.properties.fairness,data:data348};
if(vErrors === null){
vErrors = [err977];
}
else {
vErrors.push(err977);
}
errors++;
}
if(data348.low === undefined){
const err978 = {instancePath:instancePath+"/jobs/fairness",schemaPath:"#/properties/jobs/properties/fairness/required",keyword:"required",params:{missingProperty: "low"},message:"must have required property '"+"low"+"'",schema:schema11.properties.jobs.properties.fairness.required,parentSchema:schema11.properties.jobs.properties.fairness,data:data348};
if(vErrors === null){
vErrors = [err978];
}
else {
vErrors.push(err978);
}
errors++;
}
for(const key52 in data348){
if(!((key52 === "normal") || (key52 === "low"))){
const err979 = {instancePath:instancePath+"/jobs/fairness",schemaPath:"#/properties/jobs/properties/fairness/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key52},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.jobs.properties.fairness,data:data348};
if(vErrors === null){
vErrors = [err979];
}
else {
vErrors.push(err979);
}
errors++;
}
}
let data349 = data348.normal;
if(typeof data349 == "number"){
if(data349 > 1 || isNaN(data349)){
const err980 = {instancePath:instancePath+"/jobs/fairness/normal",schemaPath:"#/properties/jobs/properties/fairness/properties/normal/maximum",keyword:"maximum",params:{comparison: "<=", limit: 1},message:"must be <= 1",schema:1,parentSchema:schema11.properties.jobs.properties.fairness.properties.normal,data:data349};
if(vErrors === null){
vErrors = [err980];
}
else {
vErrors.push(err980);
}
errors++;
}
if(data349 < 0.01 || isNaN(data349)){
const err981 = {instancePath:instancePath+"/jobs/fairness/normal",schemaPath:"#/properties/jobs/properties/fairness/properties/normal/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0.01},message:"must be >= 0.01",schema:0.01,parentSchema:schema11.properties.jobs.properties.fairness.properties.normal,data:data349};
if(vErrors === null){
vErrors = [err981];
}
else {
vErrors.push(err981);
}
errors++;
}
}
else {
const err982 = {instancePath:instancePath+"/jobs/fairness/normal",schemaPath:"#/properties/jobs/properties/fairness/properties/normal/type",keyword:"type",params:{type: "number"},message:"must be number",schema:schema11.properties.jobs.properties.fairness.properties.normal.type,parentSchema:schema11.properties.jobs.properties.fairness.properties.normal,data:data349};
if(vErrors === null){
vErrors = [err982];
}
else {
vErrors.push(err982);
}
errors++;
}
let data350 = data348.low;
if(typeof data350 == "number"){
if(data350 > 1 || isNaN(data350)){
const err983 = {instancePath:instancePath+"/jobs/fairness/low",schemaPath:"#/properties/jobs/properties/fairness/properties/low/maximum",keyword:"maximum",params:{comparison: "<=", limit: 1},message:"must be <= 1",schema:1,parentSchema:schema11.properties.jobs.properties.fairness.properties.low,data:data350};
if(vErrors === null){
vErrors = [err983];
}
else {
vErrors.push(err983);
}
errors++;
}
if(data350 < 0.01 || isNaN(data350)){
const err984 = {instancePath:instancePath+"/jobs/fairness/low",schemaPath:"#/properties/jobs/properties/fairness/properties/low/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0.01},message:"must be >= 0.01",schema:0.01,parentSchema:schema11.properties.jobs.properties.fairness.properties.low,data:data350};
if(vErrors === null){
vErrors = [err984];
}
else {
vErrors.push(err984);
}
errors++;
}
}
else {
const err985 = {instancePath:instancePath+"/jobs/fairness/low",schemaPath:"#/properties/jobs/properties/fairness/properties/low/type",keyword:"type",params:{type: "number"},message:"must be number",schema:schema11.properties.jobs.properties.fairness.properties.low.type,parentSchema:schema11.properties.jobs.properties.fairness.properties.low,data:data350};
if(vErrors === null){
vErrors = [err985];
}
else {
vErrors.push(err985);
}
errors++;
}
}
else {
const err986 = {instancePath:instancePath+"/jobs/fairness",schemaPath:"#/properties/jobs/properties/fairness/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.jobs.properties.fairness.type,parentSchema:schema11.properties.jobs.properties.fairness,data:data348};
if(vErrors === null){
vErrors = [err986];
}
else {
vErrors.push(err986);
}
errors++;
}
let data351 = data335.stallInterval;
const parsed57 = func7(data351);
if(parsed57 === undefined){
const err987 = {instancePath:instancePath+"/jobs/stallInterval",schemaPath:"#/properties/jobs/properties/stallInterval/x-unit",keyword:"x-unit",params:{unit: "duration", value: data351, minimum: undefined},message:"unit",schema:"duration",parentSchema:schema11.properties.jobs.properties.stallInterval,data:data351};
if(vErrors === null){
vErrors = [err987];
}
else {
vErrors.push(err987);
}
errors++;
}
else {
if(data335){
data335["stallInterval"] = parsed57;
data351 = parsed57;
}
}
let data352 = data335.stallLimit;
if(!((typeof data352 == "number") && (!(data352 % 1) && !isNaN(data352)))){
const err988 = {instancePath:instancePath+"/jobs/stallLimit",schemaPath:"#/properties/jobs/properties/stallLimit/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.jobs.properties.stallLimit.type,parentSchema:schema11.properties.jobs.properties.stallLimit,data:data352};
if(vErrors === null){
vErrors = [err988];
}
else {
vErrors.push(err988);
}
errors++;
}
if(typeof data352 == "number"){
if(data352 > 100 || isNaN(data352)){
const err989 = {instancePath:instancePath+"/jobs/stallLimit",schemaPath:"#/properties/jobs/properties/stallLimit/maximum",keyword:"maximum",params:{comparison: "<=", limit: 100},message:"must be <= 100",schema:100,parentSchema:schema11.properties.jobs.properties.stallLimit,data:data352};
if(vErrors === null){
vErrors = [err989];
}
else {
vErrors.push(err989);
}
errors++;
}
if(data352 < 1 || isNaN(data352)){
const err990 = {instancePath:instancePath+"/jobs/stallLimit",schemaPath:"#/properties/jobs/properties/stallLimit/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema11.properties.jobs.properties.stallLimit,data:data352};
if(vErrors === null){
vErrors = [err990];
}
else {
vErrors.push(err990);
}
errors++;
}
}
let data353 = data335.shutdownTimeout;
const parsed58 = func7(data353);
if(parsed58 === undefined){
const err991 = {instancePath:instancePath+"/jobs/shutdownTimeout",schemaPath:"#/properties/jobs/properties/shutdownTimeout/x-unit",keyword:"x-unit",params:{unit: "duration", value: data353, minimum: undefined},message:"unit",schema:"duration",parentSchema:schema11.properties.jobs.properties.shutdownTimeout,data:data353};
if(vErrors === null){
vErrors = [err991];
}
else {
vErrors.push(err991);
}
errors++;
}
else {
if(data335){
data335["shutdownTimeout"] = parsed58;
data353 = parsed58;
}
}
let data354 = data335.keepFailed;
const parsed59 = func7(data354);
if(parsed59 === undefined){
const err992 = {instancePath:instancePath+"/jobs/keepFailed",schemaPath:"#/properties/jobs/properties/keepFailed/x-unit",keyword:"x-unit",params:{unit: "duration", value: data354, minimum: undefined},message:"unit",schema:"duration",parentSchema:schema11.properties.jobs.properties.keepFailed,data:data354};
if(vErrors === null){
vErrors = [err992];
}
else {
vErrors.push(err992);
}
errors++;
}
else {
if(data335){
data335["keepFailed"] = parsed59;
data354 = parsed59;
}
}
let data355 = data335.keepSucceeded;
const parsed60 = func7(data355);
if(parsed60 === undefined){
const err993 = {instancePath:instancePath+"/jobs/keepSucceeded",schemaPath:"#/properties/jobs/properties/keepSucceeded/x-unit",keyword:"x-unit",params:{unit: "duration", value: data355, minimum: undefined},message:"unit",schema:"duration",parentSchema:schema11.properties.jobs.properties.keepSucceeded,data:data355};
if(vErrors === null){
vErrors = [err993];
}
else {
vErrors.push(err993);
}
errors++;
}
else {
if(data335){
data335["keepSucceeded"] = parsed60;
data355 = parsed60;
}
}
let data356 = data335.heartbeat;
const parsed61 = func7(data356);
if(parsed61 === undefined){
const err994 = {instancePath:instancePath+"/jobs/heartbeat",schemaPath:"#/properties/jobs/properties/heartbeat/x-unit",keyword:"x-unit",params:{unit: "duration", value: data356, minimum: undefined},message:"unit",schema:"duration",parentSchema:schema11.properties.jobs.properties.heartbeat,data:data356};
if(vErrors === null){
vErrors = [err994];
}
else {
vErrors.push(err994);
}
errors++;
}
else {
if(data335){
data335["heartbeat"] = parsed61;
data356 = parsed61;
}
}
let data357 = data335.workerTtl;
const parsed62 = func7(data357);
if(parsed62 === undefined){
const err995 = {instancePath:instancePath+"/jobs/workerTtl",schemaPath:"#/properties/jobs/properties/workerTtl/x-unit",keyword:"x-unit",params:{unit: "duration", value: data357, minimum: undefined},message:"unit",schema:"duration",parentSchema:schema11.properties.jobs.properties.workerTtl,data:data357};
if(vErrors === null){
vErrors = [err995];
}
else {
vErrors.push(err995);
}
errors++;
}
else {
if(data335){
data335["workerTtl"] = parsed62;
data357 = parsed62;
}
}
let data358 = data335.timezone;
if(typeof data358 !== "string"){
const err996 = {instancePath:instancePath+"/jobs/timezone",schemaPath:"#/properties/jobs/properties/timezone/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.jobs.properties.timezone.type,parentSchema:schema11.properties.jobs.properties.timezone,data:data358};
if(vErrors === null){
vErrors = [err996];
}
else {
vErrors.push(err996);
}
errors++;
}
let data359 = data335.redis;
if(data359 && typeof data359 == "object" && !Array.isArray(data359)){
if(data359.url === undefined){
data359.url = "";
}
if(data359.keyPrefix === undefined){
data359.keyPrefix = "";
}
if(data359.url === undefined){
const err997 = {instancePath:instancePath+"/jobs/redis",schemaPath:"#/properties/jobs/properties/redis/required",keyword:"required",params:{missingProperty: "url"},message:"must have required property '"+"url"+"'",schema:schema11.properties.jobs.properties.redis.required,parentSchema:schema11.properties.jobs.properties.redis,data:data359};
if(vErrors === null){
vErrors = [err997];
}
else {
vErrors.push(err997);
}
errors++;
}
if(data359.keyPrefix === undefined){
const err998 = {instancePath:instancePath+"/jobs/redis",schemaPath:"#/properties/jobs/properties/redis/required",keyword:"required",params:{missingProperty: "keyPrefix"},message:"must have required property '"+"keyPrefix"+"'",schema:schema11.properties.jobs.properties.redis.required,parentSchema:schema11.properties.jobs.properties.redis,data:data359};
if(vErrors === null){
vErrors = [err998];
}
else {
vErrors.push(err998);
}
errors++;
}
for(const key53 in data359){
if(!((key53 === "url") || (key53 === "keyPrefix"))){
const err999 = {instancePath:instancePath+"/jobs/redis",schemaPath:"#/properties/jobs/properties/redis/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key53},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.jobs.properties.redis,data:data359};
if(vErrors === null){
vErrors = [err999];
}
else {
vErrors.push(err999);
}
errors++;
}
}
let data360 = data359.url;
if(typeof data360 !== "string"){
const err1000 = {instancePath:instancePath+"/jobs/redis/url",schemaPath:"#/properties/jobs/properties/redis/properties/url/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.jobs.properties.redis.properties.url.type,parentSchema:schema11.properties.jobs.properties.redis.properties.url,data:data360};
if(vErrors === null){
vErrors = [err1000];
}
else {
vErrors.push(err1000);
}
errors++;
}
let data361 = data359.keyPrefix;
if(typeof data361 !== "string"){
const err1001 = {instancePath:instancePath+"/jobs/redis/keyPrefix",schemaPath:"#/properties/jobs/properties/redis/properties/keyPrefix/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.jobs.properties.redis.properties.keyPrefix.type,parentSchema:schema11.properties.jobs.properties.redis.properties.keyPrefix,data:data361};
if(vErrors === null){
vErrors = [err1001];
}
else {
vErrors.push(err1001);
}
errors++;
}
}
else {
const err1002 = {instancePath:instancePath+"/jobs/redis",schemaPath:"#/properties/jobs/properties/redis/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.jobs.properties.redis.type,parentSchema:schema11.properties.jobs.properties.redis,data:data359};
if(vErrors === null){
vErrors = [err1002];
}
else {
vErrors.push(err1002);
}
errors++;
}
let data362 = data335.http;
if(data362 && typeof data362 == "object" && !Array.isArray(data362)){
if(data362.baseUrl === undefined){
data362.baseUrl = "";
}
if(data362.maxErrorBody === undefined){
data362.maxErrorBody = "1KB";
}
if(data362.baseUrl === undefined){
const err1003 = {instancePath:instancePath+"/jobs/http",schemaPath:"#/properties/jobs/properties/http/required",keyword:"required",params:{missingProperty: "baseUrl"},message:"must have required property '"+"baseUrl"+"'",schema:schema11.properties.jobs.properties.http.required,parentSchema:schema11.properties.jobs.properties.http,data:data362};
if(vErrors === null){
vErrors = [err1003];
}
else {
vErrors.push(err1003);
}
errors++;
}
if(data362.maxErrorBody === undefined){
const err1004 = {instancePath:instancePath+"/jobs/http",schemaPath:"#/properties/jobs/properties/http/required",keyword:"required",params:{missingProperty: "maxErrorBody"},message:"must have required property '"+"maxErrorBody"+"'",schema:schema11.properties.jobs.properties.http.required,parentSchema:schema11.properties.jobs.properties.http,data:data362};
if(vErrors === null){
vErrors = [err1004];
}
else {
vErrors.push(err1004);
}
errors++;
}
for(const key54 in data362){
if(!((key54 === "baseUrl") || (key54 === "maxErrorBody"))){
const err1005 = {instancePath:instancePath+"/jobs/http",schemaPath:"#/properties/jobs/properties/http/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key54},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.jobs.properties.http,data:data362};
if(vErrors === null){
vErrors = [err1005];
}
else {
vErrors.push(err1005);
}
errors++;
}
}
let data363 = data362.baseUrl;
if(typeof data363 !== "string"){
const err1006 = {instancePath:instancePath+"/jobs/http/baseUrl",schemaPath:"#/properties/jobs/properties/http/properties/baseUrl/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.jobs.properties.http.properties.baseUrl.type,parentSchema:schema11.properties.jobs.properties.http.properties.baseUrl,data:data363};
if(vErrors === null){
vErrors = [err1006];
}
else {
vErrors.push(err1006);
}
errors++;
}
let data364 = data362.maxErrorBody;
const parsed63 = func6(data364);
if(parsed63 === undefined){
const err1007 = {instancePath:instancePath+"/jobs/http/maxErrorBody",schemaPath:"#/properties/jobs/properties/http/properties/maxErrorBody/x-unit",keyword:"x-unit",params:{unit: "bytes", value: data364, minimum: undefined},message:"unit",schema:"bytes",parentSchema:schema11.properties.jobs.properties.http.properties.maxErrorBody,data:data364};
if(vErrors === null){
vErrors = [err1007];
}
else {
vErrors.push(err1007);
}
errors++;
}
else {
if(data362){
data362["maxErrorBody"] = parsed63;
data364 = parsed63;
}
}
}
else {
const err1008 = {instancePath:instancePath+"/jobs/http",schemaPath:"#/properties/jobs/properties/http/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.jobs.properties.http.type,parentSchema:schema11.properties.jobs.properties.http,data:data362};
if(vErrors === null){
vErrors = [err1008];
}
else {
vErrors.push(err1008);
}
errors++;
}
let data365 = data335.email;
if(data365 && typeof data365 == "object" && !Array.isArray(data365)){
if(data365.url === undefined){
data365.url = "smtp://127.0.0.1:25";
}
if(data365.from === undefined){
data365.from = "shop@localhost";
}
if(data365.url === undefined){
const err1009 = {instancePath:instancePath+"/jobs/email",schemaPath:"#/properties/jobs/properties/email/required",keyword:"required",params:{missingProperty: "url"},message:"must have required property '"+"url"+"'",schema:schema11.properties.jobs.properties.email.required,parentSchema:schema11.properties.jobs.properties.email,data:data365};
if(vErrors === null){
vErrors = [err1009];
}
else {
vErrors.push(err1009);
}
errors++;
}
if(data365.from === undefined){
const err1010 = {instancePath:instancePath+"/jobs/email",schemaPath:"#/properties/jobs/properties/email/required",keyword:"required",params:{missingProperty: "from"},message:"must have required property '"+"from"+"'",schema:schema11.properties.jobs.properties.email.required,parentSchema:schema11.properties.jobs.properties.email,data:data365};
if(vErrors === null){
vErrors = [err1010];
}
else {
vErrors.push(err1010);
}
errors++;
}
for(const key55 in data365){
if(!((key55 === "url") || (key55 === "from"))){
const err1011 = {instancePath:instancePath+"/jobs/email",schemaPath:"#/properties/jobs/properties/email/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key55},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.jobs.properties.email,data:data365};
if(vErrors === null){
vErrors = [err1011];
}
else {
vErrors.push(err1011);
}
errors++;
}
}
let data366 = data365.url;
if(typeof data366 !== "string"){
const err1012 = {instancePath:instancePath+"/jobs/email/url",schemaPath:"#/properties/jobs/properties/email/properties/url/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.jobs.properties.email.properties.url.type,parentSchema:schema11.properties.jobs.properties.email.properties.url,data:data366};
if(vErrors === null){
vErrors = [err1012];
}
else {
vErrors.push(err1012);
}
errors++;
}
let data367 = data365.from;
if(typeof data367 !== "string"){
const err1013 = {instancePath:instancePath+"/jobs/email/from",schemaPath:"#/properties/jobs/properties/email/properties/from/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.jobs.properties.email.properties.from.type,parentSchema:schema11.properties.jobs.properties.email.properties.from,data:data367};
if(vErrors === null){
vErrors = [err1013];
}
else {
vErrors.push(err1013);
}
errors++;
}
}
else {
const err1014 = {instancePath:instancePath+"/jobs/email",schemaPath:"#/properties/jobs/properties/email/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.jobs.properties.email.type,parentSchema:schema11.properties.jobs.properties.email,data:data365};
if(vErrors === null){
vErrors = [err1014];
}
else {
vErrors.push(err1014);
}
errors++;
}
let data368 = data335.types;
if(Array.isArray(data368)){
const len45 = data368.length;
for(let i46=0; i46<len45; i46++){
let data369 = data368[i46];
if(data369 && typeof data369 == "object" && !Array.isArray(data369)){
if(data369.handler === undefined){
data369.handler = "http";
}
if(data369.url === undefined){
data369.url = "";
}
if(data369.module === undefined){
data369.module = "";
}
if(data369.schema === undefined){
data369.schema = {};
}
if(data369.priority === undefined){
data369.priority = "normal";
}
if(data369.attempts === undefined){
data369.attempts = 3;
}
if(data369.backoff === undefined){
data369.backoff = "5s";
}
if(data369.maxBackoff === undefined){
data369.maxBackoff = "10m";
}
if(data369.jitter === undefined){
data369.jitter = 0.2;
}
if(data369.timeout === undefined){
data369.timeout = "2m";
}
if(data369.concurrency === undefined){
data369.concurrency = 5;
}
if(data369.rateLimit === undefined){
data369.rateLimit = 0;
}
if(data369.rateWindow === undefined){
data369.rateWindow = "1s";
}
if(data369.secret === undefined){
data369.secret = "";
}
if(data369.secretEnv === undefined){
data369.secretEnv = "";
}
if(data369.name === undefined){
const err1015 = {instancePath:instancePath+"/jobs/types/" + i46,schemaPath:"#/properties/jobs/properties/types/items/required",keyword:"required",params:{missingProperty: "name"},message:"must have required property '"+"name"+"'",schema:schema11.properties.jobs.properties.types.items.required,parentSchema:schema11.properties.jobs.properties.types.items,data:data369};
if(vErrors === null){
vErrors = [err1015];
}
else {
vErrors.push(err1015);
}
errors++;
}
if(data369.handler === undefined){
const err1016 = {instancePath:instancePath+"/jobs/types/" + i46,schemaPath:"#/properties/jobs/properties/types/items/required",keyword:"required",params:{missingProperty: "handler"},message:"must have required property '"+"handler"+"'",schema:schema11.properties.jobs.properties.types.items.required,parentSchema:schema11.properties.jobs.properties.types.items,data:data369};
if(vErrors === null){
vErrors = [err1016];
}
else {
vErrors.push(err1016);
}
errors++;
}
if(data369.url === undefined){
const err1017 = {instancePath:instancePath+"/jobs/types/" + i46,schemaPath:"#/properties/jobs/properties/types/items/required",keyword:"required",params:{missingProperty: "url"},message:"must have required property '"+"url"+"'",schema:schema11.properties.jobs.properties.types.items.required,parentSchema:schema11.properties.jobs.properties.types.items,data:data369};
if(vErrors === null){
vErrors = [err1017];
}
else {
vErrors.push(err1017);
}
errors++;
}
if(data369.module === undefined){
const err1018 = {instancePath:instancePath+"/jobs/types/" + i46,schemaPath:"#/properties/jobs/properties/types/items/required",keyword:"required",params:{missingProperty: "module"},message:"must have required property '"+"module"+"'",schema:schema11.properties.jobs.properties.types.items.required,parentSchema:schema11.properties.jobs.properties.types.items,data:data369};
if(vErrors === null){
vErrors = [err1018];
}
else {
vErrors.push(err1018);
}
errors++;
}
if(data369.schema === undefined){
const err1019 = {instancePath:instancePath+"/jobs/types/" + i46,schemaPath:"#/properties/jobs/properties/types/items/required",keyword:"required",params:{missingProperty: "schema"},message:"must have required property '"+"schema"+"'",schema:schema11.properties.jobs.properties.types.items.required,parentSchema:schema11.properties.jobs.properties.types.items,data:data369};
if(vErrors === null){
vErrors = [err1019];
}
else {
vErrors.push(err1019);
}
errors++;
}
if(data369.priority === undefined){
const err1020 = {instancePath:instancePath+"/jobs/types/" + i46,schemaPath:"#/properties/jobs/properties/types/items/required",keyword:"required",params:{missingProperty: "priority"},message:"must have required property '"+"priority"+"'",schema:schema11.properties.jobs.properties.types.items.required,parentSchema:schema11.properties.jobs.properties.types.items,data:data369};
if(vErrors === null){
vErrors = [err1020];
}
else {
vErrors.push(err1020);
}
errors++;
}
if(data369.attempts === undefined){
const err1021 = {instancePath:instancePath+"/jobs/types/" + i46,schemaPath:"#/properties/jobs/properties/types/items/required",keyword:"required",params:{missingProperty: "attempts"},message:"must have required property '"+"attempts"+"'",schema:schema11.properties.jobs.properties.types.items.required,parentSchema:schema11.properties.jobs.properties.types.items,data:data369};
if(vErrors === null){
vErrors = [err1021];
}
else {
vErrors.push(err1021);
}
errors++;
}
if(data369.backoff === undefined){
const err1022 = {instancePath:instancePath+"/jobs/types/" + i46,schemaPath:"#/properties/jobs/properties/types/items/required",keyword:"required",params:{missingProperty: "backoff"},message:"must have required property '"+"backoff"+"'",schema:schema11.properties.jobs.properties.types.items.required,parentSchema:schema11.properties.jobs.properties.types.items,data:data369};
if(vErrors === null){
vErrors = [err1022];
}
else {
vErrors.push(err1022);
}
errors++;
}
if(data369.maxBackoff === undefined){
const err1023 = {instancePath:instancePath+"/jobs/types/" + i46,schemaPath:"#/properties/jobs/properties/types/items/required",keyword:"required",params:{missingProperty: "maxBackoff"},message:"must have required property '"+"maxBackoff"+"'",schema:schema11.properties.jobs.properties.types.items.required,parentSchema:schema11.properties.jobs.properties.types.items,data:data369};
if(vErrors === null){
vErrors = [err1023];
}
else {
vErrors.push(err1023);
}
errors++;
}
if(data369.jitter === undefined){
const err1024 = {instancePath:instancePath+"/jobs/types/" + i46,schemaPath:"#/properties/jobs/properties/types/items/required",keyword:"required",params:{missingProperty: "jitter"},message:"must have required property '"+"jitter"+"'",schema:schema11.properties.jobs.properties.types.items.required,parentSchema:schema11.properties.jobs.properties.types.items,data:data369};
if(vErrors === null){
vErrors = [err1024];
}
else {
vErrors.push(err1024);
}
errors++;
}
if(data369.timeout === undefined){
const err1025 = {instancePath:instancePath+"/jobs/types/" + i46,schemaPath:"#/properties/jobs/properties/types/items/required",keyword:"required",params:{missingProperty: "timeout"},message:"must have required property '"+"timeout"+"'",schema:schema11.properties.jobs.properties.types.items.required,parentSchema:schema11.properties.jobs.properties.types.items,data:data369};
if(vErrors === null){
vErrors = [err1025];
}
else {
vErrors.push(err1025);
}
errors++;
}
if(data369.concurrency === undefined){
const err1026 = {instancePath:instancePath+"/jobs/types/" + i46,schemaPath:"#/properties/jobs/properties/types/items/required",keyword:"required",params:{missingProperty: "concurrency"},message:"must have required property '"+"concurrency"+"'",schema:schema11.properties.jobs.properties.types.items.required,parentSchema:schema11.properties.jobs.properties.types.items,data:data369};
if(vErrors === null){
vErrors = [err1026];
}
else {
vErrors.push(err1026);
}
errors++;
}
if(data369.rateLimit === undefined){
const err1027 = {instancePath:instancePath+"/jobs/types/" + i46,schemaPath:"#/properties/jobs/properties/types/items/required",keyword:"required",params:{missingProperty: "rateLimit"},message:"must have required property '"+"rateLimit"+"'",schema:schema11.properties.jobs.properties.types.items.required,parentSchema:schema11.properties.jobs.properties.types.items,data:data369};
if(vErrors === null){
vErrors = [err1027];
}
else {
vErrors.push(err1027);
}
errors++;
}
if(data369.rateWindow === undefined){
const err1028 = {instancePath:instancePath+"/jobs/types/" + i46,schemaPath:"#/properties/jobs/properties/types/items/required",keyword:"required",params:{missingProperty: "rateWindow"},message:"must have required property '"+"rateWindow"+"'",schema:schema11.properties.jobs.properties.types.items.required,parentSchema:schema11.properties.jobs.properties.types.items,data:data369};
if(vErrors === null){
vErrors = [err1028];
}
else {
vErrors.push(err1028);
}
errors++;
}
if(data369.secret === undefined){
const err1029 = {instancePath:instancePath+"/jobs/types/" + i46,schemaPath:"#/properties/jobs/properties/types/items/required",keyword:"required",params:{missingProperty: "secret"},message:"must have required property '"+"secret"+"'",schema:schema11.properties.jobs.properties.types.items.required,parentSchema:schema11.properties.jobs.properties.types.items,data:data369};
if(vErrors === null){
vErrors = [err1029];
}
else {
vErrors.push(err1029);
}
errors++;
}
if(data369.secretEnv === undefined){
const err1030 = {instancePath:instancePath+"/jobs/types/" + i46,schemaPath:"#/properties/jobs/properties/types/items/required",keyword:"required",params:{missingProperty: "secretEnv"},message:"must have required property '"+"secretEnv"+"'",schema:schema11.properties.jobs.properties.types.items.required,parentSchema:schema11.properties.jobs.properties.types.items,data:data369};
if(vErrors === null){
vErrors = [err1030];
}
else {
vErrors.push(err1030);
}
errors++;
}
for(const key56 in data369){
if(!(func2.call(schema11.properties.jobs.properties.types.items.properties, key56))){
const err1031 = {instancePath:instancePath+"/jobs/types/" + i46,schemaPath:"#/properties/jobs/properties/types/items/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key56},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.jobs.properties.types.items,data:data369};
if(vErrors === null){
vErrors = [err1031];
}
else {
vErrors.push(err1031);
}
errors++;
}
}
if(data369.name !== undefined){
let data370 = data369.name;
if(typeof data370 === "string"){
if(!pattern13.test(data370)){
const err1032 = {instancePath:instancePath+"/jobs/types/" + i46+"/name",schemaPath:"#/properties/jobs/properties/types/items/properties/name/pattern",keyword:"pattern",params:{pattern: "^[a-z][a-z0-9_-]{0,63}$"},message:"must match pattern \""+"^[a-z][a-z0-9_-]{0,63}$"+"\"",schema:"^[a-z][a-z0-9_-]{0,63}$",parentSchema:schema11.properties.jobs.properties.types.items.properties.name,data:data370};
if(vErrors === null){
vErrors = [err1032];
}
else {
vErrors.push(err1032);
}
errors++;
}
}
else {
const err1033 = {instancePath:instancePath+"/jobs/types/" + i46+"/name",schemaPath:"#/properties/jobs/properties/types/items/properties/name/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.jobs.properties.types.items.properties.name.type,parentSchema:schema11.properties.jobs.properties.types.items.properties.name,data:data370};
if(vErrors === null){
vErrors = [err1033];
}
else {
vErrors.push(err1033);
}
errors++;
}
}
let data371 = data369.handler;
const _errs856 = errors;
let valid168 = false;
const _errs857 = errors;
if(typeof data371 !== "string"){
const err1034 = {instancePath:instancePath+"/jobs/types/" + i46+"/handler",schemaPath:"#/properties/jobs/properties/types/items/properties/handler/anyOf/0/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.jobs.properties.types.items.properties.handler.anyOf[0].type,parentSchema:schema11.properties.jobs.properties.types.items.properties.handler.anyOf[0],data:data371};
if(vErrors === null){
vErrors = [err1034];
}
else {
vErrors.push(err1034);
}
errors++;
}
if("http" !== data371){
const err1035 = {instancePath:instancePath+"/jobs/types/" + i46+"/handler",schemaPath:"#/properties/jobs/properties/types/items/properties/handler/anyOf/0/const",keyword:"const",params:{allowedValue: "http"},message:"must be equal to constant",schema:"http",parentSchema:schema11.properties.jobs.properties.types.items.properties.handler.anyOf[0],data:data371};
if(vErrors === null){
vErrors = [err1035];
}
else {
vErrors.push(err1035);
}
errors++;
}
var _valid18 = _errs857 === errors;
valid168 = valid168 || _valid18;
if(!valid168){
const _errs859 = errors;
if(typeof data371 !== "string"){
const err1036 = {instancePath:instancePath+"/jobs/types/" + i46+"/handler",schemaPath:"#/properties/jobs/properties/types/items/properties/handler/anyOf/1/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.jobs.properties.types.items.properties.handler.anyOf[1].type,parentSchema:schema11.properties.jobs.properties.types.items.properties.handler.anyOf[1],data:data371};
if(vErrors === null){
vErrors = [err1036];
}
else {
vErrors.push(err1036);
}
errors++;
}
if("email" !== data371){
const err1037 = {instancePath:instancePath+"/jobs/types/" + i46+"/handler",schemaPath:"#/properties/jobs/properties/types/items/properties/handler/anyOf/1/const",keyword:"const",params:{allowedValue: "email"},message:"must be equal to constant",schema:"email",parentSchema:schema11.properties.jobs.properties.types.items.properties.handler.anyOf[1],data:data371};
if(vErrors === null){
vErrors = [err1037];
}
else {
vErrors.push(err1037);
}
errors++;
}
var _valid18 = _errs859 === errors;
valid168 = valid168 || _valid18;
if(!valid168){
const _errs861 = errors;
if(typeof data371 !== "string"){
const err1038 = {instancePath:instancePath+"/jobs/types/" + i46+"/handler",schemaPath:"#/properties/jobs/properties/types/items/properties/handler/anyOf/2/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.jobs.properties.types.items.properties.handler.anyOf[2].type,parentSchema:schema11.properties.jobs.properties.types.items.properties.handler.anyOf[2],data:data371};
if(vErrors === null){
vErrors = [err1038];
}
else {
vErrors.push(err1038);
}
errors++;
}
if("module" !== data371){
const err1039 = {instancePath:instancePath+"/jobs/types/" + i46+"/handler",schemaPath:"#/properties/jobs/properties/types/items/properties/handler/anyOf/2/const",keyword:"const",params:{allowedValue: "module"},message:"must be equal to constant",schema:"module",parentSchema:schema11.properties.jobs.properties.types.items.properties.handler.anyOf[2],data:data371};
if(vErrors === null){
vErrors = [err1039];
}
else {
vErrors.push(err1039);
}
errors++;
}
var _valid18 = _errs861 === errors;
valid168 = valid168 || _valid18;
}
}
if(!valid168){
const err1040 = {instancePath:instancePath+"/jobs/types/" + i46+"/handler",schemaPath:"#/properties/jobs/properties/types/items/properties/handler/anyOf",keyword:"anyOf",params:{},message:"must match a schema in anyOf",schema:schema11.properties.jobs.properties.types.items.properties.handler.anyOf,parentSchema:schema11.properties.jobs.properties.types.items.properties.handler,data:data371};
if(vErrors === null){
vErrors = [err1040];
}
else {
vErrors.push(err1040);
}
errors++;
}
else {
errors = _errs856;
if(vErrors !== null){
if(_errs856){
vErrors.length = _errs856;
}
else {
vErrors = null;
}
}
}
let data372 = data369.url;
if(typeof data372 !== "string"){
const err1041 = {instancePath:instancePath+"/jobs/types/" + i46+"/url",schemaPath:"#/properties/jobs/properties/types/items/properties/url/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.jobs.properties.types.items.properties.url.type,parentSchema:schema11.properties.jobs.properties.types.items.properties.url,data:data372};
if(vErrors === null){
vErrors = [err1041];
}
else {
vErrors.push(err1041);
}
errors++;
}
let data373 = data369.module;
if(typeof data373 !== "string"){
const err1042 = {instancePath:instancePath+"/jobs/types/" + i46+"/module",schemaPath:"#/properties/jobs/properties/types/items/properties/module/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.jobs.properties.types.items.properties.module.type,parentSchema:schema11.properties.jobs.properties.types.items.properties.module,data:data373};
if(vErrors === null){
vErrors = [err1042];
}
else {
vErrors.push(err1042);
}
errors++;
}
let data374 = data369.schema;
if(!(data374 && typeof data374 == "object" && !Array.isArray(data374))){
const err1043 = {instancePath:instancePath+"/jobs/types/" + i46+"/schema",schemaPath:"#/properties/jobs/properties/types/items/properties/schema/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.jobs.properties.types.items.properties.schema.type,parentSchema:schema11.properties.jobs.properties.types.items.properties.schema,data:data374};
if(vErrors === null){
vErrors = [err1043];
}
else {
vErrors.push(err1043);
}
errors++;
}
let data375 = data369.priority;
const _errs870 = errors;
let valid169 = false;
const _errs871 = errors;
if(typeof data375 !== "string"){
const err1044 = {instancePath:instancePath+"/jobs/types/" + i46+"/priority",schemaPath:"#/properties/jobs/properties/types/items/properties/priority/anyOf/0/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.jobs.properties.types.items.properties.priority.anyOf[0].type,parentSchema:schema11.properties.jobs.properties.types.items.properties.priority.anyOf[0],data:data375};
if(vErrors === null){
vErrors = [err1044];
}
else {
vErrors.push(err1044);
}
errors++;
}
if("high" !== data375){
const err1045 = {instancePath:instancePath+"/jobs/types/" + i46+"/priority",schemaPath:"#/properties/jobs/properties/types/items/properties/priority/anyOf/0/const",keyword:"const",params:{allowedValue: "high"},message:"must be equal to constant",schema:"high",parentSchema:schema11.properties.jobs.properties.types.items.properties.priority.anyOf[0],data:data375};
if(vErrors === null){
vErrors = [err1045];
}
else {
vErrors.push(err1045);
}
errors++;
}
var _valid19 = _errs871 === errors;
valid169 = valid169 || _valid19;
if(!valid169){
const _errs873 = errors;
if(typeof data375 !== "string"){
const err1046 = {instancePath:instancePath+"/jobs/types/" + i46+"/priority",schemaPath:"#/properties/jobs/properties/types/items/properties/priority/anyOf/1/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.jobs.properties.types.items.properties.priority.anyOf[1].type,parentSchema:schema11.properties.jobs.properties.types.items.properties.priority.anyOf[1],data:data375};
if(vErrors === null){
vErrors = [err1046];
}
else {
vErrors.push(err1046);
}
errors++;
}
if("normal" !== data375){
const err1047 = {instancePath:instancePath+"/jobs/types/" + i46+"/priority",schemaPath:"#/properties/jobs/properties/types/items/properties/priority/anyOf/1/const",keyword:"const",params:{allowedValue: "normal"},message:"must be equal to constant",schema:"normal",parentSchema:schema11.properties.jobs.properties.types.items.properties.priority.anyOf[1],data:data375};
if(vErrors === null){
vErrors = [err1047];
}
else {
vErrors.push(err1047);
}
errors++;
}
var _valid19 = _errs873 === errors;
valid169 = valid169 || _valid19;
if(!valid169){
const _errs875 = errors;
if(typeof data375 !== "string"){
const err1048 = {instancePath:instancePath+"/jobs/types/" + i46+"/priority",schemaPath:"#/properties/jobs/properties/types/items/properties/priority/anyOf/2/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.jobs.properties.types.items.properties.priority.anyOf[2].type,parentSchema:schema11.properties.jobs.properties.types.items.properties.priority.anyOf[2],data:data375};
if(vErrors === null){
vErrors = [err1048];
}
else {
vErrors.push(err1048);
}
errors++;
}
if("low" !== data375){
const err1049 = {instancePath:instancePath+"/jobs/types/" + i46+"/priority",schemaPath:"#/properties/jobs/properties/types/items/properties/priority/anyOf/2/const",keyword:"const",params:{allowedValue: "low"},message:"must be equal to constant",schema:"low",parentSchema:schema11.properties.jobs.properties.types.items.properties.priority.anyOf[2],data:data375};
if(vErrors === null){
vErrors = [err1049];
}
else {
vErrors.push(err1049);
}
errors++;
}
var _valid19 = _errs875 === errors;
valid169 = valid169 || _valid19;
}
}
if(!valid169){
const err1050 = {instancePath:instancePath+"/jobs/types/" + i46+"/priority",schemaPath:"#/properties/jobs/properties/types/items/properties/priority/anyOf",keyword:"anyOf",params:{},message:"must match a schema in anyOf",schema:schema11.properties.jobs.properties.types.items.properties.priority.anyOf,parentSchema:schema11.properties.jobs.properties.types.items.properties.priority,data:data375};
if(vErrors === null){
vErrors = [err1050];
}
else {
vErrors.push(err1050);
}
errors++;
}
else {
errors = _errs870;
if(vErrors !== null){
if(_errs870){
vErrors.length = _errs870;
}
else {
vErrors = null;
}
}
}
let data376 = data369.attempts;
if(!((typeof data376 == "number") && (!(data376 % 1) && !isNaN(data376)))){
const err1051 = {instancePath:instancePath+"/jobs/types/" + i46+"/attempts",schemaPath:"#/properties/jobs/properties/types/items/properties/attempts/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.jobs.properties.types.items.properties.attempts.type,parentSchema:schema11.properties.jobs.properties.types.items.properties.attempts,data:data376};
if(vErrors === null){
vErrors = [err1051];
}
else {
vErrors.push(err1051);
}
errors++;
}
if(typeof data376 == "number"){
if(data376 > 100 || isNaN(data376)){
const err1052 = {instancePath:instancePath+"/jobs/types/" + i46+"/attempts",schemaPath:"#/properties/jobs/properties/types/items/properties/attempts/maximum",keyword:"maximum",params:{comparison: "<=", limit: 100},message:"must be <= 100",schema:100,parentSchema:schema11.properties.jobs.properties.types.items.properties.attempts,data:data376};
if(vErrors === null){
vErrors = [err1052];
}
else {
vErrors.push(err1052);
}
errors++;
}
if(data376 < 1 || isNaN(data376)){
const err1053 = {instancePath:instancePath+"/jobs/types/" + i46+"/attempts",schemaPath:"#/properties/jobs/properties/types/items/properties/attempts/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema11.properties.jobs.properties.types.items.properties.attempts,data:data376};
if(vErrors === null){
vErrors = [err1053];
}
else {
vErrors.push(err1053);
}
errors++;
}
}
let data377 = data369.backoff;
const parsed64 = func7(data377);
if(parsed64 === undefined){
const err1054 = {instancePath:instancePath+"/jobs/types/" + i46+"/backoff",schemaPath:"#/properties/jobs/properties/types/items/properties/backoff/x-unit",keyword:"x-unit",params:{unit: "duration", value: data377, minimum: undefined},message:"unit",schema:"duration",parentSchema:schema11.properties.jobs.properties.types.items.properties.backoff,data:data377};
if(vErrors === null){
vErrors = [err1054];
}
else {
vErrors.push(err1054);
}
errors++;
}
else {
if(data369){
data369["backoff"] = parsed64;
data377 = parsed64;
}
}
let data378 = data369.maxBackoff;
const parsed65 = func7(data378);
if(parsed65 === undefined){
const err1055 = {instancePath:instancePath+"/jobs/types/" + i46+"/maxBackoff",schemaPath:"#/properties/jobs/properties/types/items/properties/maxBackoff/x-unit",keyword:"x-unit",params:{unit: "duration", value: data378, minimum: undefined},message:"unit",schema:"duration",parentSchema:schema11.properties.jobs.properties.types.items.properties.maxBackoff,data:data378};
if(vErrors === null){
vErrors = [err1055];
}
else {
vErrors.push(err1055);
}
errors++;
}
else {
if(data369){
data369["maxBackoff"] = parsed65;
data378 = parsed65;
}
}
let data379 = data369.jitter;
if(typeof data379 == "number"){
if(data379 > 1 || isNaN(data379)){
const err1056 = {instancePath:instancePath+"/jobs/types/" + i46+"/jitter",schemaPath:"#/properties/jobs/properties/types/items/properties/jitter/maximum",keyword:"maximum",params:{comparison: "<=", limit: 1},message:"must be <= 1",schema:1,parentSchema:schema11.properties.jobs.properties.types.items.properties.jitter,data:data379};
if(vErrors === null){
vErrors = [err1056];
}
else {
vErrors.push(err1056);
}
errors++;
}
if(data379 < 0 || isNaN(data379)){
const err1057 = {instancePath:instancePath+"/jobs/types/" + i46+"/jitter",schemaPath:"#/properties/jobs/properties/types/items/properties/jitter/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0",schema:0,parentSchema:schema11.properties.jobs.properties.types.items.properties.jitter,data:data379};
if(vErrors === null){
vErrors = [err1057];
}
else {
vErrors.push(err1057);
}
errors++;
}
}
else {
const err1058 = {instancePath:instancePath+"/jobs/types/" + i46+"/jitter",schemaPath:"#/properties/jobs/properties/types/items/properties/jitter/type",keyword:"type",params:{type: "number"},message:"must be number",schema:schema11.properties.jobs.properties.types.items.properties.jitter.type,parentSchema:schema11.properties.jobs.properties.types.items.properties.jitter,data:data379};
if(vErrors === null){
vErrors = [err1058];
}
else {
vErrors.push(err1058);
}
errors++;
}
let data380 = data369.timeout;
const parsed66 = func7(data380);
if(parsed66 === undefined){
const err1059 = {instancePath:instancePath+"/jobs/types/" + i46+"/timeout",schemaPath:"#/properties/jobs/properties/types/items/properties/timeout/x-unit",keyword:"x-unit",params:{unit: "duration", value: data380, minimum: undefined},message:"unit",schema:"duration",parentSchema:schema11.properties.jobs.properties.types.items.properties.timeout,data:data380};
if(vErrors === null){
vErrors = [err1059];
}
else {
vErrors.push(err1059);
}
errors++;
}
else {
if(data369){
data369["timeout"] = parsed66;
data380 = parsed66;
}
}
let data381 = data369.concurrency;
if(!((typeof data381 == "number") && (!(data381 % 1) && !isNaN(data381)))){
const err1060 = {instancePath:instancePath+"/jobs/types/" + i46+"/concurrency",schemaPath:"#/properties/jobs/properties/types/items/properties/concurrency/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.jobs.properties.types.items.properties.concurrency.type,parentSchema:schema11.properties.jobs.properties.types.items.properties.concurrency,data:data381};
if(vErrors === null){
vErrors = [err1060];
}
else {
vErrors.push(err1060);
}
errors++;
}
if(typeof data381 == "number"){
if(data381 > 1000 || isNaN(data381)){
const err1061 = {instancePath:instancePath+"/jobs/types/" + i46+"/concurrency",schemaPath:"#/properties/jobs/properties/types/items/properties/concurrency/maximum",keyword:"maximum",params:{comparison: "<=", limit: 1000},message:"must be <= 1000",schema:1000,parentSchema:schema11.properties.jobs.properties.types.items.properties.concurrency,data:data381};
if(vErrors === null){
vErrors = [err1061];
}
else {
vErrors.push(err1061);
}
errors++;
}
if(data381 < 1 || isNaN(data381)){
const err1062 = {instancePath:instancePath+"/jobs/types/" + i46+"/concurrency",schemaPath:"#/properties/jobs/properties/types/items/properties/concurrency/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema11.properties.jobs.properties.types.items.properties.concurrency,data:data381};
if(vErrors === null){
vErrors = [err1062];
}
else {
vErrors.push(err1062);
}
errors++;
}
}
let data382 = data369.rateLimit;
if(!((typeof data382 == "number") && (!(data382 % 1) && !isNaN(data382)))){
const err1063 = {instancePath:instancePath+"/jobs/types/" + i46+"/rateLimit",schemaPath:"#/properties/jobs/properties/types/items/properties/rateLimit/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.jobs.properties.types.items.properties.rateLimit.type,parentSchema:schema11.properties.jobs.properties.types.items.properties.rateLimit,data:data382};
if(vErrors === null){
vErrors = [err1063];
}
else {
vErrors.push(err1063);
}
errors++;
}
if(typeof data382 == "number"){
if(data382 > 1000000 || isNaN(data382)){
const err1064 = {instancePath:instancePath+"/jobs/types/" + i46+"/rateLimit",schemaPath:"#/properties/jobs/properties/types/items/properties/rateLimit/maximum",keyword:"maximum",params:{comparison: "<=", limit: 1000000},message:"must be <= 1000000",schema:1000000,parentSchema:schema11.properties.jobs.properties.types.items.properties.rateLimit,data:data382};
if(vErrors === null){
vErrors = [err1064];
}
else {
vErrors.push(err1064);
}
errors++;
}
if(data382 < 0 || isNaN(data382)){
const err1065 = {instancePath:instancePath+"/jobs/types/" + i46+"/rateLimit",schemaPath:"#/properties/jobs/properties/types/items/properties/rateLimit/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0",schema:0,parentSchema:schema11.properties.jobs.properties.types.items.properties.rateLimit,data:data382};
if(vErrors === null){
vErrors = [err1065];
}
else {
vErrors.push(err1065);
}
errors++;
}
}
let data383 = data369.rateWindow;
const parsed67 = func7(data383);
if(parsed67 === undefined){
const err1066 = {instancePath:instancePath+"/jobs/types/" + i46+"/rateWindow",schemaPath:"#/properties/jobs/properties/types/items/properties/rateWindow/x-unit",keyword:"x-unit",params:{unit: "duration", value: data383, minimum: undefined},message:"unit",schema:"duration",parentSchema:schema11.properties.jobs.properties.types.items.properties.rateWindow,data:data383};
if(vErrors === null){
vErrors = [err1066];
}
else {
vErrors.push(err1066);
}
errors++;
}
else {
if(data369){
data369["rateWindow"] = parsed67;
data383 = parsed67;
}
}
let data384 = data369.secret;
if(typeof data384 !== "string"){
const err1067 = {instancePath:instancePath+"/jobs/types/" + i46+"/secret",schemaPath:"#/properties/jobs/properties/types/items/properties/secret/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.jobs.properties.types.items.properties.secret.type,parentSchema:schema11.properties.jobs.properties.types.items.properties.secret,data:data384};
if(vErrors === null){
vErrors = [err1067];
}
else {
vErrors.push(err1067);
}
errors++;
}
let data385 = data369.secretEnv;
if(typeof data385 !== "string"){
const err1068 = {instancePath:instancePath+"/jobs/types/" + i46+"/secretEnv",schemaPath:"#/properties/jobs/properties/types/items/properties/secretEnv/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.jobs.properties.types.items.properties.secretEnv.type,parentSchema:schema11.properties.jobs.properties.types.items.properties.secretEnv,data:data385};
if(vErrors === null){
vErrors = [err1068];
}
else {
vErrors.push(err1068);
}
errors++;
}
}
else {
const err1069 = {instancePath:instancePath+"/jobs/types/" + i46,schemaPath:"#/properties/jobs/properties/types/items/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.jobs.properties.types.items.type,parentSchema:schema11.properties.jobs.properties.types.items,data:data369};
if(vErrors === null){
vErrors = [err1069];
}
else {
vErrors.push(err1069);
}
errors++;
}
}
}
else {
const err1070 = {instancePath:instancePath+"/jobs/types",schemaPath:"#/properties/jobs/properties/types/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.jobs.properties.types.type,parentSchema:schema11.properties.jobs.properties.types,data:data368};
if(vErrors === null){
vErrors = [err1070];
}
else {
vErrors.push(err1070);
}
errors++;
}
let data386 = data335.schedules;
if(Array.isArray(data386)){
const len46 = data386.length;
for(let i47=0; i47<len46; i47++){
let data387 = data386[i47];
if(data387 && typeof data387 == "object" && !Array.isArray(data387)){
if(data387.payload === undefined){
data387.payload = {};
}
if(data387.timezone === undefined){
data387.timezone = "";
}
if(data387.catchUp === undefined){
data387.catchUp = "one";
}
if(data387.name === undefined){
const err1071 = {instancePath:instancePath+"/jobs/schedules/" + i47,schemaPath:"#/properties/jobs/properties/schedules/items/required",keyword:"required",params:{missingProperty: "name"},message:"must have required property '"+"name"+"'",schema:schema11.properties.jobs.properties.schedules.items.required,parentSchema:schema11.properties.jobs.properties.schedules.items,data:data387};
if(vErrors === null){
vErrors = [err1071];
}
else {
vErrors.push(err1071);
}
errors++;
}
if(data387.cron === undefined){
const err1072 = {instancePath:instancePath+"/jobs/schedules/" + i47,schemaPath:"#/properties/jobs/properties/schedules/items/required",keyword:"required",params:{missingProperty: "cron"},message:"must have required property '"+"cron"+"'",schema:schema11.properties.jobs.properties.schedules.items.required,parentSchema:schema11.properties.jobs.properties.schedules.items,data:data387};
if(vErrors === null){
vErrors = [err1072];
}
else {
vErrors.push(err1072);
}
errors++;
}
if(data387.type === undefined){
const err1073 = {instancePath:instancePath+"/jobs/schedules/" + i47,schemaPath:"#/properties/jobs/properties/schedules/items/required",keyword:"required",params:{missingProperty: "type"},message:"must have required property '"+"type"+"'",schema:schema11.properties.jobs.properties.schedules.items.required,parentSchema:schema11.properties.jobs.properties.schedules.items,data:data387};
if(vErrors === null){
vErrors = [err1073];
}
else {
vErrors.push(err1073);
}
errors++;
}
if(data387.payload === undefined){
const err1074 = {instancePath:instancePath+"/jobs/schedules/" + i47,schemaPath:"#/properties/jobs/properties/schedules/items/required",keyword:"required",params:{missingProperty: "payload"},message:"must have required property '"+"payload"+"'",schema:schema11.properties.jobs.properties.schedules.items.required,parentSchema:schema11.properties.jobs.properties.schedules.items,data:data387};
if(vErrors === null){
vErrors = [err1074];
}
else {
vErrors.push(err1074);
}
errors++;
}
if(data387.timezone === undefined){
const err1075 = {instancePath:instancePath+"/jobs/schedules/" + i47,schemaPath:"#/properties/jobs/properties/schedules/items/required",keyword:"required",params:{missingProperty: "timezone"},message:"must have required property '"+"timezone"+"'",schema:schema11.properties.jobs.properties.schedules.items.required,parentSchema:schema11.properties.jobs.properties.schedules.items,data:data387};
if(vErrors === null){
vErrors = [err1075];
}
else {
vErrors.push(err1075);
}
errors++;
}
if(data387.catchUp === undefined){
const err1076 = {instancePath:instancePath+"/jobs/schedules/" + i47,schemaPath:"#/properties/jobs/properties/schedules/items/required",keyword:"required",params:{missingProperty: "catchUp"},message:"must have required property '"+"catchUp"+"'",schema:schema11.properties.jobs.properties.schedules.items.required,parentSchema:schema11.properties.jobs.properties.schedules.items,data:data387};
if(vErrors === null){
vErrors = [err1076];
}
else {
vErrors.push(err1076);
}
errors++;
}
for(const key57 in data387){
if(!((((((key57 === "name") || (key57 === "cron")) || (key57 === "type")) || (key57 === "payload")) || (key57 === "timezone")) || (key57 === "catchUp"))){
const err1077 = {instancePath:instancePath+"/jobs/schedules/" + i47,schemaPath:"#/properties/jobs/properties/schedules/items/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key57},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.jobs.properties.schedules.items,data:data387};
if(vErrors === null){
vErrors = [err1077];
}
else {
vErrors.push(err1077);
}
errors++;
}
}
if(data387.name !== undefined){
let data388 = data387.name;
if(typeof data388 === "string"){
if(!pattern13.test(data388)){
const err1078 = {instancePath:instancePath+"/jobs/schedules/" + i47+"/name",schemaPath:"#/properties/jobs/properties/schedules/items/properties/name/pattern",keyword:"pattern",params:{pattern: "^[a-z][a-z0-9_-]{0,63}$"},message:"must match pattern \""+"^[a-z][a-z0-9_-]{0,63}$"+"\"",schema:"^[a-z][a-z0-9_-]{0,63}$",parentSchema:schema11.properties.jobs.properties.schedules.items.properties.name,data:data388};
if(vErrors === null){
vErrors = [err1078];
}
else {
vErrors.push(err1078);
}
errors++;
}
}
else {
const err1079 = {instancePath:instancePath+"/jobs/schedules/" + i47+"/name",schemaPath:"#/properties/jobs/properties/schedules/items/properties/name/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.jobs.properties.schedules.items.properties.name.type,parentSchema:schema11.properties.jobs.properties.schedules.items.properties.name,data:data388};
if(vErrors === null){
vErrors = [err1079];
}
else {
vErrors.push(err1079);
}
errors++;
}
}
if(data387.cron !== undefined){
let data389 = data387.cron;
if(typeof data389 === "string"){
if(func5(data389) < 1){
const err1080 = {instancePath:instancePath+"/jobs/schedules/" + i47+"/cron",schemaPath:"#/properties/jobs/properties/schedules/items/properties/cron/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.jobs.properties.schedules.items.properties.cron,data:data389};
if(vErrors === null){
vErrors = [err1080];
}
else {
vErrors.push(err1080);
}
errors++;
}
}
else {
const err1081 = {instancePath:instancePath+"/jobs/schedules/" + i47+"/cron",schemaPath:"#/properties/jobs/properties/schedules/items/properties/cron/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.jobs.properties.schedules.items.properties.cron.type,parentSchema:schema11.properties.jobs.properties.schedules.items.properties.cron,data:data389};
if(vErrors === null){
vErrors = [err1081];
}
else {
vErrors.push(err1081);
}
errors++;
}
}
if(data387.type !== undefined){
let data390 = data387.type;
if(typeof data390 === "string"){
if(func5(data390) < 1){
const err1082 = {instancePath:instancePath+"/jobs/schedules/" + i47+"/type",schemaPath:"#/properties/jobs/properties/schedules/items/properties/type/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.jobs.properties.schedules.items.properties.type,data:data390};
if(vErrors === null){
vErrors = [err1082];
}
else {
vErrors.push(err1082);
}
errors++;
}
}
else {
const err1083 = {instancePath:instancePath+"/jobs/schedules/" + i47+"/type",schemaPath:"#/properties/jobs/properties/schedules/items/properties/type/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.jobs.properties.schedules.items.properties.type.type,parentSchema:schema11.properties.jobs.properties.schedules.items.properties.type,data:data390};
if(vErrors === null){
vErrors = [err1083];
}
else {
vErrors.push(err1083);
}
errors++;
}
}
let data391 = data387.payload;
if(!(data391 && typeof data391 == "object" && !Array.isArray(data391))){
const err1084 = {instancePath:instancePath+"/jobs/schedules/" + i47+"/payload",schemaPath:"#/properties/jobs/properties/schedules/items/properties/payload/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.jobs.properties.schedules.items.properties.payload.type,parentSchema:schema11.properties.jobs.properties.schedules.items.properties.payload,data:data391};
if(vErrors === null){
vErrors = [err1084];
}
else {
vErrors.push(err1084);
}
errors++;
}
let data392 = data387.timezone;
if(typeof data392 !== "string"){
const err1085 = {instancePath:instancePath+"/jobs/schedules/" + i47+"/timezone",schemaPath:"#/properties/jobs/properties/schedules/items/properties/timezone/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.jobs.properties.schedules.items.properties.timezone.type,parentSchema:schema11.properties.jobs.properties.schedules.items.properties.timezone,data:data392};
if(vErrors === null){
vErrors = [err1085];
}
else {
vErrors.push(err1085);
}
errors++;
}
let data393 = data387.catchUp;
const _errs909 = errors;
let valid173 = false;
const _errs910 = errors;
if(typeof data393 !== "string"){
const err1086 = {instancePath:instancePath+"/jobs/schedules/" + i47+"/catchUp",schemaPath:"#/properties/jobs/properties/schedules/items/properties/catchUp/anyOf/0/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.jobs.properties.schedules.items.properties.catchUp.anyOf[0].type,parentSchema:schema11.properties.jobs.properties.schedules.items.properties.catchUp.anyOf[0],data:data393};
if(vErrors === null){
vErrors = [err1086];
}
else {
vErrors.push(err1086);
}
errors++;
}
if("one" !== data393){
const err1087 = {instancePath:instancePath+"/jobs/schedules/" + i47+"/catchUp",schemaPath:"#/properties/jobs/properties/schedules/items/properties/catchUp/anyOf/0/const",keyword:"const",params:{allowedValue: "one"},message:"must be equal to constant",schema:"one",parentSchema:schema11.properties.jobs.properties.schedules.items.properties.catchUp.anyOf[0],data:data393};
if(vErrors === null){
vErrors = [err1087];
}
else {
vErrors.push(err1087);
}
errors++;
}
var _valid20 = _errs910 === errors;
valid173 = valid173 || _valid20;
if(!valid173){
const _errs912 = errors;
if(typeof data393 !== "string"){
const err1088 = {instancePath:instancePath+"/jobs/schedules/" + i47+"/catchUp",schemaPath:"#/properties/jobs/properties/schedules/items/properties/catchUp/anyOf/1/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.jobs.properties.schedules.items.properties.catchUp.anyOf[1].type,parentSchema:schema11.properties.jobs.properties.schedules.items.properties.catchUp.anyOf[1],data:data393};
if(vErrors === null){
vErrors = [err1088];
}
else {
vErrors.push(err1088);
}
errors++;
}
if("none" !== data393){
const err1089 = {instancePath:instancePath+"/jobs/schedules/" + i47+"/catchUp",schemaPath:"#/properties/jobs/properties/schedules/items/properties/catchUp/anyOf/1/const",keyword:"const",params:{allowedValue: "none"},message:"must be equal to constant",schema:"none",parentSchema:schema11.properties.jobs.properties.schedules.items.properties.catchUp.anyOf[1],data:data393};
if(vErrors === null){
vErrors = [err1089];
}
else {
vErrors.push(err1089);
}
errors++;
}
var _valid20 = _errs912 === errors;
valid173 = valid173 || _valid20;
}
if(!valid173){
const err1090 = {instancePath:instancePath+"/jobs/schedules/" + i47+"/catchUp",schemaPath:"#/properties/jobs/properties/schedules/items/properties/catchUp/anyOf",keyword:"anyOf",params:{},message:"must match a schema in anyOf",schema:schema11.properties.jobs.properties.schedules.items.properties.catchUp.anyOf,parentSchema:schema11.properties.jobs.properties.schedules.items.properties.catchUp,data:data393};
if(vErrors === null){
vErrors = [err1090];
}
else {
vErrors.push(err1090);
}
errors++;
}
else {
errors = _errs909;
if(vErrors !== null){
if(_errs909){
vErrors.length = _errs909;
}
else {
vErrors = null;
}
}
}
}
else {
const err1091 = {instancePath:instancePath+"/jobs/schedules/" + i47,schemaPath:"#/properties/jobs/properties/schedules/items/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.jobs.properties.schedules.items.type,parentSchema:schema11.properties.jobs.properties.schedules.items,data:data387};
if(vErrors === null){
vErrors = [err1091];
}
else {
vErrors.push(err1091);
}
errors++;
}
}
}
else {
const err1092 = {instancePath:instancePath+"/jobs/schedules",schemaPath:"#/properties/jobs/properties/schedules/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.jobs.properties.schedules.type,parentSchema:schema11.properties.jobs.properties.schedules,data:data386};
if(vErrors === null){
vErrors = [err1092];
}
else {
vErrors.push(err1092);
}
errors++;
}
}
else {
const err1093 = {instancePath:instancePath+"/jobs",schemaPath:"#/properties/jobs/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.jobs.type,parentSchema:schema11.properties.jobs,data:data335};
if(vErrors === null){
vErrors = [err1093];
}
else {
vErrors.push(err1093);
}
errors++;
}
}
else {
const err1094 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.type,parentSchema:schema11,data};
if(vErrors === null){
vErrors = [err1094];
}
else {
vErrors.push(err1094);
}
errors++;
}
validate10.errors = vErrors;
return errors === 0;
}

export const validate: SchemaValidate = validate10
export const schemaHash = '72df2723982b41de12f65d9bd12a266fba17b6e8d21c638787641006ce188927'
