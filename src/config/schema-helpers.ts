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
