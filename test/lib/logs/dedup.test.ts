import {describe, expect, it} from 'vitest'

import {contentKey, idKey, RecentKeys} from '../../../src/lib/logs/dedup.js'
import {T0, TASK_A} from './fakes.js'

describe('RecentKeys', () => {
  it('forgets keys of events older than a cutoff', () => {
    const keys = new RecentKeys()
    keys.add('a', T0 - 61_000)
    keys.add('b', T0 - 10_000)
    keys.evictBefore(T0 - 60_000)
    expect([keys.has('a'), keys.has('b'), keys.size]).toEqual([false, true, 1])
  })

  it('keeps at most `max` keys, dropping the oldest added', () => {
    const keys = new RecentKeys(3)
    for (const k of ['a', 'b', 'c', 'd']) keys.add(k, T0)
    expect([keys.has('a'), keys.has('d'), keys.size]).toEqual([false, true, 3])
  })
})

describe('event keys', () => {
  const line = {
    timestamp: T0,
    service: 'web',
    group: '/ecs/x-web',
    stream: `ecs/web/${TASK_A}`,
    taskId: TASK_A,
    message: 'hello',
  }

  it('use the event id when there is one, else group, stream, time and message', () => {
    expect(idKey({...line, eventId: '42'})).toBe('i:/ecs/x-web:42')
    expect(idKey(line)).toBeUndefined()
    expect(contentKey(line)).toBe(contentKey({...line, eventId: '42'}))
    expect(contentKey(line)).not.toBe(contentKey({...line, message: 'hello!'}))
    expect(contentKey(line)).not.toBe(contentKey({...line, timestamp: T0 + 1}))
  })
})
