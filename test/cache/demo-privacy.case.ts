// config/demo.yaml in front of the demo shop, attacked as a logged-in customer: pages cached per customer group
// (`scope: context`) and per user must never show one user's page to another. Users of the same group share the
// catalog, product pages and product API; only the dashboard and orders name the user, and those are per session.
import t from '../helpers/cases.js'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { Agent, request } from 'undici'
import { startLegacyApp } from '../../examples/legacy-app/shop.js'
import { packageRoot } from '../../src/paths.js'
import { startSidecar } from '../helpers/sidecar.js'

const FAST = { minDelayMs: 0, maxDelayMs: 1, searchMinDelayMs: 0, searchMaxDelayMs: 1 }
// Every page of bench/capacity's realistic mix, plus the home page.
const PAGES = ['/', '/product.php?id=7', '/catalog.php?page=2', '/api/products.php?id=7', '/dashboard.php', '/account/orders.php']

interface Visitor { name: string, cookies: Map<string, string> }

t.test('demo: no user ever gets a page naming another user, and each sees their own group', async t => {
  const demo = parse(readFileSync(join(packageRoot, 'config', 'demo.yaml'), 'utf8')) as { cache: Record<string, unknown> }
  const shop = await startLegacyApp({ port: 0, ...FAST })
  t.after(() => shop.close())
  const sc = await startSidecar({ upstream: { url: shop.url }, cache: { ...demo.cache, store: 'memory' } })
  t.after(() => sc.close())
  const agent = new Agent()
  t.after(() => agent.close())

  const fetchAs = async (v: Visitor | null, path: string, init: { method?: 'GET' | 'POST', body?: string } = {}): Promise<{ status: number, cache: unknown, body: string }> => {
    const cookie = v === null ? '' : [...v.cookies].map(([k, val]) => `${k}=${val}`).join('; ')
    const res = await request(sc.url + path, {
      dispatcher: agent,
      method: init.method ?? 'GET',
      body: init.body,
      headers: { ...(cookie === '' ? {} : { cookie }), ...(init.body === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }) }
    })
    const set = res.headers['set-cookie']
    for (const c of set === undefined ? [] : Array.isArray(set) ? set : [set]) {
      const [pair] = c.split(';')
      const eq = pair.indexOf('=')
      const value = pair.slice(eq + 1)
      if (v !== null) {
        if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(c)) v.cookies.delete(pair.slice(0, eq))
        else v.cookies.set(pair.slice(0, eq), value)
      }
    }
    return { status: res.statusCode, cache: res.headers['x-cache'], body: await res.body.text() }
  }

  // user1..user9: three per price group (A, B, C), so every group-shared entry is filled by one user and hit by others.
  const visitors: Visitor[] = []
  for (let i = 1; i <= 9; i++) {
    const v = { name: `user${i}`, cookies: new Map<string, string>() }
    await fetchAs(v, '/')
    t.equal((await fetchAs(v, '/login.php', { method: 'POST', body: `username=${v.name}&password=secret` })).status, 302, `${v.name} logs in`)
    visitors.push(v)
  }
  const groupOf = new Map<string, string>()
  let hits = 0
  for (let round = 0; round < 2; round++) {
    for (const v of visitors) {
      for (const path of PAGES) {
        const r = await fetchAs(v, path)
        t.equal(r.status, 200, `${v.name} ${path}`)
        if (r.cache === 'HIT') hits++
        const named = new Set(r.body.match(/\buser\d+\b/g) ?? [])
        named.delete(v.name)
        t.same([...named], [], `${v.name} ${path} (${String(r.cache)}) names no other user`)
        if (path.startsWith('/api/')) {
          const group = (JSON.parse(r.body) as { priceGroup: string | null }).priceGroup
          t.ok(group !== null, `${v.name} gets a group price from the API`)
          if (group !== null) {
            const first = groupOf.get(v.name)
            if (first === undefined) groupOf.set(v.name, group)
            else t.equal(group, first, `${v.name} keeps their own group's prices`)
          }
        }
        const shown = /\(group ([A-C])\)/.exec(r.body)?.[1]
        if (shown !== undefined && groupOf.has(v.name)) t.equal(shown, groupOf.get(v.name), `${v.name} ${path} shows their own group`)
      }
    }
  }
  t.ok(hits > 0, `the shared pages were served from the cache (${hits} hits)`)
  const anon = await fetchAs(null, '/catalog.php?page=2')
  t.notMatch(anon.body, /\buser\d+\b|\(group [A-C]\)/, 'an anonymous visitor sees no one\'s page')
})
