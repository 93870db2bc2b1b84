import {execFileSync} from 'node:child_process'
import {describe, expect, it} from 'vitest'

import {EXIT_MARKER, wrapWithExitMarker} from '../../../src/lib/exec/command-line.js'
import {shJoin, shq} from '../../../src/util/shell.js'

/** What a POSIX shell makes of a command line: its words (the SSM agent splits the same way, with google/shlex). */
const shellWords = (line: string): string[] =>
  execFileSync('sh', ['-c', `set -- ${line}; printf '%s\\0' "$@"`], {encoding: 'utf8'})
    .split('\0')
    .slice(0, -1)

describe('quoting the ExecuteCommand command line', () => {
  it('leaves plain words alone and single-quotes the rest', () => {
    expect(shJoin(['python', 'manage.py', 'migrate', '--noinput'])).toBe('python manage.py migrate --noinput')
    expect(shq('')).toBe("''")
    expect(shq('a b')).toBe("'a b'")
    expect(shq("it's")).toBe(String.raw`'it'\''s'`)
    expect(shq('#comment')).toBe("'#comment'")
  })

  it.each([
    [['python', 'manage.py', 'shell', '-c', 'print("hi"); import os'], 'quotes and semicolons'],
    [['echo', "it's", '$HOME', '`id`', 'a\\b', '*', '#x', ''], 'quotes, expansions, globs, comments, empty'],
    [['printf', '%s\n', 'tab\there'], 'control characters'],
  ])('round-trips through sh: %s', (argv) => {
    expect(shellWords(shJoin(argv))).toEqual(argv)
  })

  it('wraps a command so that sh prints its exit status last', () => {
    const line = wrapWithExitMarker(['sh', '-c', 'echo out; exit 3'])
    expect(line).toBe(`sh -c 'sh -c '\\''echo out; exit 3'\\''; echo ${EXIT_MARKER}$?'`)
    const words = shellWords(line)
    expect(words.slice(0, 2)).toEqual(['sh', '-c'])
    expect(execFileSync(words[0], words.slice(1), {encoding: 'utf8'})).toBe(`out\n${EXIT_MARKER}3\n`)
  })
})
