// The advisor's own small pool, made from the core's mysql: section until the core owns one and hands it over.
import { createPool, type Pool } from 'mysql2/promise'
import type { MysqlSettings } from './options.js'

export function createDbPool (mysql: MysqlSettings): Pool {
  return createPool({
    uri: mysql.url,
    connectionLimit: mysql.poolSize,
    connectTimeout: mysql.connectTimeout,
    waitForConnections: true,
    // A dead server must fail the advisor's calls, not queue them forever.
    queueLimit: mysql.poolSize * 16,
    enableKeepAlive: true,
    multipleStatements: false
  })
}
