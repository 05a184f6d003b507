// Internal state on shared objects (request, reply, dispatch options) lives under these symbols, never string keys.
export const kSidecarRequest = Symbol('sipup.request')
export const kProxyRoute = Symbol('sipup.proxyRoute')
