import {afterEach, describe, expect, it, vi} from 'vitest'

import {EXIT_INTERRUPTED, stdoutSink, watchInterrupts} from '../../../src/lib/logs/output.js'
import {T0, TASK_A} from './fakes.js'

afterEach(() => vi.restoreAllMocks())

describe('watchInterrupts', () => {
  it('turns Ctrl+C into an abort, and a second Ctrl+C into exit 130 at once', () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never)
    const interrupts = watchInterrupts()
    process.emit('SIGINT', 'SIGINT')
    expect(interrupts.signal.aborted).toBe(true)
    expect(interrupts.interrupted()).toBe(true)
    expect(exit).not.toHaveBeenCalled()
    process.emit('SIGINT', 'SIGINT')
    expect(exit).toHaveBeenCalledWith(EXIT_INTERRUPTED)
    interrupts.dispose()
  })

  it('stops quietly when the reader closes the pipe', () => {
    const interrupts = watchInterrupts()
    const sigint = process.listenerCount('SIGINT')
    process.stdout
      .listeners('error')
      .at(-1)!
      .call(process.stdout, Object.assign(new Error('write EPIPE'), {code: 'EPIPE'}))
    expect(interrupts.signal.aborted).toBe(true)
    expect(interrupts.interrupted()).toBe(false)
    interrupts.dispose()
    expect(process.listenerCount('SIGINT')).toBe(sigint - 1)
  })
})

describe('stdoutSink', () => {
  const line = {
    timestamp: T0,
    service: 'web',
    group: '/ecs/x-web',
    stream: `ecs/web/${TASK_A}`,
    taskId: TASK_A,
    message: 'hello\n',
  }

  it('writes NDJSON with --json and notices to stderr', async () => {
    const out = vi.spyOn(process.stdout, 'write').mockReturnValue(true)
    const err = vi.spyOn(process.stderr, 'write').mockReturnValue(true)
    const sink = stdoutSink({json: true, format: {color: false, prefixWidth: 12}, signal: new AbortController().signal})
    await sink.event(line)
    sink.notice('Log group /ecs/x-celery (celery) does not exist: skipped.')
    expect(out).toHaveBeenCalledWith(
      `{"timestamp":"2025-12-25T10:00:00.000Z","service":"web","group":"/ecs/x-web","stream":"ecs/web/${TASK_A}","taskId":"${TASK_A}","message":"hello"}\n`,
    )
    expect(err).toHaveBeenCalledWith('Log group /ecs/x-celery (celery) does not exist: skipped.\n')
  })

  it('waits for a full pipe to drain before the next event', async () => {
    vi.spyOn(process.stdout, 'write').mockReturnValue(false)
    const sink = stdoutSink({
      json: false,
      format: {color: false, prefixWidth: 12},
      signal: new AbortController().signal,
    })
    let written = false
    const pending = Promise.resolve(sink.event(line)).then(() => (written = true))
    await new Promise((r) => setImmediate(r))
    expect(written).toBe(false)
    process.stdout.emit('drain')
    await pending
    expect(written).toBe(true)
  })
})
