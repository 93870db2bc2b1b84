import type {AwsClients} from '../../aws/clients.js'
import {classifyAwsError, deniedAction, describeAwsError, hintFor} from '../../aws/errors.js'
import type {EnvConfig} from '../../config.js'
import {EXIT, isUserError, UserError} from '../../errors.js'
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
} from './invalidation.js'

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

export interface CacheClearOptions {
  aws: AwsClients
  env: EnvConfig
  /** --paths as given (undefined: '/*'). */
  paths?: string[]
  wait: boolean
  /** With wait: stop waiting after this long; undefined waits as long as it takes. */
  timeoutMs?: number
  yes: boolean
  dryRun: boolean
  /** --profile, for the AWS CLI commands printed. */
  profile?: string
  /** The command line, shell-quoted, that the confirmation prompt shows. */
  commandLine: string
  /** The wall clock (month-to-date usage, CallerReference). */
  now(): Date
  /** stdout, a line at a time. */
  log(line: string): void
  /** stderr, a line at a time: warnings and progress. */
  notice(line: string): void
}

/**
 * `cache clear`: finds the distribution, says what the paths cost against the free tier, asks on a
 * protected environment, creates the invalidation (one CallerReference, retried when CloudFront is
 * busy) and, with `wait`, polls it to completion. AccessDenied at any step names the IAM action (exit 1).
 */
export async function clearCache(o: CacheClearOptions): Promise<CacheClearResult> {
  try {
    return await clear(o, Date.now())
  } catch (error) {
    if (isUserError(error) || classifyAwsError(error) !== 'access-denied') throw error
    throw new UserError(`AWS refused ${deniedAction(error) ?? 'a CloudFront call'}: ${describeAwsError(error)}.`, {
      exit: EXIT.FAILED,
      code: 'AWS_ACCESS_DENIED',
      cause: error,
      suggestions: [hintFor(error, {profile: o.profile})!],
    })
  }
}

async function clear(o: CacheClearOptions, started: number): Promise<CacheClearResult> {
  const {paths, dropped} = normalisePaths(o.paths)
  const ctx = {aws: o.aws, env: o.env}
  const dist = await findDistribution(ctx)
  const warnings = dropped.map((d) => `Left out ${d.input}: ${d.reason}.`)
  const usage = await accountPathsThisMonth(ctx, dist.id, o.now()).catch((error: unknown) => {
    const why = describeAwsError(error)
    warnings.push(`Could not count this month's invalidation paths (${why}); the free-tier check was skipped.`)
  })
  const outlook = usage && freeTierOutlook(usage, paths.length)
  if (outlook?.warning) warnings.push(outlook.warning)
  const result: CacheClearResult = {
    environment: ctx.env.name,
    distributionId: dist.id,
    domain: dist.domainName,
    aliases: dist.aliases,
    foundBy: dist.reason,
    invalidationId: null,
    paths,
    callerReference: null,
    status: 'DryRun',
    durationMs: 0,
    freePathsUsedThisMonth: usage?.paths ?? null,
    freePathsUsedIsLowerBound: usage?.lowerBound ?? false,
    estimatedCost: outlook?.cost ?? null,
    warnings,
  }
  const done = (status = result.status): CacheClearResult => ({...result, status, durationMs: Date.now() - started})

  const more = paths.length > 10 ? ` and ${paths.length - 10} more` : ''
  const listed = `${paths.slice(0, 10).join(', ')}${more}`
  const target = paths.length === 1 ? paths[0] : `${paths.length} paths (${listed})`
  const alias = dist.aliases[0] ? ` (${dist.aliases[0]})` : ''
  const what = `clear the CloudFront cache for ${target} in distribution ${dist.id}${alias}`
  o.log(`Distribution ${dist.id} (${[dist.domainName, ...dist.aliases].join(', ')}), found by ${dist.reason}.`)
  if (usage) {
    const used = `${usage.lowerBound ? 'at least ' : ''}${usage.paths.toLocaleString('en-US')}`
    const free = FREE_PATHS_PER_MONTH.toLocaleString('en-US')
    o.log(`Invalidation paths used this month in this account: ${used} of ${free} free; this adds ${paths.length}.`)
  }

  for (const w of warnings) o.notice(`Warning: ${w}`)
  if (o.dryRun) {
    o.log(`Dry run: would ${what}. Nothing was created; run again without --dry-run to do it.`)
    return done()
  }

  await confirmChange({env: ctx.env, action: what, yes: o.yes, command: o.commandLine})
  const client = cloudfrontClient(o.aws)
  result.callerReference = callerReference(ctx.env.name, o.now())
  const created = await createInvalidation(client, {
    distributionId: dist.id,
    paths,
    callerReference: result.callerReference,
    onRetry: ({attempt, maxAttempts, delayMs}) =>
      o.notice(
        `CloudFront has too many invalidations in progress on ${dist.id} (TooManyInvalidationsInProgress): ` +
          `retrying in ${formatDuration(delayMs)}, attempt ${attempt + 1} of ${maxAttempts}.`,
      ),
  })
  const id = (result.invalidationId = created.Id ?? '')
  const waitCommand = awsWaitCommand(dist.id, id, o.profile)
  o.log(`Created invalidation ${id} on ${dist.id} for ${target}: ${created.Status ?? 'InProgress'}.`)
  if (!o.wait || isCompleted(created.Status)) {
    if (!isCompleted(created.Status)) o.log(`Wait for it with: ${waitCommand}`)
    return done(created.Status ?? 'InProgress')
  }

  const upTo = o.timeoutMs ? ` (up to ${formatDuration(o.timeoutMs)})` : ''
  o.notice(`Waiting for ${id} to complete${upTo}; Ctrl+C stops the waiting, not the invalidation.`)
  const waited = await waitForInvalidation(client, {
    distributionId: dist.id,
    invalidationId: id,
    timeoutMs: o.timeoutMs,
    onProgress: ({status, elapsedMs}) => o.notice(`  ${id}: ${status} after ${formatDuration(elapsedMs)}`),
  })
  if (!waited.completed) {
    const after = formatDuration(waited.elapsedMs)
    const message = `Invalidation ${id} on ${dist.id} is still in progress after ${after} (--timeout); CloudFront carries on with it.`
    throw new UserError(message, {
      exit: EXIT.FAILED,
      code: 'WAIT_TIMEOUT',
      suggestions: [`Keep waiting with: ${waitCommand}`],
    })
  }

  o.log(`Invalidation ${id} completed after ${formatDuration(waited.elapsedMs)}.`)
  return done(waited.status)
}
