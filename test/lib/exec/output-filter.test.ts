import {describe, expect, it} from 'vitest'

import {SessionOutputFilter} from '../../../src/lib/exec/output-filter.js'

function run(chunks: string[]): {out: string; err: string; exit: number | undefined; writes: string[]} {
  let out = ''
  let err = ''
  const writes: string[] = []
  const f = new SessionOutputFilter(
    (t) => {
      out += t
      writes.push(t)
    },
    (t) => {
      err += t
    },
  )
  for (const c of chunks) f.push(c)
  f.end()
  return {out, err, exit: f.exitCode, writes}
}

/** Every way of cutting the text in two. */
const splits = (text: string): string[][] =>
  Array.from({length: text.length + 1}, (_, i) => [text.slice(0, i), text.slice(i)])

const SESSION = '\r\nStarting session with SessionId: ecs-execute-command-0abc\r\n'
const REMOTE = 'Operations to perform:\r\n  Applying users.0042_profile... OK\r\n'
const MARKER = '__ALLTHRIVE_EXIT=3\r\n'
const END = '\r\n\r\nExiting session with sessionId: ecs-execute-command-0abc.\r\n\r\n'

describe('SessionOutputFilter', () => {
  it("reads the exit status, drops its line, and moves the plugin's own lines to stderr, however the output is cut", () => {
    for (const chunks of splits(SESSION + REMOTE + MARKER + END)) {
      const r = run(chunks)
      expect(r.exit).toBe(3)
      expect(r.out).toBe('\r\n' + REMOTE + '\r\n\r\n\r\n')
      expect(r.err).toBe(
        'Starting session with SessionId: ecs-execute-command-0abc\r\nExiting session with sessionId: ecs-execute-command-0abc.\r\n',
      )
    }
  })

  it('passes text without a newline through at once (progress dots), holding back only a possible marker start', () => {
    const r = run(['  Applying x...', ' OK\r\n__ALL', 'THRIVE_EXIT=0\n'])
    expect(r.writes).toEqual(['  Applying x...', ' OK\r\n'])
    expect(r.exit).toBe(0)
  })

  it('finds the marker after output that did not end its line', () => {
    const r = run(['no newline at end__ALLTHRIVE_EXIT=1\r\n'])
    expect(r).toMatchObject({out: 'no newline at end', exit: 1})
  })

  it('takes a marker the stream ended on without a newline', () => {
    expect(run(['done\n__ALLTHRIVE_EXIT=42'])).toMatchObject({out: 'done\n', exit: 42})
  })

  it('leaves look-alikes in the output and reports no status when there is none', () => {
    const text = '__ALLTHRIVE_EXIT=abc\n__ALLTHRIVE_EXIT=\nplain __ALL\n'
    for (const chunks of splits(text))
      expect(run(chunks)).toEqual(expect.objectContaining({out: text, exit: undefined}))
  })

  it('keeps the last status when the marker appears twice', () => {
    expect(run(['__ALLTHRIVE_EXIT=0\n', 'x\n__ALLTHRIVE_EXIT=5\n']).exit).toBe(5)
  })
})
