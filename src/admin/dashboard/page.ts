// The dashboard's HTML shell. Everything dynamic is fetched by dashboard.js; the page only carries the admin prefix
// and the CSRF token (in meta tags: the CSP allows no inline script).
export interface PageOptions {
  prefix: string
  csrfToken: string
  version: string
  /** Seconds of history the charts keep. */
  historySeconds: number
}

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

export function escapeHtml (s: string): string {
  return s.replace(/[&<>"']/g, c => ESCAPES[c])
}

export function renderPage (opts: PageOptions): string {
  const p = escapeHtml(opts.prefix)
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="admin-prefix" content="${p}">
<meta name="csrf-token" content="${escapeHtml(opts.csrfToken)}">
<meta name="history-seconds" content="${opts.historySeconds}">
<title>sipup-sidecar admin</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${p}/assets/uplot.css">
<link rel="stylesheet" href="${p}/assets/dashboard.css">
<script src="${p}/assets/uplot.js" defer></script>
<script src="${p}/assets/dashboard.js" defer></script>
</head>
<body>
<header>
  <h1>sipup-sidecar <small>v${escapeHtml(opts.version)}</small></h1>
  <span id="live" class="badge grey" title="live updates">connecting…</span>
  <span id="features" class="features"></span>
</header>
<main>
  <section class="panel wide" id="charts-panel">
    <h2>Last ${Math.round(opts.historySeconds / 60)} minutes <small id="node-scope" class="muted"></small></h2>
    <p id="metrics-off" class="muted" hidden>Metrics are off (metrics.enabled: false): no live charts.</p>
    <div id="charts" class="charts"></div>
  </section>
  <section class="panel wide" id="fleet-panel">
    <h2>Fleet <small class="muted">(every sidecar on this Redis)</small></h2>
    <p id="fleet-note" class="muted"></p>
    <table id="fleet"><thead><tr><th>node</th><th>state</th><th>version</th><th>uptime</th><th>req/s</th><th>hit ratio</th><th>workers</th><th>last beat</th></tr></thead><tbody></tbody></table>
  </section>
  <section class="panel" id="health-panel">
    <h2>Health</h2>
    <ul id="health" class="health"></ul>
  </section>
  <section class="panel" id="recommendations-panel">
    <h2>Recommendations</h2>
    <ul id="recommendations" class="recommendations"><li class="muted">Waiting for traffic…</li></ul>
  </section>
  <section class="panel" id="slow-panel">
    <h2>Top slow routes <small class="muted">(last 1–2 min)</small></h2>
    <table id="slow-routes"><thead><tr><th>route</th><th>req/s</th><th>p50</th><th>p95</th><th>upstream p95</th><th>5xx</th></tr></thead><tbody></tbody></table>
  </section>
  <section class="panel" id="uncached-panel">
    <h2>Top uncached routes <small class="muted">(reaching the origin)</small></h2>
    <table id="uncached-routes"><thead><tr><th>route</th><th>origin req/s</th><th>hit ratio</th><th>origin no-store</th></tr></thead><tbody></tbody></table>
  </section>
  <section class="panel" id="purge-panel">
    <h2>Purge the cache</h2>
    <p id="purge-off" class="muted" hidden>cache off: no cache plugin is serving, nothing to purge.</p>
    <form id="purge-form" hidden>
      <label>by <select id="purge-kind" name="kind"><option value="urls">URL</option><option value="prefix">prefix</option><option value="tags">tag</option><option value="regex">regex</option></select></label>
      <input id="purge-value" name="value" type="text" placeholder="/products/42.php" required autocomplete="off">
      <button id="purge-button" type="submit">Purge</button>
    </form>
    <p id="purge-result" class="result" role="status"></p>
  </section>
  <section class="panel" id="bans-panel">
    <h2>Rate-limit bans</h2>
    <p id="bans-off" class="muted">not enabled</p>
    <div id="bans" hidden></div>
  </section>
  <section class="panel" id="jobs-panel">
    <h2>Failed jobs</h2>
    <p id="jobs-off" class="muted">not enabled</p>
    <div id="jobs" hidden></div>
  </section>
  <section class="panel" id="db-panel">
    <h2>DB suggestions</h2>
    <p id="db-off" class="muted">not enabled</p>
    <div id="db" hidden></div>
  </section>
  <section class="panel wide" id="config-panel">
    <h2>Effective configuration <small class="muted">(secrets redacted)</small></h2>
    <pre id="config"></pre>
  </section>
</main>
</body>
</html>
`
}
