import {Flags} from '@oclif/core'

import {type DurationRange, MAX_TIMER_MS, parseDuration} from './util/duration.js'

/**
 * A duration flag ("15m", "2h"), parsed to milliseconds and checked against its range at the flag (a duration
 * beyond a timer's limit, about 24 days, would fire at once). Options: min, max (default 24d), whole.
 */
export const durationFlag = Flags.custom<number, DurationRange & Record<string, unknown>>({
  parse: async (input, _ctx, opts) =>
    parseDuration(input, `--${opts.name}`, {min: opts.min, max: opts.max ?? MAX_DURATION_MS, whole: opts.whole}),
  helpValue: '<duration>',
})

/** The longest duration a flag takes: 24 days, within a Node timer's limit. */
export const MAX_DURATION_MS = Math.min(24 * 86_400_000, MAX_TIMER_MS)
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
