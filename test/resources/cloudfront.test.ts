import {
  AccessDenied,
  type DistributionSummary,
  GetDistributionCommand,
  ListDistributionsCommand,
  ListTagsForResourceCommand,
  type ListTagsForResourceCommandOutput,
  NoSuchDistribution,
} from '@aws-sdk/client-cloudfront'
import {beforeEach, describe, expect, it} from 'vitest'

import {createAwsClients} from '../../src/aws/clients.js'
import type {EnvConfig} from '../../src/config.js'
import {UserError} from '../../src/errors.js'
import {
  apexDomain,
  bucketOfOrigin,
  commentNames,
  type DistributionLookupContext,
  findDistribution,
  listDistributions,
} from '../../src/resources/cloudfront.js'
import {mapBounded} from '../../src/util/concurrency.js'
import {mocks} from '../helpers/aws.js'
import {
  distributionDetail as detail,
  distributionList as listed,
  distributionSummary as summary,
} from '../helpers/cloudfront.js'
import {envWith} from '../helpers/context.js'

/** What moto returns: no Aliases, no Comment in the summary. */
const bare = (s: DistributionSummary): DistributionSummary => ({...s, Aliases: undefined, Comment: undefined})

const tags = (items: Record<string, string>): ListTagsForResourceCommandOutput => ({
  Tags: {Items: Object.entries(items).map(([Key, Value]) => ({Key, Value}))},
  $metadata: {},
})

const PROD = summary('EPROD', ['allthrive.ai', '*.allthrive.ai'], 'production-allthrive')
const STAGING = summary('ESTAGE', ['staging.allthrive.ai'], 'staging-allthrive')
const OTHER = summary('EOTHER', ['docs.example.com'], 'marketing site')

const domainsOf = (...domains: string[]) => ({domains, cloudfrontDomains: domains})
const PROD_DOMAINS = domainsOf('allthrive.ai', '*.allthrive.ai')
const STAGING_DOMAINS = domainsOf('staging.allthrive.ai', '*.staging.allthrive.ai')

function ctx(env: Partial<EnvConfig> = {}, name = 'production'): DistributionLookupContext {
  return {aws: createAwsClients({region: 'us-east-1'}), env: envWith(env, name)}
}

async function failure(p: Promise<unknown>): Promise<UserError> {
  const e = await p.catch((error: unknown) => error)
  expect(e).toBeInstanceOf(UserError)
  return e as UserError
}

beforeEach(() => {
  mocks.cloudfront.reset()
  mocks.cloudfront.on(ListTagsForResourceCommand).resolves(tags({}))
})

describe('findDistribution', () => {
  it('uses cloudfront.distributionId from config, confirming it exists, without listing', async () => {
    mocks.cloudfront
      .on(GetDistributionCommand, {Id: 'ECONF'})
      .resolves(detail(summary('ECONF', ['cdn.allthrive.ai'], 'configured')))
    const found = await findDistribution(ctx({cloudfront: {distributionId: 'ECONF'}}))
    expect(found).toMatchObject({
      id: 'ECONF',
      domainName: 'econf.cloudfront.net',
      aliases: ['cdn.allthrive.ai'],
      matchedBy: 'config',
    })
    expect(mocks.cloudfront).toHaveReceivedCommandTimes(ListDistributionsCommand, 0)
  })

  it('says so when the configured id does not exist (exit 1)', async () => {
    mocks.cloudfront.on(GetDistributionCommand).rejects(
      new NoSuchDistribution({
        message: 'The specified distribution does not exist.',
        $metadata: {httpStatusCode: 404},
      }),
    )
    const e = await failure(findDistribution(ctx({cloudfront: {distributionId: 'EGONE'}})))
    expect(e.message).toBe(
      'CloudFront distribution EGONE (cloudfront.distributionId of "production" in allthrive.config.json) does not exist in this account.',
    )
    expect(e).toMatchObject({exit: 1, code: 'CLOUDFRONT_NOT_FOUND'})
  })

  it('finds the distribution whose aliases include the apex domain', async () => {
    mocks.cloudfront.on(ListDistributionsCommand).resolves(listed([OTHER, STAGING, PROD]))
    await expect(findDistribution(ctx(PROD_DOMAINS))).resolves.toMatchObject({
      id: 'EPROD',
      matchedBy: 'apex-alias',
      reason: 'alias allthrive.ai',
    })
    await expect(findDistribution(ctx(STAGING_DOMAINS, 'staging'))).resolves.toMatchObject({
      id: 'ESTAGE',
      reason: 'alias staging.allthrive.ai',
    })
    expect(mocks.cloudfront).toHaveReceivedCommandTimes(ListTagsForResourceCommand, 0)
  })

  it("finds one whose aliases include another of the environment's domains", async () => {
    mocks.cloudfront.on(ListDistributionsCommand).resolves(listed([summary('EWILD', ['*.staging.allthrive.ai']), PROD]))
    await expect(findDistribution(ctx(STAGING_DOMAINS, 'staging'))).resolves.toMatchObject({
      id: 'EWILD',
      matchedBy: 'alias',
      reason: 'alias *.staging.allthrive.ai',
    })
  })

  it("never takes production's *.allthrive.ai distribution for staging", async () => {
    mocks.cloudfront.on(ListDistributionsCommand).resolves(listed([PROD]))
    const e = await failure(findDistribution(ctx(STAGING_DOMAINS, 'staging')))
    expect(e.code).toBe('CLOUDFRONT_NOT_FOUND')
  })

  it('reads every page of ListDistributions', async () => {
    mocks.cloudfront
      .on(ListDistributionsCommand)
      .resolves(listed([OTHER], 'm2'))
      .on(ListDistributionsCommand, {Marker: 'm2'})
      .resolves(listed([PROD]))
    await expect(findDistribution(ctx())).resolves.toMatchObject({id: 'EPROD'})
    expect(mocks.cloudfront).toHaveReceivedCommandTimes(ListDistributionsCommand, 2)
  })

  it('completes summaries that lack Aliases (moto) with GetDistribution, only for those', async () => {
    mocks.cloudfront.on(ListDistributionsCommand).resolves(listed([OTHER, bare(STAGING), bare(PROD)]))
    mocks.cloudfront
      .on(GetDistributionCommand, {Id: 'ESTAGE'})
      .resolves(detail(STAGING))
      .on(GetDistributionCommand, {Id: 'EPROD'})
      .resolves(detail(PROD))
    await expect(findDistribution(ctx())).resolves.toMatchObject({
      id: 'EPROD',
      aliases: ['allthrive.ai', '*.allthrive.ai'],
      comment: 'production-allthrive',
    })
    expect(mocks.cloudfront).toHaveReceivedCommandTimes(GetDistributionCommand, 2)
  })

  it('falls back to the Environment tag', async () => {
    mocks.cloudfront.on(ListDistributionsCommand).resolves(listed([OTHER, summary('ETAG', []), summary('EDEV', [])]))
    mocks.cloudfront
      .on(ListTagsForResourceCommand)
      .resolves(tags({}))
      .on(ListTagsForResourceCommand, {Resource: 'arn:aws:cloudfront::123456789012:distribution/ETAG'})
      .resolves(tags({Environment: 'production', Team: 'web'}))
      .on(ListTagsForResourceCommand, {Resource: 'arn:aws:cloudfront::123456789012:distribution/EDEV'})
      .resolves(tags({Environment: 'dev'}))
    await expect(findDistribution(ctx())).resolves.toMatchObject({
      id: 'ETAG',
      matchedBy: 'tag',
      reason: 'tag Environment=production',
    })
  })

  it('with no domains configured, guesses none: finds by the frontend bucket origin, then by comment', async () => {
    const origin = (bucket: string) => ({
      Origins: {
        Quantity: 1,
        Items: [
          {
            Id: 's3',
            DomainName: `${bucket}.s3.us-east-1.amazonaws.com`,
            S3OriginConfig: {OriginAccessIdentity: ''},
            OriginAccessControlId: 'EOAC',
          },
        ],
      },
    })
    mocks.cloudfront
      .on(ListDistributionsCommand)
      .resolves(
        listed([
          PROD,
          summary('EBKT', [], 'frontend', origin('production-allthrive-frontend')),
          summary('ESTG', [], 'frontend', origin('staging-allthrive-frontend')),
        ]),
      )
    await expect(findDistribution(ctx())).resolves.toMatchObject({
      id: 'EBKT',
      matchedBy: 'bucket-origin',
      reason: 'S3 origin on the frontend bucket production-allthrive-frontend',
    })
    await expect(
      findDistribution(ctx({buckets: {frontend: 'web-assets', media: 'm', backups: 'b'}})),
    ).resolves.toMatchObject({id: 'EPROD', matchedBy: 'comment'})
  })

  it('names no aliases in what was searched when no domains are configured', async () => {
    mocks.cloudfront.on(ListDistributionsCommand).resolves(listed([OTHER]))
    const e = await failure(findDistribution(ctx()))
    expect(e.message).toContain(': no domains are configured to match aliases, none is tagged Environment=production, ')
  })

  it('falls back to a comment naming the environment', async () => {
    mocks.cloudfront
      .on(ListDistributionsCommand)
      .resolves(
        listed([
          OTHER,
          summary('ENON', [], 'non-production sandbox'),
          summary('ECOM', [], 'production-allthrive frontend'),
        ]),
      )
    await expect(findDistribution(ctx())).resolves.toMatchObject({
      id: 'ECOM',
      matchedBy: 'comment',
      reason: 'comment "production-allthrive frontend"',
    })
  })

  it('says what was searched when nothing matches (exit 1), and how to configure the id', async () => {
    mocks.cloudfront.on(ListDistributionsCommand).resolves(listed([OTHER, STAGING]))
    const e = await failure(findDistribution(ctx(PROD_DOMAINS)))
    expect(e.message).toBe(
      'No CloudFront distribution found for "production" among the account\'s 2 distributions:' +
        ' none has an alias allthrive.ai or *.allthrive.ai, none is tagged Environment=production,' +
        ' none has an S3 origin on production-allthrive-frontend,' +
        ' and no comment names "production" (such as "production-allthrive").',
    )
    expect(e.suggestions).toContain(
      'Set it in allthrive.config.json: {"environments": {"production": {"cloudfront": {"distributionId": "E1234567890ABC"}}}}',
    )
    expect(e.suggestions[0]).toMatch(/^List them: aws cloudfront list-distributions /)
    expect(e).toMatchObject({exit: 1, code: 'CLOUDFRONT_NOT_FOUND'})
  })

  it('searches the configured cloudfrontDomains', async () => {
    mocks.cloudfront.on(ListDistributionsCommand).resolves(listed([summary('ECDN', ['cdn.example.org'])]))
    await expect(findDistribution(ctx({cloudfrontDomains: ['cdn.example.org']}))).resolves.toMatchObject({id: 'ECDN'})
    const e = await failure(findDistribution(ctx({cloudfrontDomains: ['www.example.org']})))
    expect(e.message).toContain('none has an alias www.example.org,')
  })

  it('notes tags it could not read, and still tries the comment', async () => {
    mocks.cloudfront.on(ListDistributionsCommand).resolves(listed([OTHER]))
    mocks.cloudfront.on(ListTagsForResourceCommand).rejects(
      new AccessDenied({
        message: 'not authorized to perform: cloudfront:ListTagsForResource',
        $metadata: {httpStatusCode: 403},
      }),
    )
    const e = await failure(findDistribution(ctx()))
    expect(e.message).toContain(
      'tags could not be read (AccessDenied (HTTP 403): not authorized to perform: cloudfront:ListTagsForResource)',
    )
  })

  it('refuses to guess between several matches (exit 2), listing id, aliases and comment', async () => {
    mocks.cloudfront
      .on(ListDistributionsCommand)
      .resolves(
        listed([
          summary('EA', ['a.example.com'], 'production-allthrive old'),
          summary('EB', [], 'production-allthrive new'),
        ]),
      )
    const e = await failure(findDistribution(ctx()))
    expect(e.message).toBe(
      '2 CloudFront distributions match "production" by comment naming "production": ' +
        'EA (ea.cloudfront.net; aliases: a.example.com; comment: "production-allthrive old"); ' +
        'EB (eb.cloudfront.net; aliases: none; comment: "production-allthrive new"). Which one to use is not guessed.',
    )
    expect(e.suggestions).toEqual([
      'Set it in allthrive.config.json: {"environments": {"production": {"cloudfront": {"distributionId": "EA"}}}}',
    ])
    expect(e).toMatchObject({exit: 2, code: 'CLOUDFRONT_AMBIGUOUS'})
  })

  it('refuses to guess between two tagged distributions', async () => {
    mocks.cloudfront.on(ListDistributionsCommand).resolves(listed([summary('EA', []), summary('EB', [])]))
    mocks.cloudfront.on(ListTagsForResourceCommand).resolves(tags({Environment: 'Production'}))
    expect((await failure(findDistribution(ctx()))).message).toMatch(
      /^2 CloudFront distributions match "production" by tag Environment=production: EA .*; EB /,
    )
  })
})

describe('helpers', () => {
  it('lists the distributions once per client factory', async () => {
    mocks.cloudfront.on(ListDistributionsCommand).resolves(listed([PROD]))
    const c = ctx()
    await Promise.all([listDistributions(c), listDistributions(c), findDistribution(c)])
    expect(mocks.cloudfront).toHaveReceivedCommandTimes(ListDistributionsCommand, 1)
  })

  it.each([
    ['production-allthrive', true],
    ['Production CDN', true],
    ['cdn (production)', true],
    ['non-production', false],
    ['productions', false],
    ['pre-production-allthrive', false],
    ['', false],
  ])('commentNames(%j, production) = %s', (comment, expected) => {
    expect(commentNames(comment, 'production')).toBe(expected)
  })

  it.each([
    ['web.s3.amazonaws.com', 'web'],
    ['web.s3.eu-west-1.amazonaws.com', 'web'],
    ['web.s3-eu-west-1.amazonaws.com', 'web'],
    ['my.dotted.bucket.s3.us-east-1.amazonaws.com', 'my.dotted.bucket'],
    ['web.s3-website-us-east-1.amazonaws.com', undefined],
    ['production-allthrive-alb-1.us-east-1.elb.amazonaws.com', undefined],
  ])('reads the bucket of origin %s', (domain, bucket) => {
    expect(bucketOfOrigin(domain)).toBe(bucket)
  })

  it('takes the first non-wildcard domain as the apex', () => {
    expect(apexDomain(['*.allthrive.ai', 'allthrive.ai'])).toBe('allthrive.ai')
    expect(apexDomain(['*.staging.allthrive.ai'])).toBe('staging.allthrive.ai')
  })

  it('mapBounded keeps order and the limit', async () => {
    let running = 0
    let peak = 0
    const out = await mapBounded([5, 1, 4, 2, 3], 2, async (n) => {
      peak = Math.max(peak, ++running)
      await new Promise((r) => setTimeout(r, n))
      running--
      return n * 10
    })
    expect(out).toEqual([50, 10, 40, 20, 30])
    expect(peak).toBe(2)
  })
})
