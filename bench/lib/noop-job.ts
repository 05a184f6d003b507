// The no-op job handler of bench/jobs (a `module` handler): counts its runs so the worker role knows when it is done.
const counter = globalThis as typeof globalThis & { sipupBenchJobs?: number }

export default async function noop (): Promise<null> {
  counter.sipupBenchJobs = (counter.sipupBenchJobs ?? 0) + 1
  return null
}
