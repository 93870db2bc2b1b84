import {Errors, type Hook, toConfiguredId} from '@oclif/core'

import {closest, EXIT} from '../errors.js'

/**
 * `allthrive valdate`: on a terminal, @oclif/plugin-not-found asks "Did you mean validate?" and runs
 * it on yes. Without a terminal (CI, pipes) nothing can answer, so the suggestion is printed instead.
 * Either way a command that does not exist is a usage error: exit 2, not the plugin's 127.
 */
const hook: Hook.CommandNotFound = async function (opts) {
  const ids = opts.config.commands.filter((c) => !c.hidden).flatMap((c) => [c.id, ...c.aliases])
  const typed = toConfiguredId(opts.id, opts.config)
  const guess = closest(opts.id, ids)
  const help = `Run ${opts.config.bin} help for a list of available commands.`
  const usage = (): never => {
    throw new Errors.CLIError(`"${typed}" is not an ${opts.config.bin} command.`, {
      exit: EXIT.USAGE,
      code: 'UNKNOWN_COMMAND',
      suggestions: [...(guess ? [`Did you mean ${opts.config.bin} ${toConfiguredId(guess, opts.config)}?`] : []), help],
    })
  }

  if (!(process.stdin.isTTY && process.stderr.isTTY) || !guess) return usage()
  const {default: prompt} = await import('@oclif/plugin-not-found')
  try {
    return await prompt.call(this, opts)
  } catch (error) {
    // Declined (the plugin exits 127): the same usage error as without a terminal.
    if (error instanceof Errors.CLIError && error.oclif?.exit === 127) return usage()
    throw error
  }
}

export default hook
