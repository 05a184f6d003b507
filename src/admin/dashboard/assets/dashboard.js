// sipup-sidecar dashboard. Plain browser JS, no build step, no CDN: served by the sidecar itself with a strict CSP
// (no inline script or style), so every piece of data goes into the DOM through textContent, never innerHTML.
/* global uPlot, EventSource */
'use strict'

;(function () {
  const meta = name => document.querySelector(`meta[name="${name}"]`).getAttribute('content')
  const PREFIX = meta('admin-prefix')
  const CSRF = meta('csrf-token')
  const HISTORY = Number(meta('history-seconds')) || 900
  const OVERVIEW_EVERY_MS = 5000
  const PANELS_EVERY_MS = 10000

  const $ = id => document.getElementById(id)

  function el (tag, attrs, ...children) {
    const e = document.createElement(tag)
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') e.className = v
      else if (k.startsWith('data-')) e.setAttribute(k, v)
      else e[k] = v
    }
    for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)))
    return e
  }

  async function api (path, init) {
    const res = await fetch(path, { credentials: 'same-origin', ...init })
    const text = await res.text()
    let body = null
    try { body = text === '' ? null : JSON.parse(text) } catch { body = { error: text } }
    if (!res.ok) throw new Error((body && (body.detail || body.error || body.title)) || `${res.status} ${res.statusText}`)
    return body
  }

  function post (path, payload) {
    return api(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': CSRF },
      body: JSON.stringify(payload)
    })
  }

  function del (path) {
    return api(path, { method: 'DELETE', headers: { 'x-csrf-token': CSRF } })
  }

  const left = v => { const s = Math.ceil(v / 1000); return s >= 3600 ? `${Math.floor(s / 3600)}h ${Math.floor(s % 3600 / 60)}m` : s >= 60 ? `${Math.floor(s / 60)}m ${s % 60}s` : `${s}s` }

  const ms = v => v == null || Number.isNaN(v) ? '–' : v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(v < 10 ? 1 : 0)} ms`
  const pct = v => v == null || Number.isNaN(v) ? '–' : `${Math.round(v * 100)}%`
  const num = v => v == null || Number.isNaN(v) ? '–' : v >= 100 ? v.toFixed(0) : v.toFixed(1)

  // --- charts -------------------------------------------------------------------------------------------------

  const CHARTS = [
    { id: 'rps', title: 'Requests/s', series: [['rps', 'req/s', '#2563eb']], fmt: num },
    { id: 'latency', title: 'Latency (ms)', series: [['p50', 'p50', '#16a34a'], ['p95', 'p95', '#d97706'], ['p99', 'p99', '#dc2626']], fmt: ms },
    { id: 'hit', title: 'Cache hit ratio (%)', series: [['hitRatio', 'hit %', '#7c3aed']], scale: v => v == null ? null : v * 100, fmt: v => v == null ? '–' : `${Math.round(v)}%`, range: [0, 100] },
    { id: 'errors', title: '429s and upstream errors /s', series: [['limited', '429/s', '#d97706'], ['upstreamErrors', 'upstream errors/s', '#dc2626']], fmt: num },
    { id: 'upstream', title: 'Upstream latency (ms)', series: [['upstreamP50', 'p50', '#0891b2'], ['upstreamP95', 'p95', '#be185d']], fmt: ms },
    { id: 'queue', title: 'Job queue depth', series: [['queueDepth', 'jobs waiting', '#4b5563']], fmt: num, offNote: 'off until a jobs plugin runs' }
  ]

  let columns = null
  const plots = []

  function emptyColumns () {
    return { t: [], rps: [], p50: [], p95: [], p99: [], hitRatio: [], limited: [], upstreamErrors: [], upstreamP50: [], upstreamP95: [], queueDepth: [] }
  }

  function chartData (c) {
    return [columns.t, ...c.series.map(([key]) => c.scale ? columns[key].map(c.scale) : columns[key])]
  }

  function chartWidth (box) {
    return Math.max(260, box.clientWidth - 4)
  }

  function createCharts () {
    const host = $('charts')
    for (const c of CHARTS) {
      const box = el('div', { class: 'chart', id: `chart-${c.id}`, 'data-points': '0', 'data-sum': '0' },
        el('h3', {}, c.title), el('span', { class: 'now' }, ''))
      host.append(box)
      const opts = {
        width: chartWidth(box),
        height: 170,
        cursor: { drag: { x: false, y: false } },
        legend: { show: true, live: true },
        scales: { x: { time: true }, y: c.range ? { range: c.range } : { range: (u, min, max) => [0, Math.max(1, max * 1.1)] } },
        series: [{ value: (u, v) => v == null ? '' : new Date(v * 1000).toLocaleTimeString() },
          ...c.series.map(([, label, stroke]) => ({ label, stroke, width: 1.5, spanGaps: false, value: (u, v) => c.fmt(v) }))],
        axes: [{ space: 60 }, { size: 50, values: (u, vals) => vals.map(v => c.range ? `${v}` : num(v)) }]
      }
      const plot = new uPlot(opts, chartData(c), box)
      plots.push({ c, plot, box })
    }
    window.addEventListener('resize', () => {
      for (const p of plots) p.plot.setSize({ width: chartWidth(p.box), height: 170 })
    })
  }

  function redraw () {
    for (const p of plots) {
      p.plot.setData(chartData(p.c))
      const first = columns[p.c.series[0][0]]
      let sum = 0
      let seen = false
      for (const v of first) if (v != null && !Number.isNaN(v)) { sum += v; seen = true }
      const last = first.length > 0 ? first[first.length - 1] : null
      p.box.dataset.points = String(first.length)
      p.box.dataset.sum = String(sum)
      const nowText = p.c.offNote && !seen ? p.c.offNote : `now ${p.c.fmt(p.c.scale && last != null ? p.c.scale(last) : last)}`
      p.box.querySelector('.now').textContent = nowText
    }
  }

  function append (rows) {
    const last = columns.t.length > 0 ? columns.t[columns.t.length - 1] : -Infinity
    for (let i = 0; i < rows.t.length; i++) {
      if (rows.t[i] <= last) continue
      for (const k of Object.keys(columns)) columns[k].push(rows[k][i])
    }
    const cutoff = columns.t.length > 0 ? columns.t[columns.t.length - 1] - HISTORY : 0
    let drop = 0
    while (drop < columns.t.length && columns.t[drop] <= cutoff) drop++
    if (drop > 0) for (const k of Object.keys(columns)) columns[k].splice(0, drop)
    redraw()
  }

  function setLive (state, text) {
    const b = $('live')
    b.className = `badge ${state}`
    b.textContent = text
  }

  function startLive (livePath, seriesPath) {
    columns = emptyColumns()
    createCharts()
    if (typeof EventSource === 'function') {
      const es = new EventSource(livePath)
      es.addEventListener('series', ev => { columns = emptyColumns(); append(JSON.parse(ev.data)); setLive('green', 'live') })
      es.addEventListener('tick', ev => { append(JSON.parse(ev.data)); setLive('green', 'live') })
      es.addEventListener('error', () => { setLive('amber', 'reconnecting…') })
      return
    }
    // No EventSource: poll the rows after the last one we have.
    setInterval(async () => {
      const since = columns.t.length > 0 ? columns.t[columns.t.length - 1] : ''
      try {
        append((await api(`${seriesPath}?since=${since}`)).series)
        setLive('green', 'live (polling)')
      } catch { setLive('amber', 'reconnecting…') }
    }, 1000)
  }

  // --- overview: health, recommendations, top routes ------------------------------------------------------------

  function renderHealth (lights) {
    $('health').replaceChildren(...lights.map(h =>
      el('li', { class: `light ${h.light}`, 'data-name': h.name }, el('span', { class: 'dot' }, ''), el('strong', {}, h.title), el('span', { class: 'reason' }, h.reason))))
  }

  function renderFeatures (features) {
    $('features').replaceChildren(...features.map(f => el('span', { class: `badge ${f.state === 'on' ? 'green' : f.state === 'degraded' ? 'amber' : 'grey'}`, title: f.detail }, `${f.name}: ${f.state}`)))
  }

  function renderRecommendations (recs, hasTraffic) {
    if (recs.length === 0) {
      $('recommendations').replaceChildren(el('li', { class: 'muted' }, hasTraffic ? 'Nothing to do: all looks fine.' : 'Waiting for traffic…'))
      return
    }
    $('recommendations').replaceChildren(...recs.map(r => el('li', { class: `rec ${r.severity}` }, el('strong', {}, r.title), el('span', {}, r.action))))
  }

  function renderTable (id, rows, cells) {
    const tbody = $(id).querySelector('tbody')
    if (rows.length === 0) {
      tbody.replaceChildren(el('tr', {}, el('td', { class: 'muted', colSpan: 6 }, 'no traffic yet')))
      return
    }
    tbody.replaceChildren(...rows.map(r => el('tr', {}, ...cells(r).map(v => el('td', {}, v)))))
  }

  async function refreshOverview () {
    try {
      const o = await api(`${PREFIX}/api/overview`)
      renderHealth(o.health)
      renderFeatures(o.features)
      renderRecommendations(o.recommendations, o.traffic !== null && o.traffic.total.requests > 0)
      if (o.traffic !== null) {
        const s = o.traffic.seconds
        renderTable('slow-routes', o.traffic.slow, r => [r.route, num(r.rps), ms(r.p50), ms(r.p95), ms(r.upstreamP95), String(r.errors)])
        renderTable('uncached-routes', o.traffic.uncached, r => [r.route, num(r.upstream / s), pct(r.hitRatio), r.originResponses > 0 ? pct(r.originUncacheable / r.originResponses) : '–'])
        // Under server.workers every figure is the whole node's (the primary adds the workers up).
        const n = o.traffic.workers.length
        $('node-scope').textContent = n > 1 ? `(whole node: ${n} workers)` : ''
      }
    } catch (err) {
      renderHealth([{ name: 'admin', title: 'Dashboard', light: 'red', reason: `cannot load the overview: ${err.message}` }])
    }
  }

  // --- action panels ----------------------------------------------------------------------------------------------

  function setupPurge (cache) {
    $('purge-off').hidden = cache.available
    $('purge-form').hidden = !cache.available
    if (!cache.available || $('purge-form').dataset.ready === '1') return
    $('purge-form').dataset.ready = '1'
    $('purge-form').addEventListener('submit', async ev => {
      ev.preventDefault()
      const kind = $('purge-kind').value
      const value = $('purge-value').value.trim()
      if (value === '') return
      const body = kind === 'prefix' || kind === 'regex' ? { [kind]: value } : { [kind]: value.split(/[\s,]+/).filter(Boolean) }
      const out = $('purge-result')
      out.className = 'result'
      out.textContent = 'purging…'
      try {
        const res = await post(cache.api.purge, body)
        out.className = 'result ok'
        out.textContent = `purged ${res && res.purged != null ? res.purged : ''} ${kind === 'urls' ? 'URL' : kind}: ${value}`.replace('  ', ' ')
      } catch (err) {
        out.className = 'result error'
        out.textContent = `purge failed: ${err.message}`
      }
    })
  }

  function listOf (body, key) {
    if (Array.isArray(body)) return body
    return body && Array.isArray(body[key]) ? body[key] : []
  }

  async function refreshJobs (jobs) {
    $('jobs-off').hidden = jobs.available
    $('jobs').hidden = !jobs.available
    if (!jobs.available) return
    try {
      const failed = listOf(await api(jobs.api.failed), 'jobs')
      const act = async (path, payload, label) => {
        try { await post(path, payload); await refreshJobs(jobs) } catch (err) { window.alert(`${label} failed: ${err.message}`) }
      }
      const header = el('p', {}, `${failed.length} failed job(s) `,
        failed.length > 0 ? el('button', { type: 'button', onclick: () => act(jobs.api.retry, { all: true }, 'retry all') }, 'Retry all') : '')
      const rows = failed.map(j => el('tr', {},
        el('td', {}, String(j.queue ?? '')), el('td', {}, String(j.name ?? j.id)), el('td', {}, String(j.error ?? '')),
        el('td', {}, el('button', { type: 'button', onclick: () => act(jobs.api.retry, { ids: [j.id] }, 'retry') }, 'Retry'), ' ',
          el('button', { type: 'button', onclick: () => act(jobs.api.delete, { ids: [j.id] }, 'delete') }, 'Delete'))))
      $('jobs').replaceChildren(header, el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, 'queue'), el('th', {}, 'job'), el('th', {}, 'error'), el('th', {}, ''))), el('tbody', {}, ...rows)))
    } catch (err) {
      $('jobs').replaceChildren(el('p', { class: 'result error' }, `cannot load failed jobs: ${err.message}`))
    }
  }

  // DB panel: the latest analysis's suggestions with their evidence, apply behind a confirmation (the CSRF header
  // comes with post()), and the changes the sidecar made with their measured gain and an undo.
  async function refreshDb (db) {
    $('db-off').hidden = db.available
    $('db').hidden = !db.available
    if (!db.available) return
    const act = async (path, payload, label, question) => {
      if (!window.confirm(question)) return
      try {
        const res = await post(path, payload)
        const c = res && res.change
        if (c && c.verdict) window.alert(`${label}: ${c.index} on ${c.table}, ${c.verdict}${c.speedup ? ` (${c.speedup.toFixed(1)}x)` : ''}`)
        await refreshDb(db)
      } catch (err) { window.alert(`${label} failed: ${err.message}`) }
    }
    try {
      const [body, changes] = await Promise.all([api(db.api.suggestions), db.api.changes ? api(db.api.changes) : null])
      const suggestions = listOf(body, 'suggestions')
      const a = body && body.analysis
      const analyze = el('button', { type: 'button', onclick: () => act(db.api.analyze, {}, 'analyze', 'Sample the workload now (processlist and the configured sources)?') }, 'Analyze now')
      const head = el('p', { class: 'muted' }, a ? `analysis #${a.id} at ${a.createdAt} by ${a.createdBy}: ${suggestions.length} suggestion(s) ` : 'No analysis yet. ', db.api.analyze ? analyze : '')
      const items = suggestions.map(s => el('li', { 'data-id': s.id },
        el('strong', {}, String(s.title ?? s.id)), el('p', {}, String(s.reason ?? '')),
        el('ul', { class: 'evidence' }, ...(s.shapes || []).map(h => el('li', {},
          el('code', {}, String(h.text).slice(0, 160)),
          ` ${h.count}x, ${ms(h.totalMs)} total; ${h.problem}; rows ${h.rowsExaminedNow ?? '?'} → ~${h.rowsEstimatedAfter ?? '?'}`))),
        el('code', { class: 'ddl' }, String(s.ddl ?? '')),
        ...(s.caveats || []).map(c => el('p', { class: 'muted' }, c)),
        s.appliedChange ? el('span', { class: 'muted' }, `applied as change #${s.appliedChange}`)
          : s.applicable ? el('button', { type: 'button', onclick: () => act(db.api.apply, { id: s.id }, 'apply', `Apply on the live database?\n\n${s.ddl}`) }, 'Apply…') : el('span', { class: 'muted' }, 'report only')))
      const list = listOf(changes, 'changes')
      const rows = list.map(c => el('tr', {},
        el('td', {}, `#${c.id}`), el('td', {}, `${c.table}.${c.index}`), el('td', {}, c.speedup ? `${c.speedup.toFixed(1)}x` : '–'),
        el('td', {}, `${c.verdict}, ${c.status}`), el('td', {}, `${c.appliedBy} ${c.appliedAt}`),
        el('td', {}, c.status === 'applied' ? el('button', { type: 'button', onclick: () => act(db.api.undo, { id: c.id }, 'undo', `Undo change #${c.id}?\n\n${c.undoDdl}`) }, 'Undo…') : '')))
      $('db').replaceChildren(head,
        suggestions.length === 0 ? el('p', { class: 'muted' }, 'No suggestions right now.') : el('ul', { class: 'suggestions' }, ...items),
        list.length === 0 ? '' : el('table', { class: 'changes' }, el('thead', {}, el('tr', {}, ...['change', 'index', 'gain', 'verdict', 'applied', ''].map(h => el('th', {}, h)))), el('tbody', {}, ...rows)))
    } catch (err) {
      $('db').replaceChildren(el('p', { class: 'result error' }, `cannot load DB suggestions: ${err.message}`))
    }
  }

  // Bans panel: who the rate limiter bans right now, with an Unban button (DELETE, CSRF header from del()).
  async function refreshBans (bans) {
    $('bans-off').hidden = bans.available
    $('bans').hidden = !bans.available
    if (!bans.available) return
    try {
      const body = await api(bans.api.list)
      const list = listOf(body, 'bans')
      const unban = async client => {
        if (!window.confirm(`Lift the ban of ${client}?`)) return
        try { await del(bans.api.unban.replace(':ip', encodeURIComponent(client))); await refreshBans(bans) } catch (err) { window.alert(`unban failed: ${err.message}`) }
      }
      const where = body.store === 'redis' ? 'shared by every instance (Redis)' : 'this instance only (memory)'
      const head = el('p', { class: 'muted' }, body.enabled ? `${list.length}${body.truncated ? '+' : ''} ban(s) in force, ${where}.` : 'Bans are off (rateLimit.bans.enabled: false).',
        body.exempt && body.exempt.length > 0 ? ` Never banned: ${body.exempt.join(', ')}.` : '')
      const rows = list.map(b => el('tr', { 'data-client': b.client },
        el('td', {}, b.client), el('td', {}, left(b.remainingMs)), el('td', {}, b.store),
        el('td', {}, el('button', { type: 'button', class: 'unban', onclick: () => unban(b.client) }, 'Unban'))))
      $('bans').replaceChildren(head, list.length === 0 ? el('p', { class: 'muted' }, 'Nobody is banned.')
        : el('table', {}, el('thead', {}, el('tr', {}, ...['client', 'left', 'store', ''].map(h => el('th', {}, h)))), el('tbody', {}, ...rows)))
    } catch (err) {
      $('bans').replaceChildren(el('p', { class: 'result error' }, `cannot load bans: ${err.message}`))
    }
  }

  // Fleet panel: one row per sidecar node from the Redis heartbeats; a node that stopped reporting is marked.
  const FLEET_STATE = { up: ['green', 'up'], stale: ['red', 'stopped reporting'], stopped: ['grey', 'stopped'] }
  async function refreshFleet (fleet) {
    try {
      const v = await api(fleet.api.list)
      $('fleet-note').textContent = v.shared
        ? `${v.nodes.length} node(s) seen; one that has not reported for ${left(v.staleAfterMs)} is marked "stopped reporting".`
        : `Only this instance: ${v.reason}`
      $('fleet').querySelector('tbody').replaceChildren(...v.nodes.map(n => {
        const [colour, label] = FLEET_STATE[n.state] || ['grey', n.state]
        const pids = n.instances.map(i => `${i.pid}${i.state === 'up' ? '' : ` (${FLEET_STATE[i.state][1]})`}`).join(', ')
        return el('tr', { class: `fleet-${n.state}`, 'data-node': n.node, 'data-state': n.state },
          el('td', { title: `pids ${pids}` }, n.node, n.self ? ' (this one)' : ''),
          el('td', {}, el('span', { class: `badge ${colour}` }, label)),
          el('td', {}, n.version),
          el('td', {}, n.state === 'up' ? left(n.uptimeSeconds * 1000) : '–'),
          el('td', {}, num(n.rps)), el('td', {}, pct(n.hitRatio)),
          el('td', {}, `${n.workers.reporting}/${n.workers.configured}`),
          el('td', {}, `${left(n.ageMs)} ago`))
      }))
    } catch (err) {
      $('fleet-note').textContent = `cannot load the fleet: ${err.message}`
    }
  }

  async function refreshPanels () {
    const p = await api(`${PREFIX}/api/panels`)
    setupPurge(p.cache)
    await Promise.all([refreshJobs(p.jobs), refreshDb(p.db), refreshBans(p.bans), refreshFleet(p.fleet)])
    return p
  }

  async function main () {
    const p = await refreshPanels()
    if (p.metrics.available) startLive(p.metrics.api.live, p.metrics.api.series)
    else { $('metrics-off').hidden = false; setLive('grey', 'metrics off') }
    api(`${PREFIX}/api/config`).then(c => { $('config').textContent = JSON.stringify(c, null, 2) }, err => { $('config').textContent = err.message })
    await refreshOverview()
    setInterval(refreshOverview, OVERVIEW_EVERY_MS)
    setInterval(() => { refreshPanels().catch(() => {}) }, PANELS_EVERY_MS)
  }

  main().catch(err => { setLive('red', `error: ${err.message}`) })
})()
