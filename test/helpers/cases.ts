// Runs several test files ("cases", `*.case.ts`) in one test process, each as a subtest named after its file.
// Why: every test process costs about 1 s of CPU before its first assertion (Node, tap's Test class, tap's module
// tracker, the app's imports), so many small files in one folder cost more to start than to run.
// A case file is written as a test file of its own, except that it imports its `t` from here instead of from tap:
// that `t` is the subtest the case runs in (a live binding, set before the case module is evaluated), so the case's
// top-level t.test / t.after / t.setTimeout apply to its own subtest, as they applied to its file's root before.
// Cases run one after another (one subtest at a time), so a case's tests and teardowns have all finished before the
// next case's module is even loaded.
import tap, { type Test } from 'tap'

let current: Test = tap
export { current as default }

// What tap gave each file as its own process (package.json "tap.timeout", in seconds); a case may raise its own.
const CASE_TIMEOUT_MS = Number(process.env.TAP_TIMEOUT ?? '30') * 1000

/** One subtest per case, in order; `load` imports the case module (evaluating it registers its tests). */
export function runCases (cases: Record<string, () => Promise<unknown>>): void {
  const names = Object.keys(cases)
  names.forEach((name, i) => {
    const later = CASE_TIMEOUT_MS * (names.length - 1 - i)
    tap.test(name, { timeout: CASE_TIMEOUT_MS }, async t => {
      current = t
      // The process may take what this case and the ones after it took as processes of their own (tap's timer
      // restarts with each call), also when the case raised its own timeout (t.setTimeout at its top level).
      tap.setTimeout(CASE_TIMEOUT_MS + later)
      await cases[name]()
      const own = t.options.timeout ?? 0
      if (own > CASE_TIMEOUT_MS) tap.setTimeout(own + later)
    })
  })
}
