// Coded warnings, emitted once unless `unlimited`. SIPUPWRN### for risky-but-valid settings, SIPUPDEP### for deprecated keys.
import processWarning from 'process-warning'

const { createWarning } = processWarning

export const SIPUPWRN001 = createWarning({
  name: 'SipupWarning',
  code: 'SIPUPWRN001',
  message: 'admin has no credentials configured (admin.token / admin.users): /_admin answers loopback clients only'
})
export const SIPUPWRN002 = createWarning({
  name: 'SipupWarning',
  code: 'SIPUPWRN002',
  message: 'server.trustProxy includes %s: X-Forwarded-For from any peer in it decides the client IP'
})
