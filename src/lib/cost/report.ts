import {classifyAwsError, credentialsUserError, describeAwsError, hintFor} from '../../aws/errors.js'
import {EXIT, isUserError, UserError} from '../../errors.js'
import {buildEstimate} from './estimate.js'
import {collectInventory} from './inventory.js'
import {livePriceBook} from './live-prices.js'
import {
  hasTablePrices,
  noTablePricesError,
  type PriceBook,
  type PricedRate,
  PRICE_TABLE,
  tablePriceBook,
} from './prices.js'
import {computeSavings} from './savings.js'
import {
  type CostContext,
  type CostReport,
  HOURS_PER_MONTH,
  type Inventory,
  type Usage,
  type UsageFigure,
} from './types.js'
import {collectUsage} from './usage.js'

/** One environment's estimate: inventory, then prices and usage concurrently, then lines and savings. */

export interface CostOptions {
  livePrices: boolean
  freeTier: boolean
  profile?: string
}

/** An AWS failure as a one-paragraph UserError; credentials problems keep their own (exit 2). Bugs pass through. */
export function awsFailure(error: unknown, what: string, profile?: string): unknown {
  if (isUserError(error)) return error
  const credentials = credentialsUserError(error, {profile})
  if (credentials) return credentials
  const sdk = typeof error === 'object' && error !== null && '$metadata' in error
  if (!sdk && classifyAwsError(error) === 'other') return error
  return new UserError(`${what}: ${describeAwsError(error).replaceAll(/\s+/g, ' ').replace(/\.$/, '')}.`, {
    exit: EXIT.FAILED,
    code: 'AWS_ERROR',
    cause: error,
    suggestions: [hintFor(error, {profile}) ?? 'Run again with --debug for details.'],
  })
}

const everything: UsageFigure = {monthly: 1, unit: '', days: 1, basis: ''}

/**
 * Every rate key the estimate and the savings can ask for, given this inventory: they run
 * once against a price book that records each key it is asked for, with every usage figure
 * present, so that --live-prices can look the rates up while the metrics are being read.
 */
export function neededRateKeys(env: CostContext['env'], inv: Inventory): string[] {
  const keys = new Set<string>()
  const recorder: PriceBook = {
    source: 'live',
    asOf: '',
    region: '',
    get(key): PricedRate {
      keys.add(key)
      return {key, usd: 1, unit: '', source: '', from: 'live'}
    },
  }
  const perBucket = new Map(inv.buckets.map((b) => [b.key, everything]))
  const usage: Usage = {
    window: {start: '', end: '', days: 1},
    natGb: new Map(inv.natGateways.map((n) => [n.id, everything])),
    albLcuHours: everything,
    cloudfrontGb: everything,
    cloudfrontRequests: everything,
    s3StorageGb: perBucket,
    s3Objects: perBucket,
    s3Puts: perBucket,
    s3Gets: perBucket,
  }
  const est = buildEstimate(inv, usage, recorder, {freeTier: true})
  computeSavings(env, inv, usage, est, recorder)
  return [...keys].sort()
}

async function prices(ctx: CostContext, inv: Inventory, opts: CostOptions, warnings: string[]): Promise<PriceBook> {
  if (!opts.livePrices) return tablePriceBook(ctx.region)
  try {
    const live = await livePriceBook(ctx.aws, ctx.region, neededRateKeys(ctx.env, inv), {
      now: ctx.now,
      signal: ctx.signal,
    })
    warnings.push(...live.warnings)
    return live.book
  } catch (error) {
    const failed = awsFailure(error, 'The AWS Pricing API failed', opts.profile)
    if (!isUserError(failed)) throw failed
    const why = `${failed.message}${failed.suggestions[0] ? ` ${failed.suggestions[0]}` : ''}`
    if (!hasTablePrices(ctx.region)) {
      throw new UserError(`--live-prices: ${why} The embedded table has no prices for ${ctx.region} to fall back to.`, {
        exit: EXIT.FAILED,
        code: 'NO_PRICES',
        cause: error,
        suggestions: [
          'Grant pricing:GetProducts (the Pricing API endpoint is us-east-1) and check network access to api.pricing.us-east-1.amazonaws.com.',
        ],
      })
    }

    warnings.push(
      `--live-prices: ${why} Using the embedded ${ctx.region} price table dated ${PRICE_TABLE.asOf} instead.`,
    )
    return tablePriceBook(ctx.region)
  }
}

async function usage(ctx: CostContext, inv: Inventory, warnings: string[]): Promise<Usage | undefined> {
  try {
    return await collectUsage(ctx, inv)
  } catch (error) {
    if (classifyAwsError(error) !== 'access-denied') throw awsFailure(error, 'CloudWatch GetMetricData failed')
    warnings.push(
      `CloudWatch metrics could not be read (${describeAwsError(error)}): usage-based lines are not estimated. ${hintFor(error) ?? ''}`.trim(),
    )
    return undefined
  }
}

export async function costReport(ctx: CostContext, opts: CostOptions): Promise<CostReport> {
  if (!opts.livePrices && !hasTablePrices(ctx.region)) throw noTablePricesError(ctx.region)
  let inv: Inventory
  try {
    inv = await collectInventory(ctx)
  } catch (error) {
    throw awsFailure(error, `Could not read what runs in ${ctx.env.name} (${ctx.region})`, opts.profile)
  }

  const warnings: string[] = []
  const [book, used] = await Promise.all([prices(ctx, inv, opts, warnings), usage(ctx, inv, warnings)])
  const est = buildEstimate(inv, used, book, {freeTier: opts.freeTier})
  return {
    environment: ctx.env.name,
    region: ctx.region,
    asOf: book.asOf,
    pricesSource: book.source,
    hoursPerMonth: HOURS_PER_MONTH,
    lines: est.lines,
    subtotals: est.subtotals,
    total: est.total,
    usageNotEstimated: est.usageNotEstimated,
    savings: computeSavings(ctx.env, inv, used, est, book).sort((a, b) => b.monthly - a.monthly),
    notFound: inv.notFound,
    notes: [...inv.notes, ...est.notes],
    warnings,
    usageWindow: used?.window,
  }
}
