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
  /** Defaults to process.stdin.isTTY. */
  interactive?: boolean
  /** Asks one question, returns the answer (injectable for tests). */
  ask?: (question: string) => Promise<string>
}

async function askOnTerminal(question: string): Promise<string> {
  const rl = createInterface({input: process.stdin, output: process.stderr})
  try {
    return await rl.question(question)
  } finally {
    rl.close()
  }
}

/**
 * The production guard for commands that change things. On a protected environment
 * (production by default) it asks the user to type the environment's name; with
 * --yes it goes ahead; without a terminal and without --yes it refuses (exit 2).
 * Unprotected environments go ahead without asking.
 */
export async function confirmChange(opts: ConfirmOptions): Promise<void> {
  if (!opts.env.protected || opts.yes) return
  const interactive = opts.interactive ?? Boolean(process.stdin.isTTY)
  if (!interactive) {
    throw new UserError(`Refusing to ${opts.action} on ${opts.env.name} without confirmation: standard input is not a terminal.`, {
      code: 'CONFIRMATION_REQUIRED',
      exit: EXIT.USAGE,
      suggestions: [`Re-run with --yes to confirm from a script: ${opts.command} --yes`],
    })
  }

  const answer = await (opts.ask ?? askOnTerminal)(`This will ${opts.action} on ${opts.env.name}. Type "${opts.env.name}" to continue: `)
  if (answer.trim() !== opts.env.name) {
    throw new UserError(`Aborted: the answer did not match "${opts.env.name}". Nothing was changed.`, {code: 'ABORTED', exit: EXIT.FAILED})
  }
}
