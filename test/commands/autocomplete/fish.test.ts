import {describe, expect, it} from 'vitest'

import {fishCompletions, fishQuote} from '../../../src/commands/autocomplete/fish.js'

describe('fish completions', () => {
  it('quotes words for fish: backslash and single quote escaped, nothing else', () => {
    expect(fishQuote("the services' logs")).toBe("'the services\\' logs'")
    expect(fishQuote('a\\b $HOME (x)')).toBe("'a\\\\b $HOME (x)'")
  })

  it("completes topics, their commands and each command's flags; control characters never reach the script", () => {
    const lines = fishCompletions(
      'allthrive',
      [
        {
          id: 'logs:tail',
          summary: 'Print logs\u001B[31m',
          flags: {follow: {name: 'follow', char: 'f', type: 'boolean', summary: 'Keep streaming'}},
        },
        {id: 'secret', hidden: true, flags: {}},
        {
          id: 'validate',
          summary: 'Run checks',
          flags: {
            'fail-on': {name: 'fail-on', type: 'option', options: ['fail', 'warn'], summary: 'Lowest status'},
            only: {name: 'only', type: 'option', summary: 'Only these'},
            internal: {name: 'internal', type: 'boolean', hidden: true},
          },
        },
      ],
      [{name: 'logs', description: "The services' logs"}],
    )
    expect(lines.slice(1)).toEqual([
      'complete -c allthrive -f',
      "complete -c allthrive -n __fish_use_subcommand -a 'logs' -d 'The services\\' logs'",
      "complete -c allthrive -n __fish_use_subcommand -a 'validate' -d 'Run checks'",
      "complete -c allthrive -n '__fish_seen_subcommand_from logs' -a 'tail' -d 'Print logs [31m'",
      "complete -c allthrive -n '__fish_seen_subcommand_from logs; and __fish_seen_subcommand_from tail' -l follow -s f -d 'Keep streaming'",
      "complete -c allthrive -n '__fish_seen_subcommand_from validate' -l fail-on -x -a 'fail warn' -d 'Lowest status'",
      "complete -c allthrive -n '__fish_seen_subcommand_from validate' -l only -r -d 'Only these'",
    ])
  })
})
