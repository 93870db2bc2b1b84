import {Flags} from '@oclif/core'

import {classifyAwsError, deniedAction, describeAwsError, hintFor} from '../../aws/errors.js'
import {BaseCommand} from '../../base-command.js'
import {EXIT, isUserError, UserError} from '../../errors.js'
import {durationFlag} from '../../flags.js'
import {parsePathFlag} from '../../lib/cache/paths-flag.js'
import {cloudfrontClient, findDistribution} from '../../resources/cloudfront.js'
import {confirmChange} from '../../util/confirm.js'
import {formatDuration} from '../../util/duration.js'
import {
  accountPathsThisMonth,
  awsWaitCommand,
  callerReference,
  createInvalidation,
  FREE_PATHS_PER_MONTH,
  freeTierOutlook,
  isCompleted,
  normalisePaths,
  waitForInvalidation,
} from '../../lib/cache/invalidation.js'

export interface CacheClearResult {
  environment: string
  distributionId: string
  domain: string
  aliases: string[]
  /** How the distribution was found: "alias allthrive.ai", "tag Environment=staging"… */
  foundBy: string
  invalidationId: string | null
  paths: string[]
  callerReference: string | null
  /** As CloudFront says (InProgress, Completed), or DryRun. */
  status: string
  durationMs: number
  /** Invalidation paths already submitted this month in the account; null when they could not be counted. */
  freePathsUsedThisMonth: number | null
  freePathsUsedIsLowerBound: boolean
  /** USD this request costs beyond CloudFront's 1,000 free paths a month (0 within them); null when unknown. */
  estimatedCost: number | null
  warnings: string[]
}

const shellQuote = (a: string): string => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", String.raw`'\''`)}'`)

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
    paths: Flags.string({summary: "Paths to invalidate, comma-separated or repeated (default '/*'). Quote wildcards: '/assets/*'.", multiple: true, delimiter: ',', helpValue: '<path>', parse: async (input) => parsePathFlag(input)}),
    wait: Flags.boolean({summary: 'Wait until CloudFront reports the invalidation Completed.'}),
    timeout: durationFlag({summary: 'With --wait, stop waiting after this long (30s, 15m, 2h); default: as long as it takes.', dependsOn: ['wait']}),
    yes: Flags.boolean({char: 'y', summary: 'Confirm the change without asking (needed on protected environments without a terminal).'}),
    'dry-run': Flags.boolean({summary: 'Show the distribution and the paths, create nothing.'}),
  }

  public async run(): Promise<CacheClearResult> {
    try {
      return await this.clear(Date.now())
    } catch (error) {
      // AccessDenied at any step (ListDistributions, GetInvalidation…): name the IAM action, exit 1.
      if (isUserError(error) || classifyAwsError(error) !== 'access-denied') throw error
      throw new UserError(`AWS refused ${deniedAction(error) ?? 'a CloudFront call'}: ${describeAwsError(error)}.`, {
        exit: EXIT.FAILED, code: 'AWS_ACCESS_DENIED', cause: error, suggestions: [hintFor(error, {profile: this.flags.profile})!],
      })
    }
  }

  private async clear(started: number): Promise<CacheClearResult> {
    const {flags} = this
    const {paths, dropped} = normalisePaths(flags.paths)
    const ctx = {aws: this.aws, env: this.envConfig}
    const dist = await findDistribution(ctx)
    const warnings = dropped.map((d) => `Left out ${d.input}: ${d.reason}.`)
    const usage = await accountPathsThisMonth(ctx, dist.id, this.now()).catch((error: unknown) => {
      warnings.push(`Could not count this month's invalidation paths (${describeAwsError(error)}); the free-tier check was skipped.`)
    })
    const outlook = usage && freeTierOutlook(usage, paths.length)
    if (outlook?.warning) warnings.push(outlook.warning)
    const result: CacheClearResult = {
      environment: ctx.env.name, distributionId: dist.id, domain: dist.domainName, aliases: dist.aliases, foundBy: dist.reason,
      invalidationId: null, paths, callerReference: null, status: 'DryRun', durationMs: 0, freePathsUsedThisMonth: usage?.paths ?? null,
      freePathsUsedIsLowerBound: usage?.lowerBound ?? false, estimatedCost: outlook?.cost ?? null, warnings,
    }
    const done = (status = result.status): CacheClearResult => {
      process.exitCode = EXIT.OK
      return {...result, status, durationMs: Date.now() - started}
    }

    const listed = paths.length <= 10 ? paths.join(', ') : `${paths.slice(0, 10).join(', ')} and ${paths.length - 10} more`
    const target = paths.length === 1 ? paths[0] : `${paths.length} paths (${listed})`
    const what = `clear the CloudFront cache for ${target} in distribution ${dist.id}${dist.aliases[0] ? ` (${dist.aliases[0]})` : ''}`
    this.log(`Distribution ${dist.id} (${[dist.domainName, ...dist.aliases].join(', ')}), found by ${dist.reason}.`)
    if (usage) this.log(`Invalidation paths used this month in this account: ${usage.lowerBound ? 'at least ' : ''}${usage.paths.toLocaleString('en-US')} of ${FREE_PATHS_PER_MONTH.toLocaleString('en-US')} free; this adds ${paths.length}.`)
    for (const w of warnings) this.logToStderr(`Warning: ${w}`)
    if (flags['dry-run']) {
      this.log(`Dry run: would ${what}. Nothing was created; run again without --dry-run to do it.`)
      return done()
    }

    const command = [this.config.bin, 'cache', 'clear', ...this.argv].map((a) => shellQuote(a)).join(' ')
    await confirmChange({env: ctx.env, action: what, yes: flags.yes, command})
    const client = cloudfrontClient(this.aws)
    result.callerReference = callerReference(ctx.env.name, this.now())
    const created = await createInvalidation(client, {
      distributionId: dist.id, paths, callerReference: result.callerReference,
      onRetry: ({attempt, maxAttempts, delayMs}) => this.logToStderr(`CloudFront has too many invalidations in progress on ${dist.id} (TooManyInvalidationsInProgress): retrying in ${formatDuration(delayMs)}, attempt ${attempt + 1} of ${maxAttempts}.`),
    })
    const id = (result.invalidationId = created.Id ?? '')
    const waitCommand = awsWaitCommand(dist.id, id, flags.profile)
    this.log(`Created invalidation ${id} on ${dist.id} for ${target}: ${created.Status ?? 'InProgress'}.`)
    if (!flags.wait || isCompleted(created.Status)) {
      if (!isCompleted(created.Status)) this.log(`Wait for it with: ${waitCommand}`)
      return done(created.Status ?? 'InProgress')
    }

    this.logToStderr(`Waiting for ${id} to complete${flags.timeout ? ` (up to ${formatDuration(flags.timeout)})` : ''}; Ctrl+C stops the waiting, not the invalidation.`)
    const waited = await waitForInvalidation(client, {
      distributionId: dist.id, invalidationId: id, timeoutMs: flags.timeout,
      onProgress: ({status, elapsedMs}) => this.logToStderr(`  ${id}: ${status} after ${formatDuration(elapsedMs)}`),
    })
    if (!waited.completed) {
      throw new UserError(`Invalidation ${id} on ${dist.id} is still in progress after ${formatDuration(waited.elapsedMs)} (--timeout); CloudFront carries on with it.`, {
        exit: EXIT.FAILED, code: 'WAIT_TIMEOUT', suggestions: [`Keep waiting with: ${waitCommand}`],
      })
    }

    this.log(`Invalidation ${id} completed after ${formatDuration(waited.elapsedMs)}.`)
    return done(waited.status)
  }
}
