import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest'

import {sleep, systemTicker} from '../../src/util/sleep.js'

describe('sleep', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  const settled = (p: Promise<void>): {done: boolean} => {
    const state = {done: false}
    p.then(() => (state.done = true))
    return state
  }

  it('resolves after the delay', async () => {
    const s = settled(sleep(1000))
    await vi.advanceTimersByTimeAsync(999)
    expect(s.done).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    expect(s.done).toBe(true)
  })

  it('resolves at once, quietly, when the signal aborts, and leaves no timer behind', async () => {
    const controller = new AbortController()
    const s = settled(sleep(60_000, controller.signal))
    await vi.advanceTimersByTimeAsync(10)
    controller.abort()
    await vi.advanceTimersByTimeAsync(0)
    expect(s.done).toBe(true)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('does not wait at all on a signal that has already aborted', async () => {
    const controller = new AbortController()
    controller.abort()
    await expect(sleep(60_000, controller.signal)).resolves.toBeUndefined()
    expect(vi.getTimerCount()).toBe(0)
  })

  it('waits until aborted for a delay setTimeout cannot hold (it would fire at once)', async () => {
    const controller = new AbortController()
    const s = settled(sleep(2 ** 31, controller.signal))
    await vi.advanceTimersByTimeAsync(3_000_000_000)
    expect(s.done).toBe(false)
    controller.abort()
    await vi.advanceTimersByTimeAsync(0)
    expect(s.done).toBe(true)
  })

  it('is the sleep of the system ticker', () => {
    expect(systemTicker.sleep).toBe(sleep)
  })
})
