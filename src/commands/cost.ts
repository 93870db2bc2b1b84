import {Flags} from '@oclif/core'
import {setMaxListeners} from 'node:events'

import {assertValidRegion} from '../aws/regions.js'
import {BaseCommand} from '../base-command.js'
import {type EnvConfig, knownEnvironments, resolveEnvironment} from '../config.js'
import {EXIT, isUserError} from '../errors.js'
import {actualCosts, CE_PRICE_PER_REQUEST} from '../lib/cost/actual.js'
import {hasTablePrices, noTablePricesError} from '../lib/cost/prices.js'
import {type EnvironmentOutcome, renderComparison, renderCostReport} from '../lib/cost/render.js'
import {awsFailure, costReport} from '../lib/cost/report.js'
import type {CostReport} from '../lib/cost/types.js'

export interface CostComparison {
  environments: EnvironmentOutcome[]
}

export default class Cost extends BaseCommand<typeof Cost> {
  static override summary = 'Estimate the monthly AWS cost of an environment from what actually runs'
  static override description = `Reads the environment's ECS services (task size, count, architecture, Fargate/Fargate Spot), RDS, ElastiCache, ALB, NAT gateways, public IPv4 addresses and secrets, prices them with an embedded, dated us-east-1 price table (or the AWS Pricing API with --live-prices), adds usage-based lines (NAT data, ALB LCUs, CloudFront, S3) from 7 days of CloudWatch metrics, and lists savings with their monthly effect. A month is 730 hours.

--actual adds month-to-date spend and the month's forecast from Cost Explorer, filtered by the cost allocation tag --cost-tag=<environment>. AWS charges $0.01 per Cost Explorer request (2 per environment).

EXIT CODES
  0  estimate computed (resources not found are listed, not errors)
  1  an AWS failure prevented the estimate (or --actual, or one environment, failed)
  2  usage, configuration or credentials error; a region without table prices`

  static override examples = [
    '<%= config.bin %> <%= command.id %> --environment staging',
    '<%= config.bin %> <%= command.id %> --environment production --live-prices --json',
    '<%= config.bin %> <%= command.id %> --environment production --actual --cost-tag Environment',
    '<%= config.bin %> <%= command.id %> --all-environments',
  ]

  static override flags = {
    'live-prices': Flags.boolean({
      summary:
        'Read prices from the AWS Pricing API (pricing:GetProducts) instead of the embedded table; falls back to the table if it fails.',
    }),
    actual: Flags.boolean({
      summary: 'Add month-to-date spend and forecast from Cost Explorer ($0.01 per request, 2 per environment).',
    }),
    'cost-tag': Flags.string({
      summary: 'Cost allocation tag key whose value is the environment name, for --actual.',
      default: 'Environment',
      helpValue: '<key>',
    }),
    'all-environments': Flags.boolean({
      summary: 'Price every configured environment (production, staging and allthrive.config.json) side by side.',
    }),
    'free-tier': Flags.boolean({
      summary:
        "Apply CloudFront's always-free tier (1 TB and 10M requests a month per account); --no-free-tier when other distributions use it.",
      default: true,
      allowNo: true,
    }),
  }

  public async run(): Promise<CostReport | CostComparison> {
    const {flags} = this
    const all = flags['all-environments']
    const loaded = all ? this.configFile : undefined
    // One environment: as the account has it (every service of its cluster); --all-environments: each by its model.
    const envs = loaded
      ? knownEnvironments(loaded.config).map((n) => resolveEnvironment(n, loaded))
      : [(await this.runContext()).env]
    const fallbackRegion = await this.aws.region()
    const regions = envs.map((env) => this.regionOf(env, fallbackRegion))
    if (!all && !flags['live-prices'] && !hasTablePrices(regions[0])) throw noTablePricesError(regions[0])
    await this.identity()
    if (flags.actual)
      this.stderr(
        `--actual: Cost Explorer charges $${CE_PRICE_PER_REQUEST.toFixed(2)} per request; this run makes at least ${2 * envs.length}.`,
      )

    const outcomes = await Promise.all(
      envs.map(async (env, i): Promise<EnvironmentOutcome> => {
        try {
          return {environment: env.name, report: await this.estimate(env, regions[i])}
        } catch (error) {
          if (!all || !isUserError(error)) throw error
          return {environment: env.name, error: {message: error.message, suggestions: error.suggestions}}
        }
      }),
    )

    for (const o of outcomes) for (const w of o.report?.warnings ?? []) this.stderr(`Warning (${o.environment}): ${w}`)
    const requests = outcomes.reduce((n, o) => n + (o.report?.actual?.requests ?? 0), 0)
    if (requests > 0)
      this.stderr(
        `--actual: ${requests} Cost Explorer requests made ($${(requests * CE_PRICE_PER_REQUEST).toFixed(2)}).`,
      )
    if (!this.jsonEnabled())
      for (const line of all ? renderComparison(outcomes) : renderCostReport(outcomes[0].report!)) this.log(line)
    process.exitCode = outcomes.some((o) => o.error || o.report?.actualError) ? EXIT.FAILED : EXIT.OK
    return all ? {environments: outcomes} : outcomes[0].report!
  }

  private async estimate(env: EnvConfig, region: string): Promise<CostReport> {
    const {flags} = this
    const now = this.now()
    const signal = AbortSignal.timeout(120_000)
    setMaxListeners(0, signal) // every concurrent AWS call listens to it
    const ctx = {env, region, aws: this.aws, now, signal}
    const report = await costReport(ctx, {
      livePrices: flags['live-prices'],
      freeTier: flags['free-tier'],
      profile: flags.profile,
    })
    if (!flags.actual) return report
    try {
      report.actual = await actualCosts(this.aws, {
        environment: env.name,
        tagKey: flags['cost-tag'],
        now,
        estimate: report.total,
        signal: ctx.signal,
      })
    } catch (error) {
      const failure = awsFailure(error, 'Cost Explorer failed', flags.profile)
      if (!isUserError(failure)) throw failure
      report.actualError = {message: failure.message, hint: failure.suggestions[0]}
    }

    return report
  }

  /** --region, then the environment's configured region, then AWS_REGION or the profile's. */
  private regionOf(env: EnvConfig, fallback: string): string {
    if (this.flags.region) return this.flags.region
    if (env.region) assertValidRegion(env.region, `the "${env.name}" environment in allthrive.config.json`)
    return env.region ?? process.env.AWS_REGION ?? fallback
  }

  /** Cost and price warnings go to stderr even with --json (stdout holds only the JSON). */
  private stderr(line: string): void {
    process.stderr.write(`${line}\n`)
  }
}
