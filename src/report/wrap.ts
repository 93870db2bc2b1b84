/**
 * Long lines of the human report: details and hints wrap at the terminal's width, and a hint that
 * holds several steps ("…; …", as checks join them) lists one per line. Commands are never broken:
 * a command starts a line of its own when it does not fit, and runs on whole (the terminal folds
 * it, and it still pastes as one line). The JSON, JUnit and Markdown reports keep whole strings.
 */

/** Tools a hint tells the user to run: a command starts with one of them as a word of its own. */
const COMMAND_START = /(?<=^|\s)(?:aws|allthrive|curl|psql|redis-cli|dig|openssl) [a-z-]/

// eslint-disable-next-line no-control-regex
const SGR = /\u001B\[[\d;]*m/g

/** Columns a string takes, colour codes left out. */
export const visibleWidth = (s: string): number => s.replaceAll(SGR, '').length

/** Splits at `sep` where it stands outside single or double quotes. */
function splitOutsideQuotes(text: string, sep: string): string[] {
  const parts: string[] = []
  let quote: string | undefined
  let start = 0
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (quote) {
      if (c === quote) quote = undefined
    } else if (c === '"' || c === "'") {
      // An apostrophe inside a word ("group's") opens no quote.
      if (c === '"' || i === 0 || /\s|=/.test(text[i - 1])) quote = c
    } else if (text.startsWith(sep, i)) {
      parts.push(text.slice(start, i))
      start = i + sep.length
      i += sep.length - 1
    }
  }

  parts.push(text.slice(start))
  return parts.map((p) => p.trim()).filter(Boolean)
}

/** The steps of a hint, one per line: it is split at "; " (outside quotes), the separator checks join hints with. */
export const hintSteps = (hint: string): string[] => splitOutsideQuotes(hint, '; ')

/**
 * The words of a text, a command kept as one unbreakable token: from its start to the end of the
 * text or to the first ", " outside quotes (", or fix alb.name…" goes back to prose).
 */
export function tokens(text: string): string[] {
  const m = COMMAND_START.exec(text)
  if (!m) return text.split(/\s+/).filter(Boolean)
  const [command, ...after] = splitOutsideQuotes(text.slice(m.index), ', ')
  const prose = text.slice(0, m.index).split(/\s+/).filter(Boolean)
  const rest = after.length > 0 ? tokens(after.join(', ')) : []
  // The comma that ended the command stays with it, as it was written.
  return [...prose, after.length > 0 ? `${command},` : command, ...rest]
}

/**
 * `text` as lines no wider than `width` (when given): the first starts with `first`, the others with
 * `rest` (an indent as wide as `first`, say). A token wider than the line stays whole on a line of its own.
 */
export function wrap(text: string, width: number | undefined, prefix: {first: string; rest: string}): string[] {
  if (!width || width <= 0) return [`${prefix.first}${text}`]
  const lines: string[] = []
  let line = prefix.first
  let empty = true
  for (const token of tokens(text)) {
    const fits = visibleWidth(line) + (empty ? 0 : 1) + token.length <= width
    if (empty || fits) {
      line += `${empty ? '' : ' '}${token}`
      empty = false
    } else {
      lines.push(line)
      line = `${prefix.rest}${token}`
    }
  }

  lines.push(line)
  return lines
}

/** The width to wrap at: the terminal's columns, or undefined (no wrapping) when the output is a pipe or a file. */
export const terminalWidth = (out: {isTTY?: boolean; columns?: number} = process.stdout): number | undefined =>
  out.isTTY && out.columns && out.columns > 0 ? out.columns : undefined
