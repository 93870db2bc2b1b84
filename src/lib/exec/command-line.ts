/**
 * The `command` string of ECS ExecuteCommand.
 *
 * In a container, the SSM agent splits that string with POSIX-shell rules (google/shlex:
 * whitespace, single and double quotes, backslash escapes, `#` comments) and execs the
 * words directly, without a shell, on a pseudo-terminal. So each word is quoted the POSIX
 * way, and shell features (`;`, `&&`, `$?`) need an explicit `sh -c`.
 */

import {shJoin} from '../../util/shell.js'

// The agent splits the string as sh does, so the words are quoted with util/shell's shJoin, as every printed command is.

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
  return shJoin(['sh', '-c', `${shJoin(argv)}; echo ${EXIT_MARKER}$?`])
}
