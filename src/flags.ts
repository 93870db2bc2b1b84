import {Flags} from '@oclif/core'

import {parseDuration} from './util/duration.js'

/** A duration flag ("15m", "2h"), parsed to milliseconds. */
export const durationFlag = Flags.custom<number>({
  parse: async (input) => parseDuration(input, 'duration'),
  helpValue: '<duration>',
})

/** Flags `rollback` and `restart` share: the guard, the dry run and the bounded wait. */
export const deployFlags = {
  yes: Flags.boolean({char: 'y', summary: 'Confirm on a protected environment without asking (for scripts and CI).'}),
  'dry-run': Flags.boolean({summary: 'Print the plan and the request, change nothing.'}),
  wait: Flags.boolean({
    summary: 'Wait for the service to be steady, with live progress (--no-wait returns once ECS accepted the change).',
    default: true,
    allowNo: true,
  }),
  timeout: durationFlag({
    summary: 'Stop waiting after this long (exit 1; the deployment continues).',
    default: 15 * 60_000,
    defaultHelp: async () => '15m',
  }),
  'poll-interval': durationFlag({
    summary: 'Time between DescribeServices polls while waiting.',
    default: 5000,
    hidden: true,
  }),
}
