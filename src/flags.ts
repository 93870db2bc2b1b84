import {Flags} from '@oclif/core'

import {parseDuration} from './util/duration.js'

/** A duration flag ("15m", "2h"), parsed to milliseconds. */
export const durationFlag = Flags.custom<number>({
  parse: async (input) => parseDuration(input, 'duration'),
  helpValue: '<duration>',
})
