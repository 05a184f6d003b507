// SHOW GRANTS against exactly the privileges the advisor uses.
import t from '../helpers/cases.js'
import { describePrivileges, hasPrivilege, parseGrants, wantedPrivileges } from '../../src/plugins/db/privileges.js'

t.test('grants are matched by privilege and scope, with wildcards and ALL', async t => {
  const g = parseGrants([
    "GRANT PROCESS ON *.* TO `side`@`%` IDENTIFIED BY PASSWORD '*X'",
    'GRANT SELECT, INSERT, ALTER ON `shop`.* TO `side`@`%`',
    'GRANT ALL PRIVILEGES ON `sipup\\_sidecar`.* TO `side`@`%`',
    'GRANT SELECT ON `mysql`.`slow_log` TO `side`@`%`',
    'GRANT SELECT ON `shop\\_%`.* TO `side`@`%`',
    "GRANT PROXY ON ''@'%' TO 'side'@'%'"
  ])
  t.ok(hasPrivilege(g, 'PROCESS', '*.*'))
  t.ok(hasPrivilege(g, 'ALTER', 'shop.*'))
  t.notOk(hasPrivilege(g, 'ALTER', 'other.*'))
  t.ok(hasPrivilege(g, 'DELETE', 'sipup_sidecar.*'), 'ALL PRIVILEGES on the schema')
  t.notOk(hasPrivilege(g, 'DELETE', 'sipupXsidecar.*'), 'an escaped _ is a literal underscore')
  t.ok(hasPrivilege(g, 'SELECT', 'mysql.slow_log'))
  t.notOk(hasPrivilege(g, 'SELECT', 'mysql.*'), 'a table grant is not a schema grant')
  t.ok(hasPrivilege(g, 'SELECT', 'shop_eu.*'), '% wildcard')
  t.notOk(hasPrivilege(g, 'PROCESS', 'shop.*') && !hasPrivilege(g, 'PROCESS', '*.*'))
})

t.test('the wanted list: what each privilege is for, per flavor', async t => {
  const maria = wantedPrivileges('mariadb', ['shop'], 'sipup_sidecar')
  const mysql = wantedPrivileges('mysql', ['shop'], 'sipup_sidecar')
  for (const p of ['PROCESS ON *.*', 'SELECT ON shop.*', 'ALTER ON shop.*', 'INSERT ON shop.*', 'CREATE ON sipup_sidecar.*']) {
    t.ok(describePrivileges(maria).includes(p), p)
  }
  t.notOk(maria.some(w => w.privilege === 'CREATE' && w.scope === 'shop.*'), 'MariaDB ALTER TABLE needs no CREATE')
  t.ok(mysql.some(w => w.privilege === 'CREATE' && w.scope === 'shop.*'), 'MySQL ALTER TABLE does')
  t.notOk(maria.some(w => w.privilege === 'INDEX' || w.privilege === 'SUPER'), 'nothing it does not use')
  t.ok(maria.every(w => w.why.length > 0))
  const root = parseGrants(['GRANT ALL PRIVILEGES ON *.* TO `root`@`localhost` WITH GRANT OPTION'])
  t.ok(maria.every(w => hasPrivilege(root, w.privilege, w.scope)))
})
