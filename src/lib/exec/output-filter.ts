import {EXIT_MARKER} from './command-line.js'

/**
 * Filters the session-manager-plugin's stdout while a wrapped one-off command runs:
 * - removes the `__ALLTHRIVE_EXIT=<n>` line and keeps <n> as the remote exit status;
 * - sends the plugin's own lines ("Starting session with SessionId: …", "Exiting session
 *   with sessionId: …") to stderr, so stdout carries only the remote command's output;
 * - passes everything else through as soon as it arrives (progress without a newline
 *   included), holding back only text that could be the start of one of those lines.
 *
 * The remote side is a pseudo-terminal, so lines may end in "\r\n".
 */

interface Pattern {
  prefix: string
  /** What may follow the prefix up to the end of the line; anything else means "not ours". */
  body: RegExp
  /** The whole line (prefix, body, line end) has been seen. */
  onLine(line: string, body: string): void
}

export class SessionOutputFilter {
  exitCode: number | undefined
  private pending = ''
  private readonly patterns: Pattern[]

  constructor(
    private readonly out: (text: string) => void,
    private readonly err: (text: string) => void,
  ) {
    this.patterns = [
      {
        prefix: EXIT_MARKER,
        body: /^\d*\r?$/,
        onLine: (_line, body) => {
          this.exitCode = Number.parseInt(body, 10)
        },
      },
      {prefix: 'Starting session with SessionId: ', body: /^[^\n]*$/, onLine: (line) => this.err(line)},
      {prefix: 'Exiting session with sessionId: ', body: /^[^\n]*$/, onLine: (line) => this.err(line)},
    ]
  }

  push(text: string): void {
    this.pending += text
    for (;;) {
      const hit = this.earliest()
      if (!hit) {
        const keep = this.heldSuffixLength()
        this.emit(this.pending.slice(0, this.pending.length - keep))
        this.pending = this.pending.slice(this.pending.length - keep)
        return
      }

      this.emit(this.pending.slice(0, hit.index))
      this.pending = this.pending.slice(hit.index)
      const end = this.pending.indexOf('\n')
      const body = (end === -1 ? this.pending : this.pending.slice(0, end)).slice(hit.pattern.prefix.length)
      const fits = hit.pattern.body.test(body) && (hit.pattern.prefix !== EXIT_MARKER || end === -1 || /\d/.test(body))
      if (!fits) {
        // Looked like ours but is not: pass the prefix through and scan on.
        this.emit(hit.pattern.prefix)
        this.pending = this.pending.slice(hit.pattern.prefix.length)
        continue
      }

      if (end === -1) return // wait for the end of the line
      const line = this.pending.slice(0, end + 1)
      this.pending = this.pending.slice(end + 1)
      hit.pattern.onLine(line, body.replace(/\r$/, ''))
    }
  }

  /** The plugin has exited: flush what was held back. */
  end(): void {
    const rest = this.pending
    this.pending = ''
    const marker = new RegExp(`^${EXIT_MARKER}(\\d+)\\r?$`).exec(rest)
    if (marker) this.exitCode = Number.parseInt(marker[1], 10)
    else this.emit(rest)
  }

  private emit(text: string): void {
    if (text) this.out(text)
  }

  private earliest(): {index: number; pattern: Pattern} | undefined {
    let best: {index: number; pattern: Pattern} | undefined
    for (const pattern of this.patterns) {
      const index = this.pending.indexOf(pattern.prefix)
      if (index !== -1 && (!best || index < best.index)) best = {index, pattern}
    }

    return best
  }

  /** Length of the longest tail of `pending` that is the beginning of a pattern's prefix. */
  private heldSuffixLength(): number {
    let keep = 0
    for (const {prefix} of this.patterns) {
      for (let n = Math.min(prefix.length - 1, this.pending.length); n > keep; n--) {
        if (this.pending.endsWith(prefix.slice(0, n))) {
          keep = n
          break
        }
      }
    }

    return keep
  }
}
