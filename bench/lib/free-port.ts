// A port nothing listens on right now (ask the kernel for one, then release it).
import { createServer, type AddressInfo } from 'node:net'

export async function freePort (): Promise<number> {
  const srv = createServer()
  await new Promise<void>(resolve => srv.listen(0, '127.0.0.1', resolve))
  const { port } = srv.address() as AddressInfo
  await new Promise<void>(resolve => srv.close(() => resolve()))
  return port
}
