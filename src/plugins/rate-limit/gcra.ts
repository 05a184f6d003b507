// GCRA (generic cell rate algorithm), the arithmetic shared by the memory store and mirrored line for line by the
// Redis script (redis-script.ts). A counter is one number, its TAT ("theoretical arrival time"): the moment it
// would be full again. A limit of L per window W gives one unit back every I = W / L; the counter holds at most L
// units, and a request may take one when TAT - now <= W - I, i.e. when (now + W - TAT) / I >= 1.

/** Float slack so that L requests fit exactly even when W / L is not a whole number of ms. */
export const EPSILON = 1e-9

/** Units available at `now` for a counter whose TAT is `tat` (never below now). */
export function available (tat: number, now: number, windowMs: number, intervalMs: number): number {
  return Math.floor((now + windowMs - tat) / intervalMs + EPSILON)
}

/** Ms until one unit is available for a counter at `tat` (0 when one is available now). */
export function retryAfter (tat: number, now: number, windowMs: number, intervalMs: number): number {
  return Math.max(0, Math.ceil(tat + intervalMs - windowMs - now - EPSILON))
}
