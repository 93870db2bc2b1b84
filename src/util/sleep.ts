/**
 * The one way the CLI waits. An abort ends the wait at once and quietly (the promise resolves):
 * the caller decides what the abort means, by checking `signal.aborted` (a loop that stops) or
 * calling `signal.throwIfAborted()` (a flow that unwinds). Uses the global setTimeout, so fake
 * timers drive it; a delay past 2^31-1 ms (where setTimeout would fire at once) waits until aborted.
 */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>

export const sleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve()
    const done = (): void => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }

    const timer = Number.isFinite(ms) && ms <= 2_147_483_647 ? setTimeout(done, ms) : undefined
    signal?.addEventListener('abort', done, {once: true})
  })

/**
 * Elapsed time and waiting for polling loops (logs tail, migrate), injectable so a test runs a loop
 * instantly. Not the wall clock of util/clock.ts: `now()` here measures intervals.
 */
export interface Ticker {
  now(): number
  sleep: Sleep
  /** In [0, 1): jitter. */
  random(): number
}

export const systemTicker: Ticker = {now: () => Date.now(), sleep, random: () => Math.random()}
