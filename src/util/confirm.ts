import {createInterface} from 'node:readline/promises'

import type {EnvConfig} from '../config.js'
import {EXIT, UserError} from '../errors.js'

export interface ConfirmOptions {
  env: Pick<EnvConfig, 'name' | 'protected'>
  /** What will happen, as a verb phrase: "run database migrations", "invalidate 3 paths". */
  action: string
  /** --yes was given. */
  yes: boolean
  /** The exact command line to repeat with --yes, for the refusal message. */
  command: string
  /** The command line with --yes in its place, when it cannot go last (before `--` and a remote command). */
  yesCommand?: string
  /** Defaults to process.stdin.isTTY. */
  interactive?: boolean
  /** Asks one question, returns the answer (injectable for tests). */
  ask?: (question: string) => Promise<string>
}

/** Ctrl+C at the prompt: nothing was changed, exit 130. */
export const interruptedError = (): UserError =>
  new UserError('Interrupted at the confirmation prompt (Ctrl+C). Nothing was changed.', {
    code: 'INTERRUPTED',
    exit: EXIT.INTERRUPTED,
  })

/**
 * Asks one question on the terminal (stderr, so stdout stays the command's output). Ctrl+C rejects with
 * exit 130; end of input (Ctrl+D) answers "" (declined).
 */
export async function askOnTerminal(
  question: string,
  io: {input: NodeJS.ReadableStream; output: NodeJS.WritableStream; terminal?: boolean} = {
    input: process.stdin,
    output: process.stderr,
  },
): Promise<string> {
  const terminal = io.terminal === undefined ? {} : {terminal: io.terminal}
  const rl = createInterface({input: io.input, output: io.output, ...terminal})
  const controller = new AbortController()
  let interrupted = false
  rl.on('SIGINT', () => {
    interrupted = true
    controller.abort()
  })
  rl.on('close', () => controller.abort())
  try {
    return await rl.question(question, {signal: controller.signal})
  } catch (error) {
    if (interrupted) throw interruptedError()
    if ((error as Error)?.name === 'AbortError') return ''
    throw error
  } finally {
    rl.close()
  }
}

/**
 * The production guard for commands that change things. On a protected environment
 * (production by default) it asks the user to type the environment's name; with
 * --yes it goes ahead; without a terminal and without --yes it refuses (exit 2); a wrong answer is exit 2,
 * Ctrl+C at the prompt exit 130.
 * Unprotected environments go ahead without asking.
 */
export async function confirmChange(opts: ConfirmOptions): Promise<void> {
  if (!opts.env.protected || opts.yes) return
  const interactive = opts.interactive ?? Boolean(process.stdin.isTTY)
  if (!interactive) {
    throw new UserError(
      `Refusing to ${opts.action} on ${opts.env.name} without confirmation: standard input is not a terminal.`,
      {
        code: 'CONFIRMATION_REQUIRED',
        exit: EXIT.USAGE,
        suggestions: [`Re-run with --yes to confirm from a script: ${opts.yesCommand ?? `${opts.command} --yes`}`],
      },
    )
  }

  const answer = await (opts.ask ?? askOnTerminal)(
    `This will ${opts.action} on ${opts.env.name}. Type "${opts.env.name}" to continue: `,
  )
  if (answer.trim() !== opts.env.name) {
    throw new UserError(`Aborted: the answer did not match "${opts.env.name}". Nothing was changed.`, {
      code: 'ABORTED',
      exit: EXIT.USAGE,
    })
  }
}
