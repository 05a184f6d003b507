// Shorthands every config section uses: each key carries its description and default, so the generated
// config/default.yaml and docs/configuration.md can't miss one.
import { Type } from '@sinclair/typebox'

export const Str = (description: string, def: string) => Type.String({ description, default: def })
export const Bool = (description: string, def: boolean) => Type.Boolean({ description, default: def })
export const Int = (description: string, def: number, minimum: number, maximum?: number) =>
  Type.Integer({ description, default: def, minimum, ...(maximum === undefined ? {} : { maximum }) })
export const StrList = (description: string, def: string[]) =>
  Type.Array(Type.String({ minLength: 1 }), { description, default: def })
/** A list of addresses and CIDRs (src/config/address-list.ts); each entry is checked when the config loads. */
export const AddressList = (description: string, def: string[]) =>
  Type.Array(Type.String({ minLength: 1, 'x-address': true }), { description, default: def })

/** Cookie names or globs (`*` any run of characters, `?` one), matched as src/core/cookies.ts describes. */
export const CookieList = (description: string, def: string[]) => StrList(description, def)

/** One exact cookie name: `*` and `?` are refused, so a glob where only a name works is a config error. */
export const CookieName = (description: string, def: string) =>
  Type.String({ description, default: def, pattern: '^[^*?]*$' })

/** A cookie name or glob, or a list of them (the first that matches a cookie wins). */
export const CookieNames = (description: string, def: string) =>
  Type.Union([Type.String(), Type.Array(Type.String({ minLength: 1 }))], { description, default: def })

/** A rule's `cookies: {present, absent}` condition (src/core/cookies.ts CookieCondition). */
export const CookieConditions = () => Type.Object({
  present: CookieList('The rule applies only when at least one of these cookies (names or globs) is present with a ' +
    'value (empty = no such condition).', []),
  absent: CookieList('The rule applies only when none of these cookies (names or globs) is present with a value.', [])
}, {
  additionalProperties: false,
  description: 'Cookie conditions: names and globs (`SESS*`, `shop_logged_in_*`), matched as sent and as PHP ' +
    'reads them.',
  default: {}
})
