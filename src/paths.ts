// The package root, found once from this module's location so it is right both from src/ (tests) and dist/src/ (built).
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

function findRoot (start: string): string {
  let dir = start
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir)
    if (up === dir) throw new Error(`package.json not found above ${start}`)
    dir = up
  }
  return dir
}

export const packageRoot = findRoot(dirname(fileURLToPath(import.meta.url)))
export const defaultConfigFile = join(packageRoot, 'config', 'default.yaml')
