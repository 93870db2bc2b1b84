// The entry of bin/run.js: oclif's core, bundled with the commands (scripts/build.mjs) so they share one copy.
export {execute, run, settings} from '@oclif/core'
