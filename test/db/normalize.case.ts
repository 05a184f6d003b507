// Query shapes: the same statement with other literals is one shape; the sidecar's own statements are not workload.
import t from '../helpers/cases.js'
import { fingerprintOf, isWorkloadStatement, normalizeSql, OWN_MARKER, statementKind } from '../../src/plugins/db/normalize.js'
import { mergeShapes, ShapeBook } from '../../src/plugins/db/shape-book.js'

t.test('literals become ?, IN lists and VALUES rows fold, comments and spacing go', async t => {
  t.equal(normalizeSql("select  id from orders where customer_id = 42 and status = 'paid' -- hot\n order by created_at desc limit 20"),
    'SELECT id FROM orders WHERE customer_id = ? AND status = ? ORDER BY created_at DESC LIMIT ?')
  t.equal(normalizeSql('SELECT * FROM t WHERE id IN (1, 2, 3, 4) AND x IN ("a")'), 'SELECT * FROM t WHERE id IN (?) AND x IN (?)')
  t.equal(normalizeSql("INSERT INTO t (a, b) VALUES (1, 'x'), (2, 'y'), (3, 'z')"), 'INSERT INTO t (a, b) VALUES (?)')
  t.equal(normalizeSql("SELECT /* app:42 */ a FROM t WHERE b = -1.5e3 AND c = 0xFF AND d = X'0A' AND e = 'it''s' AND f = 'a\\'b'"),
    'SELECT a FROM t WHERE b = ? AND c = ? AND d = ? AND e = ? AND f = ?')
  t.equal(normalizeSql('SELECT t1.a FROM t1 JOIN `my table` m ON m.id = t1.id'), 'SELECT t1.a FROM t1 JOIN `my table` m ON m.id = t1.id', 'identifiers with digits and backquotes kept')
  t.equal(normalizeSql('SELECT a - 1 FROM t'), 'SELECT a - ? FROM t', 'a minus after an operand stays an operator')
})

t.test('same shape, same fingerprint; another schema or shape, another one', async t => {
  const a = normalizeSql('SELECT * FROM orders WHERE id = 1')
  const b = normalizeSql('select *   from orders where id = 999')
  t.equal(a, b)
  t.equal(fingerprintOf(a), fingerprintOf(b))
  t.not(fingerprintOf(a), fingerprintOf(normalizeSql('SELECT * FROM orders WHERE customer_id = 1')))
  t.match(fingerprintOf(a), /^[0-9a-f]{16}$/)
})

t.test('statement kinds and what counts as workload', async t => {
  t.equal(statementKind('WITH x AS (SELECT 1) SELECT * FROM x'), 'SELECT')
  t.equal(statementKind('(SELECT 1) UNION (SELECT 2)'), 'SELECT')
  t.ok(isWorkloadStatement('  /* c */ select 1'))
  t.ok(isWorkloadStatement('UPDATE t SET a = 1'))
  t.notOk(isWorkloadStatement(`${OWN_MARKER} SELECT * FROM t`), 'the sidecar\'s own statements are skipped')
  t.notOk(isWorkloadStatement('SET NAMES utf8mb4'))
  t.notOk(isWorkloadStatement('SHOW PROCESSLIST'))
})

t.test('the shape book adds up executions per shape and keeps the most expensive', async t => {
  const book = new ShapeBook('slowlog')
  book.add({ sql: 'SELECT * FROM t WHERE id = 1', schema: 's', count: 1, totalMs: 10, rowsExamined: 100, rowsSent: 1 })
  book.add({ sql: 'SELECT * FROM t WHERE id = 2', schema: 's', count: 1, totalMs: 30, rowsExamined: 300, rowsSent: 1 })
  book.add({ sql: 'SELECT * FROM u', schema: 's', count: 1, totalMs: 5, rowsExamined: null, rowsSent: null })
  const [top, next] = book.shapes(10)
  t.equal(top.count, 2)
  t.equal(top.totalMs, 40)
  t.equal(top.rowsExamined, 400)
  t.equal(top.sample, 'SELECT * FROM t WHERE id = 1', 'one real statement kept as the sample')
  t.equal(next.rowsExamined, null, 'unknown stays unknown')
  t.equal(book.shapes(1).length, 1, 'bounded')
  const merged = mergeShapes([book.shapes(10), [{ ...top, totalMs: 99, sources: ['processlist'] }]], 10)
  t.equal(merged.length, 2)
  t.same(merged[0].sources.sort(), ['processlist', 'slowlog'])
  t.equal(merged[0].totalMs, 99, 'two sources see the same executions: the larger total is kept, not the sum')
})
