import {
  AccessDenied,
  BatchTooLarge,
  type CloudFrontClient,
  CreateInvalidationCommand,
  GetInvalidationCommand,
  InvalidArgument,
  type Invalidation,
  paginateListInvalidations,
  TooManyInvalidationsInProgress,
} from '@aws-sdk/client-cloudfront'
import {randomBytes} from 'node:crypto'

import {classifyAwsError, deniedAction, describeAwsError, hintFor} from '../../aws/errors.js'
import {EXIT, UserError} from '../../errors.js'
import {backoffMs} from '../../util/backoff.js'
import {cloudfrontClient, type DistributionLookupContext, listDistributions} from '../../resources/cloudfront.js'
import {mapBounded} from '../../util/concurrency.js'
import {formatDuration} from '../../util/duration.js'
import {type Sleep, sleep} from '../../util/sleep.js'
import {shq} from '../../util/shell.js'

/**
 * CloudFront invalidations: turning what a user typed into the paths CloudFront
 * expects, creating the invalidation (riding out TooManyInvalidationsInProgress),
 * waiting for it, and counting this month's paths against the free tier.
 *
 * Path rules follow AWS's "What you need to know when invalidating files"
 * (CloudFront Developer Guide, invalidation-specifying-objects):
 * - a path starts with "/" (the console lets you omit it, the API does not);
 * - non-ASCII characters and RFC 1738 "unsafe" characters are URL-encoded, and no
 *   other character is ("or CloudFront won't invalidate the old version");
 * - "~" is not supported in an invalidation path, encoded or not;
 * - "*" is a wildcard only as the last character (elsewhere it is a literal);
 * - a path is at most 4,000 characters; query strings ("?a=b") are part of the path.
 */

/** CloudFront's free allowance, per AWS account and calendar month (UTC). */
export const FREE_PATHS_PER_MONTH = 1000
/** Price of each invalidation path beyond the free allowance, in USD. */
export const PRICE_PER_PATH_USD = 0.005
export const MAX_PATH_LENGTH = 4000
/** In-progress limits per distribution: file paths, and wildcard paths. */
export const MAX_FILE_PATHS_IN_PROGRESS = 3000
export const MAX_WILDCARD_PATHS_IN_PROGRESS = 15

/** RFC 1738 section 2.2 "unsafe" characters ("~" is rejected, "%" handled apart). */
const UNSAFE = new Set([' ', '<', '>', '"', '#', '{', '}', '|', '\\', '^', '[', ']', '`'])

const hex = (byte: number): string => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`

const usage = (message: string, suggestions: string[] = [], code = 'INVALID_PATH'): UserError =>
  new UserError(message, {exit: EXIT.USAGE, code, suggestions})

/**
 * One path as CloudFront expects it. A full URL is reduced to its path and query;
 * surrounding whitespace is dropped. Throws a usage UserError for a path CloudFront
 * cannot invalidate. Returns undefined for an empty entry ("a,,b").
 */
export function normalisePath(input: string): string | undefined {
  let raw = input.trim()
  if (raw === '') return undefined
  raw = raw.replace(/^https?:\/\/[^/?#]*/i, '')
  if (!raw.startsWith('/')) raw = `/${raw}`

  if (/~|%7e/i.test(raw)) {
    throw usage(`Invalid path "${input}": CloudFront does not support "~" in invalidation paths, encoded or not.`, [
      `Invalidate a wildcard that covers it instead, such as --paths '${raw.slice(0, raw.search(/~|%7e/i))}*'.`,
    ])
  }

  const star = raw.indexOf('*')
  if (star !== -1 && star !== raw.length - 1) {
    throw usage(
      `Invalid path "${input}": "*" is a wildcard only as the last character; CloudFront would match this one literally.`,
      [`End the path at the wildcard: --paths '${raw.slice(0, star + 1)}'.`],
    )
  }

  let out = ''
  const chars = [...raw]
  for (const [i, ch] of chars.entries()) {
    const code = ch.codePointAt(0)!
    if (ch === '%') {
      // Already encoded ("%20") stays as typed; a lone "%" is encoded.
      out += /^[0-9a-f]{2}$/i.test(chars.slice(i + 1, i + 3).join('')) ? ch : '%25'
    } else if (code > 0x7e || code < 0x20 || UNSAFE.has(ch)) {
      if (code >= 0xd800 && code <= 0xdfff)
        throw usage(`Invalid path "${input}": it holds a broken Unicode character (a lone surrogate).`)
      out += [...Buffer.from(ch, 'utf8')].map((b) => hex(b)).join('')
    } else {
      out += ch
    }
  }

  if (out.length > MAX_PATH_LENGTH) {
    throw usage(
      `Invalid path "${input.slice(0, 60)}…": ${out.length} characters once encoded; CloudFront accepts at most ${MAX_PATH_LENGTH}.`,
      ['Invalidate a shorter wildcard path that covers it instead.'],
    )
  }

  return out
}

export const isWildcard = (path: string): boolean => path.endsWith('*')

/** True when wildcard path `w` matches `path` ("/*" covers everything, "/img/*" covers "/img/a.png"). */
export const wildcardCovers = (w: string, path: string): boolean =>
  isWildcard(w) && w !== path && path.startsWith(w.slice(0, -1))

/** Top-level folders of a Unix root: several of them among --paths means an unquoted /* was expanded by the shell. */
const ROOT_ENTRIES = new Set([
  '/bin',
  '/boot',
  '/dev',
  '/etc',
  '/home',
  '/lib',
  '/opt',
  '/proc',
  '/root',
  '/run',
  '/sbin',
  '/srv',
  '/sys',
  '/tmp',
  '/usr',
  '/var',
])

export interface NormalisedPaths {
  /** What to invalidate: encoded, de-duplicated, none covered by a wildcard in the list. */
  paths: string[]
  /** Inputs left out, and why ("duplicate of /a", "covered by /img/*"). */
  dropped: {input: string; reason: string}[]
}

/** `--paths` (already split on commas) → the paths to send. No paths means "/*". */
export function normalisePaths(inputs: string[] = []): NormalisedPaths {
  const trimmed = inputs.map((i) => i.trim()).filter(Boolean)
  if (trimmed.filter((i) => ROOT_ENTRIES.has(i.replace(/\/$/, ''))).length >= 3) {
    throw usage(
      `The paths look like your shell expanded an unquoted /* into this machine's folders (${trimmed.slice(0, 4).join(', ')}…).`,
      ["Quote the wildcard: --paths '/*'"],
      'SHELL_EXPANDED_PATHS',
    )
  }

  const dropped: NormalisedPaths['dropped'] = []
  const seen = new Map<string, string>()
  for (const input of trimmed) {
    const path = normalisePath(input)!
    if (seen.has(path)) dropped.push({input, reason: `duplicate of ${path}`})
    else seen.set(path, input)
  }

  const unique = [...seen.keys()]
  const wildcardsGiven = unique.filter((p) => isWildcard(p))
  const paths = unique.filter((p) => {
    const by = wildcardsGiven.find((w) => wildcardCovers(w, p))
    if (by) dropped.push({input: seen.get(p)!, reason: `covered by ${by}`})
    return !by
  })
  if (paths.length === 0) paths.push('/*')

  const wildcards = paths.filter((p) => isWildcard(p)).length
  if (wildcards > MAX_WILDCARD_PATHS_IN_PROGRESS || paths.length - wildcards > MAX_FILE_PATHS_IN_PROGRESS) {
    throw usage(
      `Too many paths: ${paths.length - wildcards} file paths and ${wildcards} wildcard paths. CloudFront allows at most ${MAX_FILE_PATHS_IN_PROGRESS} file paths and ${MAX_WILDCARD_PATHS_IN_PROGRESS} wildcard paths in progress per distribution.`,
      ["Use fewer, broader wildcards (--paths '/assets/*'), or '/*' for everything."],
      'TOO_MANY_PATHS',
    )
  }

  return {paths, dropped}
}

/** A CallerReference unique to this run: `allthrive-<env>-<UTC timestamp>-<random>`. */
export function callerReference(
  env: string,
  now: Date = new Date(),
  random: () => string = () => randomBytes(4).toString('hex'),
): string {
  return `allthrive-${env}-${now.toISOString().replaceAll(/[-:.]/g, '')}-${random()}`
}

/** The AWS CLI command that waits for an invalidation (works in any shell). */
export function awsWaitCommand(distributionId: string, invalidationId: string, profile?: string): string {
  return `aws cloudfront wait invalidation-completed --distribution-id ${shq(distributionId)} --id ${shq(invalidationId)}${profile ? ` --profile ${shq(profile)}` : ''}`
}

// ---------------------------------------------------------------- create

export interface RetryNotice {
  attempt: number
  maxAttempts: number
  delayMs: number
}

export interface CreateOptions {
  distributionId: string
  paths: string[]
  callerReference: string
  signal?: AbortSignal
  /** Told before each wait caused by TooManyInvalidationsInProgress. */
  onRetry?: (notice: RetryNotice) => void
  /** Attempts in all, the first included. Default 7 (about 3 minutes of back-off). */
  maxAttempts?: number
  baseDelayMs?: number
  maxDelayMs?: number
  sleep?: Sleep
  random?: () => number
}

/** Capped exponential back-off with "equal jitter": between half and all of min(cap, base·2^(n-1)). */
export function backoffDelay(
  attempt: number,
  opts: {baseDelayMs?: number; maxDelayMs?: number; random?: () => number} = {},
): number {
  return backoffMs(attempt - 1, opts.baseDelayMs ?? 5000, opts.maxDelayMs ?? 60_000, opts.random)
}

/**
 * CreateInvalidation, retried while CloudFront says TooManyInvalidationsInProgress.
 * The CallerReference stays the same across attempts, so a retry can never create
 * a second invalidation.
 */
export async function createInvalidation(client: CloudFrontClient, opts: CreateOptions): Promise<Invalidation> {
  const maxAttempts = opts.maxAttempts ?? 7
  const started = Date.now()
  const command = new CreateInvalidationCommand({
    DistributionId: opts.distributionId,
    InvalidationBatch: {CallerReference: opts.callerReference, Paths: {Quantity: opts.paths.length, Items: opts.paths}},
  })
  for (let attempt = 1; ; attempt++) {
    try {
      const out = await client.send(command, {abortSignal: opts.signal})
      return out.Invalidation ?? {Id: undefined, Status: undefined, CreateTime: undefined, InvalidationBatch: undefined}
    } catch (error) {
      if (error instanceof AccessDenied || classifyAwsError(error) === 'access-denied') {
        const action = deniedAction(error) ?? 'cloudfront:CreateInvalidation'
        throw new UserError(
          `Not allowed to create an invalidation on ${opts.distributionId}: the caller lacks ${action} (${describeAwsError(error)}). Nothing was invalidated.`,
          {
            exit: EXIT.FAILED,
            code: 'AWS_ACCESS_DENIED',
            cause: error,
            suggestions: [hintFor(error) ?? `Grant ${action} to the caller.`],
          },
        )
      }

      if (error instanceof InvalidArgument || error instanceof BatchTooLarge) {
        throw usage(
          `CloudFront rejected the paths (${describeAwsError(error)}): ${opts.paths.join(', ')}. Nothing was invalidated.`,
          [
            'Check the paths against "What you need to know when invalidating files" in the CloudFront Developer Guide.',
          ],
          'INVALID_PATH',
        )
      }

      if (!(error instanceof TooManyInvalidationsInProgress)) throw error
      if (attempt >= maxAttempts) {
        throw new UserError(
          `CloudFront still has too many invalidations in progress on ${opts.distributionId} after ${attempt} attempts over ${formatDuration(Date.now() - started)}. Nothing was invalidated.`,
          {
            exit: EXIT.FAILED,
            code: 'TOO_MANY_INVALIDATIONS',
            cause: error,
            suggestions: [
              `Wait for the running ones to finish (aws cloudfront list-invalidations --distribution-id ${shq(opts.distributionId)}), then run again.`,
              `CloudFront allows ${MAX_FILE_PATHS_IN_PROGRESS} file paths and ${MAX_WILDCARD_PATHS_IN_PROGRESS} wildcard paths in progress per distribution: one '/*' replaces many single paths.`,
            ],
          },
        )
      }

      const delayMs = backoffDelay(attempt, opts)
      opts.onRetry?.({attempt, maxAttempts, delayMs})
      await (opts.sleep ?? sleep)(delayMs, opts.signal)
      opts.signal?.throwIfAborted()
    }
  }
}

// ---------------------------------------------------------------- wait

export interface InvalidationWaitOptions {
  distributionId: string
  invalidationId: string
  /** Give up after this long; undefined waits as long as it takes. */
  timeoutMs?: number
  signal?: AbortSignal
  /** Told after each poll that found the invalidation still in progress. */
  onProgress?: (p: {status: string; elapsedMs: number; polls: number}) => void
  sleep?: Sleep
  now?: () => number
}

export interface InvalidationWaitResult {
  completed: boolean
  status: string
  elapsedMs: number
  polls: number
}

/** Poll interval: 5 s, 10 s, 15 s, then every 20 s (the AWS CLI waiter polls every 20 s). */
export const pollDelay = (poll: number): number => Math.min(5000 * (poll + 1), 20_000)

/** AWS says "Completed"; moto says "COMPLETED". */
export const isCompleted = (status: string | undefined): boolean => status?.toLowerCase() === 'completed'

/** Polls GetInvalidation until it is Completed, or until the timeout. */
export async function waitForInvalidation(
  client: CloudFrontClient,
  opts: InvalidationWaitOptions,
): Promise<InvalidationWaitResult> {
  const now = opts.now ?? Date.now
  const started = now()
  const deadline = opts.timeoutMs === undefined ? Number.POSITIVE_INFINITY : started + opts.timeoutMs
  let status = 'InProgress'
  for (let polls = 0; ;) {
    const remaining = deadline - now()
    if (remaining <= 0) return {completed: false, status, elapsedMs: now() - started, polls}
    await (opts.sleep ?? sleep)(Math.min(pollDelay(polls), remaining), opts.signal)
    opts.signal?.throwIfAborted()
    const out = await client.send(
      new GetInvalidationCommand({DistributionId: opts.distributionId, Id: opts.invalidationId}),
      {abortSignal: opts.signal},
    )
    polls++
    status = out.Invalidation?.Status ?? status
    if (isCompleted(status)) return {completed: true, status, elapsedMs: now() - started, polls}
    opts.onProgress?.({status, elapsedMs: now() - started, polls})
  }
}

// ---------------------------------------------------------------- free tier

export interface MonthUsage {
  /** Paths submitted this month across the listed distributions (a lower bound when `lowerBound`). */
  paths: number
  /** Invalidations created this month. */
  invalidations: number
  /** Some invalidations were counted as one path each without reading them (beyond `maxGets`). */
  lowerBound: boolean
  distributions: number
}

export const monthStart = (now: Date): Date => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1))

/**
 * Invalidation paths submitted this calendar month (UTC) on these distributions.
 * ListInvalidations returns the newest first, so listing stops at the first older one.
 * Summaries carry no path count: GetInvalidation reads up to `maxGets` of them, newest
 * first; the rest count as one path each (every invalidation has at least one) and
 * the total becomes a lower bound.
 */
export async function pathsUsedThisMonth(
  client: CloudFrontClient,
  opts: {distributionIds: string[]; now: Date; signal?: AbortSignal; maxGets?: number; concurrency?: number},
): Promise<MonthUsage> {
  const since = monthStart(opts.now).getTime()
  const lists = await mapBounded(opts.distributionIds, opts.concurrency ?? 4, async (distributionId) => {
    const found: {distributionId: string; id: string; created: number}[] = []
    for await (const page of paginateListInvalidations(
      {client, pageSize: 100},
      {DistributionId: distributionId},
      {abortSignal: opts.signal},
    )) {
      const items = page.InvalidationList?.Items ?? []
      const recent = items.filter((i) => i.Id && (i.CreateTime?.getTime() ?? Number.POSITIVE_INFINITY) >= since)
      for (const i of recent) found.push({distributionId, id: i.Id!, created: i.CreateTime?.getTime() ?? 0})
      if (recent.length < items.length) break
    }

    return found
  })

  const all = lists.flat().sort((a, b) => b.created - a.created)
  const maxGets = opts.maxGets ?? 100
  const read = await mapBounded(all.slice(0, maxGets), opts.concurrency ?? 8, async (i) => {
    const out = await client.send(new GetInvalidationCommand({DistributionId: i.distributionId, Id: i.id}), {
      abortSignal: opts.signal,
    })
    return Math.max(1, out.Invalidation?.InvalidationBatch?.Paths?.Quantity ?? 1)
  })
  const unread = Math.max(0, all.length - maxGets)
  return {
    paths: read.reduce((a, b) => a + b, 0) + unread,
    invalidations: all.length,
    lowerBound: unread > 0,
    distributions: opts.distributionIds.length,
  }
}

/**
 * Paths used this month in the whole account (the free allowance is per account): every
 * distribution's invalidations. If the distributions cannot be listed, only `distributionId`
 * is counted and the figure is a lower bound.
 */
export async function accountPathsThisMonth(
  ctx: DistributionLookupContext,
  distributionId: string,
  now: Date = new Date(),
): Promise<MonthUsage> {
  const ids = await listDistributions(ctx).then(
    (all) => all.map((d) => d.id),
    () => undefined,
  )
  const usage = await pathsUsedThisMonth(cloudfrontClient(ctx.aws), {
    distributionIds: ids ?? [distributionId],
    now,
    signal: ctx.signal,
  })
  return ids ? usage : {...usage, lowerBound: true}
}

export interface FreeTierOutlook {
  /** Paths of this request beyond the free allowance. */
  chargeablePaths: number
  /** USD for this request's chargeable paths. */
  cost: number
  /** A warning to show, when this request goes beyond the free allowance. */
  warning?: string
}

/** $0.01, $0.015, $1.50: cents, or tenths of a cent when there are some. */
export const usd = (n: number): string => `$${Number(n.toFixed(2)) === n ? n.toFixed(2) : n.toFixed(3)}`
const int = (n: number): string => n.toLocaleString('en-US')

/** What this request costs given the paths already used this month. */
export function freeTierOutlook(used: {paths: number; lowerBound: boolean}, requested: number): FreeTierOutlook {
  const over = (n: number): number => Math.max(0, n - FREE_PATHS_PER_MONTH)
  const chargeablePaths = over(used.paths + requested) - over(used.paths)
  const cost = Math.round(chargeablePaths * PRICE_PER_PATH_USD * 1000) / 1000
  if (chargeablePaths === 0) return {chargeablePaths, cost}
  const atLeast = used.lowerBound ? 'at least ' : ''
  const already = `${atLeast}${int(used.paths)} invalidation paths already used this month in this account`
  const warning =
    used.paths >= FREE_PATHS_PER_MONTH
      ? `${already}: CloudFront's ${int(FREE_PATHS_PER_MONTH)} free paths are spent, so this request's ${int(requested)} path${requested === 1 ? '' : 's'} cost ${atLeast}${usd(cost)} (${usd(PRICE_PER_PATH_USD)} per path).`
      : `${already}; this request's ${int(requested)} take${requested === 1 ? 's' : ''} it to ${atLeast}${int(used.paths + requested)}, ${int(chargeablePaths)} over CloudFront's ${int(FREE_PATHS_PER_MONTH)} free paths: ${atLeast}${usd(cost)} (${usd(PRICE_PER_PATH_USD)} per path).`
  return {chargeablePaths, cost, warning}
}
