// The slow log file as MariaDB and MySQL write it.
import t from '../helpers/cases.js'
import { parseSlowLog } from '../../src/plugins/db/sources/slow-log-parser.js'

const MARIADB = `/usr/sbin/mariadbd, Version: 10.11.19-MariaDB-0+deb12u1-log (Debian 12). started with:
Tcp port: 3306  Unix socket: /run/mysqld/mysqld.sock
Time                 Id Command    Argument
# Time: 241202 10:00:00
# User@Host: shop[shop] @ localhost [127.0.0.1]
# Thread_id: 8  Schema: shop  QC_hit: No
# Query_time: 0.071234  Lock_time: 0.000100  Rows_sent: 10  Rows_examined: 200000
# Rows_affected: 0  Bytes_sent: 512
SET timestamp=1733133600;
SELECT id FROM orders
  WHERE customer_id = 42;
# User@Host: shop[shop] @ localhost [127.0.0.1]
# Thread_id: 8  Schema: other  QC_hit: No
# Query_time: 1.5  Lock_time: 0  Rows_sent: 1  Rows_examined: 5
SET timestamp=1733133601;
SELECT 1;
`

const MYSQL = `# Time: 2024-12-02T10:00:00.123456Z
# User@Host: root[root] @ localhost []  Id:     8
# Query_time: 0.000186  Lock_time: 0.000000 Rows_sent: 1  Rows_examined: 0
use shop;
SET timestamp=1733133600;
SELECT * FROM orders WHERE id = 7;
`

t.test('MariaDB format: schema from the header, multi-line statements, banner skipped', async t => {
  const e = parseSlowLog(MARIADB)
  t.equal(e.length, 2)
  t.match(e[0], { schema: 'shop', rowsSent: 10, rowsExamined: 200000, timestamp: 1733133600, sql: 'SELECT id FROM orders\n  WHERE customer_id = 42' })
  t.ok(Math.abs(e[0].queryMs - 71.234) < 1e-6)
  t.match(e[1], { schema: 'other', queryMs: 1500, sql: 'SELECT 1' })
})

t.test('MySQL format: schema from `use db;`', async t => {
  const e = parseSlowLog(MYSQL)
  t.equal(e.length, 1)
  t.match(e[0], { schema: 'shop', rowsExamined: 0, sql: 'SELECT * FROM orders WHERE id = 7' })
})

t.test('garbage and a cut-off first entry yield no crash', async t => {
  t.same(parseSlowLog('no header here\nSELECT 1;\n'), [])
  t.equal(parseSlowLog('\u0000\u0001 binary ### nonsense').length, 0)
})
