import {describe, expect, it} from 'vitest'

import {limiter} from '../../src/util/concurrency.js'

/** A promise and the function that resolves it. */
function deferred(): {promise: Promise<void>; resolve: () => void} {
  let resolve: () => void = () => {}
  const promise = new Promise<void>((r) => (resolve = r))
  return {promise, resolve}
}

describe('limiter', () => {
  it('runs at most `limit` at once, the others in the order they came', async () => {
    const slot = limiter(2)
    const gates = Array.from({length: 4}, deferred)
    const started: number[] = []
    const runs = gates.map((g, i) =>
      slot(async () => {
        started.push(i)
        await g.promise
        return i
      }),
    )
    await Promise.resolve()
    expect(started).toEqual([0, 1])
    gates[1].resolve()
    await runs[1]
    await Promise.resolve()
    expect(started).toEqual([0, 1, 2])
    gates[0].resolve()
    gates[2].resolve()
    gates[3].resolve()
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3])
    expect(started).toEqual([0, 1, 2, 3])
  })

  it('frees the slot when a function throws', async () => {
    const slot = limiter(1)
    await expect(slot(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom')
    expect(await slot(async () => 'next')).toBe('next')
  })
})
