// A deterministic catalog of 500 products and the B2B price groups (A/B/C) that decide what a logged-in user pays.
import { createHash } from 'node:crypto'

export interface Product {
  id: number
  name: string
  category: string
  /** Net list price in cents. */
  priceCents: number
  stock: number
  description: string
}

export type PriceGroup = 'A' | 'B' | 'C'

export const PRODUCT_COUNT = 500
export const CATEGORIES = ['fasteners', 'tools', 'hydraulics', 'electrical', 'safety', 'adhesives', 'bearings', 'pumps']
const ADJECTIVES = ['Heavy-duty', 'Compact', 'Industrial', 'Precision', 'Stainless', 'Galvanised', 'Pro', 'Eco']
const NOUNS = ['Bolt set', 'Torque wrench', 'Valve', 'Cable drum', 'Gloves', 'Epoxy', 'Ball bearing', 'Pump']
const GROUP_DISCOUNT: Record<PriceGroup, number> = { A: 0, B: 0.07, C: 0.15 }

const products: Product[] = []
for (let id = 1; id <= PRODUCT_COUNT; id++) {
  const c = id % CATEGORIES.length
  products.push({
    id,
    name: `${ADJECTIVES[(id * 7) % ADJECTIVES.length]} ${NOUNS[c]} ${100 + id}`,
    category: CATEGORIES[c],
    priceCents: 199 + ((id * 7919) % 48000),
    stock: (id * 31) % 120,
    description: `Article ${id}: supplied in cartons, delivered within ${1 + (id % 5)} working days.`
  })
}

export function getProduct (id: number): Product | undefined {
  return Number.isInteger(id) && id >= 1 && id <= PRODUCT_COUNT ? products[id - 1] : undefined
}

export function listProducts (category: string | undefined): Product[] {
  return category === undefined || category === '' ? products : products.filter(p => p.category === category)
}

export function searchProducts (q: string): Product[] {
  const needle = q.toLowerCase()
  return needle === '' ? [] : products.filter(p => p.name.toLowerCase().includes(needle)).slice(0, 50)
}

/** Stands in for an admin edit: the next render shows the new price. */
export function updateProductPrice (id: number, priceCents: number): Product | undefined {
  const p = getProduct(id)
  if (p !== undefined) p.priceCents = priceCents
  return p
}

/** `userN` belongs to group A, B or C by N % 3. */
export function priceGroupOf (username: string): PriceGroup {
  const n = Number(/^user(\d+)$/.exec(username)?.[1] ?? 0)
  return (['A', 'B', 'C'] as const)[n % 3]
}

export function priceFor (p: Product, group: PriceGroup | null): number {
  return group === null ? p.priceCents : Math.round(p.priceCents * (1 - GROUP_DISCOUNT[group]))
}

export function formatPrice (cents: number): string {
  return `€ ${(cents / 100).toFixed(2)}`
}

/** What the sidecar's context-keyed cache varies on: users of one price group see the same pages. */
export function contextHash (group: PriceGroup | null): string {
  if (group === null) return 'anonymous'
  return createHash('sha256').update(`price-group:${group}`).digest('hex').slice(0, 32)
}

/** Credentials the demo accepts: any `userN` (N a number) with password `secret`. */
export function checkCredentials (username: string, password: string): boolean {
  return /^user\d{1,9}$/.test(username) && password === 'secret'
}
