// The registry entry: one line in src/plugins/registry.ts's list adds the capability, its config section and its
// command. Nothing in the core changes.
import { definePlugin } from '../../../src/plugins/plugin-entry.js'
import { HelloSchema } from './schema.js'

export const helloEntry = definePlugin({
  key: 'hello',
  title: 'hello',
  schema: HelloSchema,
  load: () => import('./index.js'),
  commands: [{ name: 'hello', summary: 'say hello', load: () => import('./commands/hello.js') }]
})
