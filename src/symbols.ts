// Internal state on shared objects (request, reply, dispatch options) lives under these symbols, never string keys.
export const kSidecarRequest = Symbol('sipup.request')
/** On dispatch options of a request the sidecar makes itself: the origin-protection lane it waits in
 * (src/proxy/origin-guard, a LaneName), instead of `low` for own requests. */
export const kOriginLane = Symbol('sipup.originLane')
/** On a visitor's request (true): the origin already did work for it (the cache's context lookup answered for its
 * session), so origin protection queues it at the front instead of judging it as a new arrival: shed now, it would
 * waste that work and get its 503 only after the lookup's wait (src/proxy/origin-guard). */
export const kOriginResumed = Symbol('sipup.originResumed')
/** A request object that may carry the kOriginResumed mark. */
export interface OriginResumable { [kOriginResumed]?: boolean }
export const kProxyRoute = Symbol('sipup.proxyRoute')
/** The authenticated admin principal on admin requests (src/admin/auth.ts). */
export const kAdminPrincipal = Symbol('sipup.adminPrincipal')
/** The cache plugin's per-request state (src/plugins/cache/state.ts) on the request and on its own dispatch options. */
export const kCacheState = Symbol('sipup.cacheState')
/** Prebuilt response headers of a cache entry (src/plugins/cache/serve.ts). */
export const kCachePrebuilt = Symbol('sipup.cachePrebuilt')
/** Per client socket: the peer address and whether it is a trusted proxy (src/proxy/index.ts). */
export const kPeer = Symbol('sipup.peer')
/** Backing field of the lazily created `request.sidecar` (src/core/sidecar.ts). */
export const kRequestState = Symbol('sipup.requestState')
/** On the raw response of a request the proxy bypass runs (src/proxy/bypass.ts): its hook run, for onResponse. */
export const kProxyRun = Symbol('sipup.proxyRun')
/** Per client socket: the rate limiter's last identity inputs and the identities they gave (src/plugins/rate-limit/
 * identity.ts), so a keep-alive connection resending one session cookie skips parsing and hashing it. */
export const kRateLimitIdentity = Symbol('sipup.rateLimitIdentity')
/** Per client socket: the rate limiter's client key and store keys last built on it (src/plugins/rate-limit/hook.ts). */
export const kRateLimitKeys = Symbol('sipup.rateLimitKeys')
