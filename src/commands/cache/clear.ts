import {Flags} from '@oclif/core'

import {BaseCommand} from '../../base-command.js'
import {EXIT} from '../../errors.js'
import {durationFlag} from '../../flags.js'
import {type CacheClearResult, clearCache} from '../../lib/cache/clear.js'
import {parsePathFlag} from '../../lib/cache/paths-flag.js'
import {shJoin} from '../../util/shell.js'

export default class CacheClear extends BaseCommand<typeof CacheClear> {
  static override summary = 'Invalidate the CloudFront cache of an environment'
  static override description = `Finds the environment's CloudFront distribution (cloudfront.distributionId in allthrive.config.json, else by its aliases, its Environment tag or its comment) and creates an invalidation for /* or the --paths given. Paths get a leading slash, non-ASCII and unsafe characters are URL-encoded, duplicates and paths covered by a wildcard in the list are dropped. Warns when the account goes past CloudFront's 1,000 free invalidation paths this month ($0.005 per path beyond). Protected environments (production) ask for confirmation; scripts pass --yes.

EXIT CODES
  0  invalidation created (with --wait: completed); --dry-run printed the plan
  1  no distribution found, AWS refused or failed, --wait timed out (the invalidation goes on), or the confirmation was declined
  2  usage error: bad paths or flags, several distributions match, or confirmation needed without a terminal (re-run with --yes)`

  static override examples = [
    '<%= config.bin %> <%= command.id %> --environment staging',
    "<%= config.bin %> <%= command.id %> --environment production --paths '/index.html,/assets/*' --wait",
    '<%= config.bin %> <%= command.id %> --environment production --yes --wait --timeout 15m --json',
    '<%= config.bin %> <%= command.id %> --environment production --dry-run',
  ]

  static override flags = {
    paths: Flags.string({
      summary: "Paths to invalidate, comma-separated or repeated (default '/*'). Quote wildcards: '/assets/*'.",
      multiple: true,
      delimiter: ',',
      helpValue: '<path>',
      parse: async (input) => parsePathFlag(input),
    }),
    wait: Flags.boolean({summary: 'Wait until CloudFront reports the invalidation Completed.'}),
    timeout: durationFlag({
      summary: 'With --wait, stop waiting after this long (30s, 15m, 2h); default: as long as it takes.',
      dependsOn: ['wait'],
    }),
    yes: Flags.boolean({
      char: 'y',
      summary: 'Confirm the change without asking (needed on protected environments without a terminal).',
    }),
    'dry-run': Flags.boolean({summary: 'Show the distribution and the paths, create nothing.'}),
  }

  public async run(): Promise<CacheClearResult> {
    const {flags} = this
    // The run context every command shares (nothing of ECS is needed: no discovery call).
    const ctx = await this.runContext({discover: false})
    const result = await clearCache({
      aws: ctx.aws,
      env: ctx.env,
      paths: flags.paths,
      wait: flags.wait,
      timeoutMs: flags.timeout,
      yes: flags.yes,
      dryRun: flags['dry-run'],
      profile: flags.profile,
      commandLine: shJoin([this.config.bin, 'cache', 'clear', ...this.argv]),
      now: () => this.now(),
      log: (line) => this.log(line),
      notice: (line) => this.logToStderr(line),
    })
    process.exitCode = EXIT.OK
    return result
  }
}
