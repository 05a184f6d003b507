// The one DeepReadonly: what a frozen config section looks like to the code that reads it. Each plugin types its
// options as DeepReadonly<Static<typeof ItsSchema>>, so nothing needs the whole config's type.
export type DeepReadonly<T> = T extends (infer U)[] ? readonly DeepReadonly<U>[]
  : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T
