import {once} from 'node:events'

import {formatLine, type HumanFormat, type LogLine, toJsonLine} from './format.js'
import type {TailSink} from './state.js'

/**
 * Where `logs tail` writes: events to stdout (one NDJSON object per line with --json, else a
 * prefixed line), notices to stderr, so `--json | jq` only ever sees events. Writing waits
 * when the pipe is full, so a slow reader holds the backlog in AWS rather than in memory.
 */
export function stdoutSink(opts: {json: boolean; format: HumanFormat; signal: AbortSignal}): TailSink {
  const write = async (text: string): Promise<void> => {
    if (process.stdout.write(`${text}\n`)) return
    await once(process.stdout, 'drain', {signal: opts.signal}).catch(() => {})
  }

  return {
    event: (line: LogLine) => write(opts.json ? JSON.stringify(toJsonLine(line)) : formatLine(line, opts.format)),
    notice(message: string) {
      process.stderr.write(`${message}\n`)
    },
  }
}

/** EXIT code of a run ended by Ctrl+C (128 + SIGINT), as shells and sf report it. */
export const EXIT_INTERRUPTED = 130

export interface Interrupts {
  /** Aborted by Ctrl+C or by the reader closing stdout (`| head`). */
  signal: AbortSignal
  /** Ended by Ctrl+C (exit 130), not by a closed pipe (exit 0). */
  interrupted(): boolean
  dispose(): void
}

/** Ctrl+C stops the run cleanly (a second Ctrl+C exits at once); EPIPE on stdout stops it quietly. */
export function watchInterrupts(): Interrupts {
  const controller = new AbortController()
  let pipeClosed = false
  const onSigint = (): void => {
    if (controller.signal.aborted) process.exit(EXIT_INTERRUPTED)
    controller.abort()
  }

  const onStdoutError = (e: NodeJS.ErrnoException): void => {
    if (e.code !== 'EPIPE') throw e
    pipeClosed = true
    controller.abort()
  }

  process.on('SIGINT', onSigint)
  process.stdout.on('error', onStdoutError)
  return {
    signal: controller.signal,
    interrupted: () => controller.signal.aborted && !pipeClosed,
    dispose() {
      process.off('SIGINT', onSigint)
      process.stdout.off('error', onStdoutError)
    },
  }
}
