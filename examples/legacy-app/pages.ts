// HTML templates of the demo shop: deliberately plain server-rendered pages, like the PHP they stand in for.
import { CATEGORIES, formatPrice, priceFor, type PriceGroup, type Product } from './products.js'

export interface Viewer {
  user: string | null
  group: PriceGroup | null
}

export function escapeHtml (s: string): string {
  return s.replace(/[&<>"']/g, c => `&#${c.charCodeAt(0)};`)
}

/**
 * The page frame. Only per-user pages (`personal`: dashboard, orders, cached per session) name the user: every other
 * page may be cached per customer group (config/demo.yaml's `scope: context` rules), so its header shows only what the
 * whole group shares, as examples/legacy-php does. A name here would be served to the next user of the same group.
 */
export function layout (title: string, viewer: Viewer, body: string, personal = false): string {
  const who = personal ? `${escapeHtml(viewer.user ?? '')} (group ${viewer.group ?? '-'})` : `My account (group ${viewer.group ?? '-'})`
  const account = viewer.user === null
    ? '<a href="/login.php">Log in</a>'
    : `<a href="/dashboard.php">${who}</a>` +
      '<a href="/account/orders.php">Orders</a><a href="/logout.php">Log out</a>'
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} | Legacy Shop</title>
<link rel="stylesheet" href="/static/app.css"><script src="/static/app.js" defer></script></head>
<body><header><a href="/"><img src="/static/logo.svg" alt="Legacy Shop" width="120" height="28"></a>
<nav><a href="/catalog.php">Catalog</a><a href="/search.php">Search</a>${account}</nav></header>
<main><h1>${escapeHtml(title)}</h1>
${body}
</main><footer>&copy; <span data-year>2009</span> Legacy Shop GmbH. Powered by PHP/5.6.40.</footer></body></html>
`
}

export function productRows (products: Product[], group: PriceGroup | null): string {
  const rows = products.map(p => `<tr><td>${p.id}</td><td><a href="/product.php?id=${p.id}">${escapeHtml(p.name)}</a></td>` +
    `<td>${p.category}</td><td class="price">${formatPrice(priceFor(p, group))}</td></tr>`).join('\n')
  return `<table><thead><tr><th>#</th><th>Product</th><th>Category</th><th class="price">Price${group === null ? '' : ` (group ${group})`}</th></tr></thead>
<tbody>
${rows}
</tbody></table>`
}

export function homePage (viewer: Viewer, featured: Product[]): string {
  const cats = CATEGORIES.map(c => `<li><a href="/catalog.php?category=${c}">${c}</a></li>`).join('')
  return layout('Welcome', viewer, `<p>Industrial supplies for trade customers since 2009.</p>
<h2>Categories</h2><ul>${cats}</ul><h2>Featured</h2>${productRows(featured, viewer.group)}`)
}

export function catalogPage (viewer: Viewer, category: string, page: number, pages: number, items: Product[]): string {
  const q = category === '' ? '' : `category=${encodeURIComponent(category)}&amp;`
  const nav = `<p>Page ${page} of ${pages}` +
    (page > 1 ? ` <a href="/catalog.php?${q}page=${page - 1}">&laquo; previous</a>` : '') +
    (page < pages ? ` <a href="/catalog.php?${q}page=${page + 1}">next &raquo;</a>` : '') + '</p>'
  const title = category === '' ? 'Catalog' : `Catalog: ${category}`
  const hint = viewer.group === null ? '<p class="muted">Log in to see your trade prices.</p>' : ''
  return layout(title, viewer, `${hint}${productRows(items, viewer.group)}${nav}`)
}

export function productPage (viewer: Viewer, p: Product): string {
  return layout(p.name, viewer, `<p>${escapeHtml(p.description)}</p>
<p>Category: <a href="/catalog.php?category=${p.category}">${p.category}</a></p>
<p class="price">Price: <strong>${formatPrice(priceFor(p, viewer.group))}</strong>${viewer.group === null ? ' (list price)' : ` (your group ${viewer.group})`}</p>
<p>${p.stock > 0 ? `${p.stock} in stock` : 'Out of stock'}</p>`)
}

export function searchPage (viewer: Viewer, q: string, results: Product[]): string {
  return layout('Search', viewer, `<form action="/search.php"><input name="q" value="${escapeHtml(q)}"> <button>Search</button></form>
${q === '' ? '' : `<p>${results.length} result(s) for "${escapeHtml(q)}"</p>${productRows(results, viewer.group)}`}`)
}

export function loginPage (viewer: Viewer, error: string | null): string {
  return layout('Log in', viewer, `${error === null ? '' : `<p class="error">${escapeHtml(error)}</p>`}
<form class="login" method="post" action="/login.php"><label>Username<input name="username" autocomplete="username"></label>
<label>Password<input name="password" type="password" autocomplete="current-password"></label><button>Log in</button></form>
<p class="muted">Demo accounts: user1, user2, ... with password "secret".</p>`)
}

export function dashboardPage (viewer: Viewer, recent: Product[]): string {
  return layout('Your dashboard', viewer, `<p>Welcome back, ${escapeHtml(viewer.user ?? '')}. Your price group is <strong>${viewer.group ?? '-'}</strong>.</p>
<h2>Recently ordered</h2>${productRows(recent, viewer.group)}`, true)
}

export function ordersPage (viewer: Viewer, orders: Array<{ no: string, product: Product, qty: number }>): string {
  const rows = orders.map(o => `<tr><td>${o.no}</td><td><a href="/product.php?id=${o.product.id}">${escapeHtml(o.product.name)}</a></td>` +
    `<td>${o.qty}</td><td class="price">${formatPrice(priceFor(o.product, viewer.group) * o.qty)}</td></tr>`).join('\n')
  return layout('Your orders', viewer, `<table><thead><tr><th>Order</th><th>Product</th><th>Qty</th><th class="price">Total</th></tr></thead>
<tbody>${rows}</tbody></table>`, true)
}

export function notFoundPage (viewer: Viewer, what: string): string {
  return layout('Not found', viewer, `<p>${escapeHtml(what)}</p><p><a href="/catalog.php">Back to the catalog</a></p>`)
}

export function messagePage (viewer: Viewer, title: string, text: string): string {
  return layout(title, viewer, `<p>${escapeHtml(text)}</p>`)
}
