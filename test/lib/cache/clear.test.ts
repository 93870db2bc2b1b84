import {
  CreateInvalidationCommand,
  type CreateInvalidationCommandOutput,
  ListDistributionsCommand,
  ListInvalidationsCommand,
  type ListInvalidationsCommandOutput,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-cloudfront'
import {beforeEach, describe, expect, it} from 'vitest'

import {createAwsClients} from '../../../src/aws/clients.js'
import {type CacheClearOptions, clearCache} from '../../../src/lib/cache/clear.js'
import {accessDenied, mocks, resetMocks} from '../../helpers/aws.js'
import {distributionList, distributionSummary} from '../../helpers/cloudfront.js'
import {envWith, NOW} from '../../helpers/context.js'

const created = (): CreateInvalidationCommandOutput => ({
  Invalidation: {
    Id: 'I2J3K4L5M6',
    Status: 'InProgress',
    CreateTime: NOW,
    InvalidationBatch: {CallerReference: 'r', Paths: {Quantity: 1, Items: ['/*']}},
  },
  Location: 'loc',
  $metadata: {},
})
const noInvalidations = (): ListInvalidationsCommandOutput => ({
  InvalidationList: {Items: [], Quantity: 0, IsTruncated: false, Marker: '', MaxItems: 100},
  $metadata: {},
})

/** The flow without the command: output goes to two arrays, the clock is fixed. */
function setup(over: Partial<CacheClearOptions> = {}) {
  const out: string[] = []
  const err: string[] = []
  const options: CacheClearOptions = {
    aws: createAwsClients({region: 'us-east-1'}),
    env: envWith({}, 'staging'),
    wait: false,
    yes: false,
    dryRun: false,
    commandLine: 'allthrive cache clear -e staging',
    now: () => NOW,
    log: (line) => out.push(line),
    notice: (line) => err.push(line),
    ...over,
  }
  return {out, err, options}
}

beforeEach(() => {
  resetMocks()
  const staging = distributionSummary('ESTAGE456', ['staging.allthrive.ai'], 'staging-allthrive')
  mocks.cloudfront.on(ListDistributionsCommand).resolves(distributionList([staging]))
  mocks.cloudfront.on(ListTagsForResourceCommand).resolves({Tags: {Items: []}, $metadata: {}})
  mocks.cloudfront.on(ListInvalidationsCommand).resolves(noInvalidations())
  mocks.cloudfront.on(CreateInvalidationCommand).resolves(created())
})

describe('clearCache', () => {
  it('with dryRun, says what it would do on stdout and creates nothing', async () => {
    const {out, err, options} = setup({dryRun: true, paths: ['/a', '/a']})
    const result = await clearCache(options)
    expect(result).toMatchObject({distributionId: 'ESTAGE456', status: 'DryRun', paths: ['/a']})
    expect(result).toMatchObject({invalidationId: null, callerReference: null})
    expect(out.at(-1)).toBe(
      'Dry run: would clear the CloudFront cache for /a in distribution ESTAGE456 (staging.allthrive.ai). ' +
        'Nothing was created; run again without --dry-run to do it.',
    )
    expect(err).toEqual(['Warning: Left out /a: duplicate of /a.'])
    expect(mocks.cloudfront.commandCalls(CreateInvalidationCommand)).toHaveLength(0)
  })

  it('creates the invalidation with a CallerReference of the injected clock, and says how to wait for it', async () => {
    const {out, options} = setup({profile: 'ops'})
    const result = await clearCache(options)
    expect(result).toMatchObject({invalidationId: 'I2J3K4L5M6', status: 'InProgress', paths: ['/*']})
    expect(result.callerReference).toMatch(/^allthrive-staging-20261126T120000000Z-[0-9a-f]{8}$/)
    const calls = mocks.cloudfront.commandCalls(CreateInvalidationCommand)
    expect(calls.map((c) => c.args[0].input.InvalidationBatch?.CallerReference)).toEqual([result.callerReference])
    const wait = 'aws cloudfront wait invalidation-completed --distribution-id ESTAGE456 --id I2J3K4L5M6 --profile ops'
    expect(out.at(-1)).toBe(`Wait for it with: ${wait}`)
  })

  it('turns AccessDenied on a read into a UserError naming the IAM action (exit 1)', async () => {
    mocks.cloudfront.on(ListDistributionsCommand).rejects(accessDenied('cloudfront:ListDistributions'))
    const {options} = setup()
    await expect(clearCache(options)).rejects.toMatchObject({
      message: expect.stringContaining('AWS refused cloudfront:ListDistributions'),
      exit: 1,
      code: 'AWS_ACCESS_DENIED',
      suggestions: [
        'Grant cloudfront:ListDistributions to the caller (see README "IAM policy"), or run with a role that has it.',
      ],
    })
  })
})
