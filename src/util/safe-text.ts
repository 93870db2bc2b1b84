/**
 * Text from AWS (log lines, stop reasons, tags, names) shown in a human format must never drive the terminal: an
 * escape sequence in a log event could clear the screen, retitle the window, write the clipboard (OSC 52) or hide
 * text. Control characters are shown as visible escapes (`\x1b`, `\x07`, `\u202e`) instead. --json keeps the exact
 * text (JSON escapes control characters itself).
 */

// C0 controls except tab, newline and CRLF, DEL, C1 controls, and the Unicode bidi overrides and isolates
// (text that reads differently than it runs).
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]|\r(?!\n)/g
// eslint-disable-next-line no-control-regex
const UNSAFE_ONE_LINE = /[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g

const visible = (c: string): string => {
  const code = c.codePointAt(0)!
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`
}

/** Control characters shown visibly; tabs and line breaks (LF, CRLF) kept (multi-line text: details, tracebacks). */
export const safeText = (s: string): string => s.replace(UNSAFE, visible)

/** Control characters shown visibly, line breaks and tabs too: for one-line fields (a summary, a table cell). */
export const safeLine = (s: string): string => s.replace(UNSAFE_ONE_LINE, visible)
