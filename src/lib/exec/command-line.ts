/**
 * The `command` string of ECS ExecuteCommand.
 *
 * In a container, the SSM agent splits that string with POSIX-shell rules (google/shlex:
 * whitespace, single and double quotes, backslash escapes, `#` comments) and execs the
 * words directly, without a shell, on a pseudo-terminal. So each word is quoted the POSIX
 * way, and shell features (`;`, `&&`, `$?`) need an explicit `sh -c`.
 */

const SAFE_WORD = /^[\w@%+=:,./-]+$/

/** One word, quoted so that sh (and shlex) read it back unchanged: `it's` → `'it'\''s'`. */
export function quoteWord(word: string): string {
  if (word !== '' && SAFE_WORD.test(word)) return word
  return `'${word.replaceAll("'", String.raw`'\''`)}'`
}

/** Words joined into one command line: ['python', 'manage.py', 'shell', '-c', 'print(1)'] → `python manage.py shell -c 'print(1)'`. */
export const joinCommand = (argv: readonly string[]): string => argv.map((w) => quoteWord(w)).join(' ')

/**
 * The line the wrapped command prints last: `__ALLTHRIVE_EXIT=<status>`. ECS Exec does not
 * report the remote exit status (the session-manager-plugin exits 0 when the session ends
 * normally), so a one-off command is run as
 *   sh -c '<command>; echo __ALLTHRIVE_EXIT=$?'
 * and the status is read back from that line, which is removed from the output.
 */
export const EXIT_MARKER = '__ALLTHRIVE_EXIT='

/** argv → the ExecuteCommand command string that reports its exit status (needs `sh` in the image). */
export function wrapWithExitMarker(argv: readonly string[]): string {
  return joinCommand(['sh', '-c', `${joinCommand(argv)}; echo ${EXIT_MARKER}$?`])
}
