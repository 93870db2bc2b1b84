/**
 * The wall clock every command reads "now" from (time windows, expiry, month-to-date,
 * price dates). One injection point, so a test fixes the date instead of reading today's.
 * Elapsed-time measurements (durations, timeouts) keep using Date.now() directly.
 */
export type Clock = () => Date

const systemClock: Clock = () => new Date()
let current: Clock = systemClock

/** The current time of the injected clock (the system clock unless a test set one). */
export const now = (): Date => current()

/** Replace the clock (tests); with no argument, go back to the system clock. */
export function setClock(clock?: Clock | Date): void {
  if (clock instanceof Date) {
    const fixed = clock.getTime()
    current = () => new Date(fixed)
  } else {
    current = clock ?? systemClock
  }
}
