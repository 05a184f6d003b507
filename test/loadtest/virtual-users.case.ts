import t from '../helpers/cases.js'
import { startLegacyApp } from '../../examples/legacy-app/shop.js'
import { RequestPlan } from '../../src/loadtest/request-plan.js'
import { runBench } from '../../src/loadtest/run.js'
import { validateScenario } from '../../src/loadtest/scenario.js'
import { benchOptions } from './helpers.js'

t.test('virtual users hold one keep-alive connection each, log in once and keep their session cookie', async t => {
  const shop = await startLegacyApp({ port: 0, minDelayMs: 1, maxDelayMs: 2 })
  t.after(() => shop.close())
  const scenario = validateScenario({
    login: { share: 0.5 },
    requests: [
      { name: 'dashboard', path: '/dashboard.php', who: 'loggedIn', expect: [200] },
      { name: 'catalog', path: '/catalog.php?page={{rand 1 25}}', who: 'anonymous' }
    ]
  })

  const report = await runBench(benchOptions(shop.url, {
    plan: RequestPlan.fromScenario(scenario), model: 'users', level: 10, thinkMs: 100, warmupMs: 100, durationMs: 600
  }))
  const r = report.targets[0].result
  t.equal(shop.stats.byPath.get('/login.php'), 5, 'half of the 10 users logged in, once each')
  t.ok((r.byRequest.dashboard?.count ?? 0) > 0, 'logged-in users asked for their dashboard')
  t.equal(r.byRequest.dashboard?.successRate, 1, 'and got it (200, not a 302 to the login form): the cookie was kept')
  t.ok((r.byRequest.catalog?.count ?? 0) > 0, 'anonymous users browsed the catalog')
  t.equal(r.connections.connects, 10, 'one connection per user')
  t.equal(r.connections.maxOpen, 10)
  t.equal(r.successRate, 1)
})
