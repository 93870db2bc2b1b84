import {GetMetricDataCommand} from '@aws-sdk/client-cloudwatch'
import {GetCostAndUsageCommand, GetCostForecastCommand} from '@aws-sdk/client-cost-explorer'
import {DescribeServicesCommand, DescribeTaskDefinitionCommand} from '@aws-sdk/client-ecs'
import {GetProductsCommand} from '@aws-sdk/client-pricing'
import {DescribeDBInstancesCommand} from '@aws-sdk/client-rds'
import {GetCallerIdentityCommand} from '@aws-sdk/client-sts'
import {captureOutput} from '@oclif/test'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import Cost, {type CostComparison} from '../../src/commands/cost.js'
import type {CostReport} from '../../src/lib/cost/types.js'
import {setClock} from '../../src/util/clock.js'
import {accessDenied, givenAccount, mocks} from '../helpers/aws.js'
import {env, mockReference, NOW, referenceMetrics, service, taskDefinition} from '../lib/cost/fixtures.js'

const root = import.meta.url
const run = <T = CostReport>(argv: string[]) => captureOutput<T>(() => Cost.run(argv, root))

describe('cost', () => {
  afterEach(() => setClock())
  beforeEach(() => {
    // The fixtures are dated (usage window, month-to-date): the command reads this clock, not today's.
    setClock(NOW)
    givenAccount()
    mockReference(env('production'))
    mocks.cloudwatch.on(GetMetricDataCommand).resolves(referenceMetrics())
  })

  it('prints the report as JSON and nothing else on stdout, exit 0', async () => {
    const {result, stdout, stderr} = await run(['--json'])
    expect(JSON.parse(stdout)).toEqual(JSON.parse(JSON.stringify(result)))
    expect(stderr).toBe('')
    expect(Object.keys(result!).sort()).toEqual([
      'asOf',
      'environment',
      'hoursPerMonth',
      'lines',
      'notFound',
      'notes',
      'pricesSource',
      'region',
      'savings',
      'subtotals',
      'total',
      'usageNotEstimated',
      'usageWindow',
      'warnings',
    ])
    expect(result).toMatchObject({
      environment: 'production',
      region: 'us-east-1',
      asOf: '2026-11-26',
      pricesSource: 'table',
      total: 160.75,
    })
    expect(result!.lines[0]).toEqual(
      expect.objectContaining({
        service: 'ECS Fargate',
        item: expect.any(String),
        quantity: 730,
        unitPrice: 0.024685,
        monthly: 18.02,
      }),
    )
    expect(result!.savings.map((s) => s.id)).toEqual(
      expect.arrayContaining([
        'fargate-spot',
        'fargate-arm',
        'rds-reserved',
        'elasticache-reserved',
        'vpc-endpoints',
        's3-intelligent-tiering',
      ]),
    )
    expect(result!.actual).toBeUndefined()
    expect(process.exitCode).toBe(0)
  })

  it('prints a table with subtotals per AWS service and a total', async () => {
    const {stdout} = await run(['-e', 'production'])
    const lines = stdout.split('\n')
    expect(lines[0]).toBe('production (us-east-1) — estimated $160.75 a month')
    expect(lines).toContainEqual(expect.stringMatching(/^AWS service\s+Item\s+Quantity\s+Unit price\s+Monthly$/))
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^ECS Fargate\s+web \(0\.5 vCPU, 1 GB, X86_64\) × 1 task on FARGATE\s+730 task-hour\s+\$0\.024685\s+\$18\.02$/,
      ),
    )
    expect(lines).toContainEqual(expect.stringMatching(/^\s+ECS Fargate subtotal\s+\$63\.07$/))
    expect(lines).toContainEqual(expect.stringMatching(/^Total\s+\$160\.75$/))
    expect(stdout).toContain('Savings:')
    expect(stdout).toContain('Weaviate: check the image supports arm64')
  })

  it('refuses a region without table prices, naming it and --live-prices, exit 2', async () => {
    const {error} = await run(['--region', 'eu-west-1'])
    expect(error?.message).toContain('The embedded price table has no prices for eu-west-1')
    expect(error?.suggestions?.[0]).toContain('--live-prices')
    expect(error?.oclif?.exit).toBe(2)
    expect(mocks.ecs).not.toHaveReceivedCommand(DescribeServicesCommand)
  })

  it('prices that region with --live-prices', async () => {
    const product = (usagetype: string, usd: string): string =>
      JSON.stringify({
        product: {attributes: {usagetype}},
        terms: {OnDemand: {a: {priceDimensions: {b: {unit: 'hrs', beginRange: '0', pricePerUnit: {USD: usd}}}}}},
      })
    mocks.pricing.on(GetProductsCommand).resolves({
      PriceList: [
        product('EU-Fargate-vCPU-Hours:perCPU', '0.0448400000'),
        product('EU-Fargate-GB-Hours', '0.0049100000'),
      ],
    })
    const {result} = await run(['--region', 'eu-west-1', '--live-prices', '--json'])
    expect(result).toMatchObject({region: 'eu-west-1', pricesSource: 'live'})
    expect(result!.subtotals['ECS Fargate']).toBe(Number((730 * (1.75 * 0.04484 + 3.5 * 0.00491)).toFixed(2)))
    expect(result!.lines.filter((l) => l.service === 'ECS Fargate').every((l) => l.priceSource === 'live')).toBe(true)
    expect(result!.usageNotEstimated.find((n) => n.service === 'RDS')?.reason).toContain(
      'neither the Pricing API nor the embedded table has it',
    )
    expect(process.exitCode).toBe(0)
  })

  it('falls back to the table when the Pricing API denies access, with a warning on stderr even with --json', async () => {
    mocks.pricing.on(GetProductsCommand).rejects(accessDenied('pricing:GetProducts'))
    const {result, stdout, stderr} = await run(['--live-prices', '--json'])
    expect(result).toMatchObject({pricesSource: 'table', total: 160.75})
    expect(stderr).toContain('Warning (production): --live-prices: The AWS Pricing API failed: AccessDeniedException')
    expect(stderr).toContain('pricing:GetProducts')
    expect(JSON.parse(stdout).warnings).toHaveLength(1)
    expect(process.exitCode).toBe(0)
  })

  it('--actual: Cost Explorer side by side with the estimate, saying what it costs', async () => {
    mocks.costExplorer.on(GetCostAndUsageCommand).resolves({
      ResultsByTime: [
        {
          Groups: [
            {Keys: ['Amazon Elastic Container Service'], Metrics: {UnblendedCost: {Amount: '50', Unit: 'USD'}}},
            {Keys: ['AmazonCloudWatch'], Metrics: {UnblendedCost: {Amount: '5', Unit: 'USD'}}},
          ],
        },
      ],
    })
    mocks.costExplorer.on(GetCostForecastCommand).resolves({Total: {Amount: '20', Unit: 'USD'}})
    const {stdout, stderr} = await run(['--actual', '--cost-tag', 'env'])
    expect(stderr).toContain('--actual: Cost Explorer charges $0.01 per request')
    expect(stderr).toContain('--actual: 2 Cost Explorer requests made ($0.02).')
    expect(mocks.costExplorer).toHaveReceivedCommandWith(GetCostAndUsageCommand, {
      Filter: {Tags: {Key: 'env', Values: ['production'], MatchOptions: ['EQUALS']}},
    })
    expect(stdout).toMatch(/Actual spend \(Cost Explorer, tag env=production/)
    expect(stdout).toMatch(/AmazonCloudWatch \(not estimated\)\s+-\s+\$5\.00/)
    expect(stdout).toMatch(/Unexplained difference: -\$85\.75 a month \(month-to-date \+ forecast − estimate\)\./)
    expect(process.exitCode).toBe(0)
  })

  it('--actual failing (AccessDenied on ce:GetCostAndUsage) keeps the estimate and exits 1', async () => {
    mocks.costExplorer.on(GetCostAndUsageCommand).rejects(accessDenied('ce:GetCostAndUsage'))
    mocks.costExplorer.on(GetCostForecastCommand).resolves({Total: {Amount: '20', Unit: 'USD'}})
    const {result} = await run(['--actual', '--json'])
    expect(result!.total).toBe(160.75)
    expect(result!.actualError?.message).toContain('ce:GetCostAndUsage')
    expect(process.exitCode).toBe(1)
  })

  it('--all-environments prices each configured environment side by side', async () => {
    const staging = env('staging')
    mocks.ecs.on(DescribeServicesCommand, {cluster: staging.cluster}).resolves({
      services: staging.services.map((s) => service(staging, s.key, {desiredCount: s.key === 'web' ? 2 : 1})),
    })
    for (const s of staging.services) {
      const td = taskDefinition(staging, s.key)
      mocks.ecs.on(DescribeTaskDefinitionCommand, {taskDefinition: td.taskDefinitionArn}).resolves({taskDefinition: td})
    }

    const {result} = await run<CostComparison>(['--all-environments', '--json'])
    expect(result!.environments.map((o) => [o.environment, o.report?.subtotals['ECS Fargate']])).toEqual([
      ['production', 63.07],
      ['staging', 81.09],
    ])
    const {stdout} = await run<CostComparison>(['--all-environments'])
    expect(stdout).toMatch(/^AWS service\s+production\s+staging$/m)
    expect(stdout).toMatch(/^ECS Fargate\s+\$63\.07\s+\$81\.09$/m)
    expect(process.exitCode).toBe(0)
  })

  it('--all-environments reports an environment it cannot price in its column, and exits 1', async () => {
    const {result, stdout} = await run<CostComparison>(['--all-environments', '--region', 'eu-west-1'])
    expect(result!.environments.map((o) => o.error?.message.slice(0, 57))).toEqual([
      'The embedded price table has no prices for eu-west-1: it ',
      'The embedded price table has no prices for eu-west-1: it ',
    ])
    expect(stdout).toMatch(/^Total\s+failed\s+failed$/m)
    expect(stdout).toContain('→ Ask the AWS Pricing API for eu-west-1 prices: add --live-prices')
    expect(process.exitCode).toBe(1)
  })

  it('exits 1 with the IAM action when an AWS failure prevents the estimate', async () => {
    mocks.rds.on(DescribeDBInstancesCommand).rejects(accessDenied('rds:DescribeDBInstances'))
    const {error} = await run([])
    expect(error?.message).toContain('Could not read what runs in production (us-east-1): AccessDeniedException')
    expect(error?.suggestions?.[0]).toContain('Grant rds:DescribeDBInstances')
    expect(error?.oclif?.exit).toBe(1)
  })

  it('exits 2 without credentials, before reading anything', async () => {
    mocks.sts
      .on(GetCallerIdentityCommand)
      .rejects(
        Object.assign(new Error('Could not load credentials from any providers'), {name: 'CredentialsProviderError'}),
      )
    const {error} = await run([])
    expect(error?.message).toBe('No AWS credentials were found.')
    expect(error?.oclif?.exit).toBe(2)
    expect(mocks.ecs).not.toHaveReceivedCommand(DescribeServicesCommand)
  })

  it('exits 2 on an unknown environment', async () => {
    const {error} = await run(['-e', 'prod'])
    expect(error?.message).toContain('Unknown environment "prod"')
    expect(error?.oclif?.exit).toBe(2)
  })
})
