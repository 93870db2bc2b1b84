import {
  AccessDenied,
  CloudFrontClient,
  type Distribution,
  type DistributionSummary,
  GetDistributionCommand,
  type GetDistributionCommandOutput,
  ListDistributionsCommand,
  type ListDistributionsCommandOutput,
  ListTagsForResourceCommand,
  type ListTagsForResourceCommandOutput,
  NoSuchDistribution,
} from '@aws-sdk/client-cloudfront'
import {mockClient} from 'aws-sdk-client-mock'
import {beforeEach, describe, expect, it} from 'vitest'

import {createAwsClients} from '../../src/aws/clients.js'
import type {EnvConfig} from '../../src/config.js'
import {UserError} from '../../src/errors.js'
import {apexDomain, commentNames, type DistributionLookupContext, findDistribution, listDistributions} from '../../src/lib/cloudfront.js'
import {mapBounded} from '../../src/lib/concurrency.js'
import {envWith} from '../helpers/context.js'

const cf = mockClient(CloudFrontClient)

/** A DistributionSummary as AWS returns it (Aliases and Comment always present). */
function summary(id: string, aliases: string[], comment = ''): DistributionSummary {
  return {
    Id: id,
    ARN: `arn:aws:cloudfront::123456789012:distribution/${id}`,
    Status: 'Deployed',
    LastModifiedTime: new Date('2026-11-01T00:00:00Z'),
    DomainName: `${id.toLowerCase()}.cloudfront.net`,
    Aliases: {Quantity: aliases.length, Items: aliases},
    Origins: {Quantity: 0, Items: []},
    DefaultCacheBehavior: {TargetOriginId: 'o', ViewerProtocolPolicy: 'redirect-to-https'},
    CacheBehaviors: {Quantity: 0},
    CustomErrorResponses: {Quantity: 0},
    Comment: comment,
    PriceClass: 'PriceClass_100',
    Enabled: true,
    ViewerCertificate: {},
    Restrictions: {GeoRestriction: {RestrictionType: 'none', Quantity: 0}},
    WebACLId: '',
    HttpVersion: 'http2',
    IsIPV6Enabled: true,
    Staging: false,
  }
}

/** What moto returns: no Aliases, no Comment in the summary. */
const bare = (s: DistributionSummary): DistributionSummary => ({...s, Aliases: undefined, Comment: undefined})

function detail(s: DistributionSummary): GetDistributionCommandOutput {
  const d: Distribution = {
    Id: s.Id,
    ARN: s.ARN,
    Status: s.Status,
    LastModifiedTime: s.LastModifiedTime,
    InProgressInvalidationBatches: 0,
    DomainName: s.DomainName,
    DistributionConfig: {
      CallerReference: 'ref',
      Aliases: s.Aliases,
      Origins: s.Origins,
      DefaultCacheBehavior: s.DefaultCacheBehavior,
      Comment: s.Comment ?? '',
      Enabled: true,
    },
  }
  return {Distribution: d, ETag: 'etag', $metadata: {}}
}

const listed = (items: DistributionSummary[], next?: string): ListDistributionsCommandOutput => ({
  DistributionList: {Items: items, Quantity: items.length, IsTruncated: Boolean(next), NextMarker: next, Marker: '', MaxItems: 100},
  $metadata: {},
})

const tags = (items: Record<string, string>): ListTagsForResourceCommandOutput => ({
  Tags: {Items: Object.entries(items).map(([Key, Value]) => ({Key, Value}))},
  $metadata: {},
})

const PROD = summary('EPROD', ['allthrive.ai', '*.allthrive.ai'], 'production-allthrive')
const STAGING = summary('ESTAGE', ['staging.allthrive.ai'], 'staging-allthrive')
const OTHER = summary('EOTHER', ['docs.example.com'], 'marketing site')

function ctx(env: Partial<EnvConfig> = {}, name = 'production'): DistributionLookupContext {
  return {aws: createAwsClients({region: 'us-east-1'}), env: envWith(env, name)}
}

async function failure(p: Promise<unknown>): Promise<UserError> {
  const e = await p.catch((error: unknown) => error)
  expect(e).toBeInstanceOf(UserError)
  return e as UserError
}

beforeEach(() => {
  cf.reset()
  cf.on(ListTagsForResourceCommand).resolves(tags({}))
})

describe('findDistribution', () => {
  it('uses cloudfront.distributionId from config, confirming it exists, without listing', async () => {
    cf.on(GetDistributionCommand, {Id: 'ECONF'}).resolves(detail(summary('ECONF', ['cdn.allthrive.ai'], 'configured')))
    const found = await findDistribution(ctx({cloudfront: {distributionId: 'ECONF'}}))
    expect(found).toMatchObject({id: 'ECONF', domainName: 'econf.cloudfront.net', aliases: ['cdn.allthrive.ai'], matchedBy: 'config'})
    expect(cf).toHaveReceivedCommandTimes(ListDistributionsCommand, 0)
  })

  it('says so when the configured id does not exist (exit 1)', async () => {
    cf.on(GetDistributionCommand).rejects(new NoSuchDistribution({message: 'The specified distribution does not exist.', $metadata: {httpStatusCode: 404}}))
    const e = await failure(findDistribution(ctx({cloudfront: {distributionId: 'EGONE'}})))
    expect(e.message).toBe('CloudFront distribution EGONE (cloudfront.distributionId of "production" in allthrive.config.json) does not exist in this account.')
    expect(e).toMatchObject({exit: 1, code: 'CLOUDFRONT_NOT_FOUND'})
  })

  it('finds the distribution whose aliases include the apex domain', async () => {
    cf.on(ListDistributionsCommand).resolves(listed([OTHER, STAGING, PROD]))
    await expect(findDistribution(ctx())).resolves.toMatchObject({id: 'EPROD', matchedBy: 'apex-alias', reason: 'alias allthrive.ai'})
    await expect(findDistribution(ctx({}, 'staging'))).resolves.toMatchObject({id: 'ESTAGE', reason: 'alias staging.allthrive.ai'})
    expect(cf).toHaveReceivedCommandTimes(ListTagsForResourceCommand, 0)
  })

  it('finds one whose aliases include another of the environment\'s domains', async () => {
    cf.on(ListDistributionsCommand).resolves(listed([summary('EWILD', ['*.staging.allthrive.ai']), PROD]))
    await expect(findDistribution(ctx({}, 'staging'))).resolves.toMatchObject({id: 'EWILD', matchedBy: 'alias', reason: 'alias *.staging.allthrive.ai'})
  })

  it('never takes production\'s *.allthrive.ai distribution for staging', async () => {
    cf.on(ListDistributionsCommand).resolves(listed([PROD]))
    const e = await failure(findDistribution(ctx({}, 'staging')))
    expect(e.code).toBe('CLOUDFRONT_NOT_FOUND')
  })

  it('reads every page of ListDistributions', async () => {
    cf.on(ListDistributionsCommand).resolves(listed([OTHER], 'm2')).on(ListDistributionsCommand, {Marker: 'm2'}).resolves(listed([PROD]))
    await expect(findDistribution(ctx())).resolves.toMatchObject({id: 'EPROD'})
    expect(cf).toHaveReceivedCommandTimes(ListDistributionsCommand, 2)
  })

  it('completes summaries that lack Aliases (moto) with GetDistribution, only for those', async () => {
    cf.on(ListDistributionsCommand).resolves(listed([OTHER, bare(STAGING), bare(PROD)]))
    cf.on(GetDistributionCommand, {Id: 'ESTAGE'}).resolves(detail(STAGING)).on(GetDistributionCommand, {Id: 'EPROD'}).resolves(detail(PROD))
    await expect(findDistribution(ctx())).resolves.toMatchObject({id: 'EPROD', aliases: ['allthrive.ai', '*.allthrive.ai'], comment: 'production-allthrive'})
    expect(cf).toHaveReceivedCommandTimes(GetDistributionCommand, 2)
  })

  it('falls back to the Environment tag', async () => {
    cf.on(ListDistributionsCommand).resolves(listed([OTHER, summary('ETAG', []), summary('EDEV', [])]))
    cf.on(ListTagsForResourceCommand)
      .resolves(tags({}))
      .on(ListTagsForResourceCommand, {Resource: 'arn:aws:cloudfront::123456789012:distribution/ETAG'})
      .resolves(tags({Environment: 'production', Team: 'web'}))
      .on(ListTagsForResourceCommand, {Resource: 'arn:aws:cloudfront::123456789012:distribution/EDEV'})
      .resolves(tags({Environment: 'dev'}))
    await expect(findDistribution(ctx())).resolves.toMatchObject({id: 'ETAG', matchedBy: 'tag', reason: 'tag Environment=production'})
  })

  it('falls back to a comment naming the environment', async () => {
    cf.on(ListDistributionsCommand).resolves(listed([OTHER, summary('ENON', [], 'non-production sandbox'), summary('ECOM', [], 'production-allthrive frontend')]))
    await expect(findDistribution(ctx())).resolves.toMatchObject({id: 'ECOM', matchedBy: 'comment', reason: 'comment "production-allthrive frontend"'})
  })

  it('says what was searched when nothing matches (exit 1), and how to configure the id', async () => {
    cf.on(ListDistributionsCommand).resolves(listed([OTHER, STAGING]))
    const e = await failure(findDistribution(ctx()))
    expect(e.message).toBe('No CloudFront distribution found for "production" among the account\'s 2 distributions: none has an alias allthrive.ai or *.allthrive.ai, none is tagged Environment=production, and no comment names "production" (such as "production-allthrive").')
    expect(e.suggestions).toContain('Set it in allthrive.config.json: {"environments": {"production": {"cloudfront": {"distributionId": "E1234567890ABC"}}}}')
    expect(e.suggestions[0]).toMatch(/^List them: aws cloudfront list-distributions /)
    expect(e).toMatchObject({exit: 1, code: 'CLOUDFRONT_NOT_FOUND'})
  })

  it('searches the configured cloudfrontDomains', async () => {
    cf.on(ListDistributionsCommand).resolves(listed([summary('ECDN', ['cdn.example.org'])]))
    await expect(findDistribution(ctx({cloudfrontDomains: ['cdn.example.org']}))).resolves.toMatchObject({id: 'ECDN'})
    const e = await failure(findDistribution(ctx({cloudfrontDomains: ['www.example.org']})))
    expect(e.message).toContain('none has an alias www.example.org,')
  })

  it('notes tags it could not read, and still tries the comment', async () => {
    cf.on(ListDistributionsCommand).resolves(listed([OTHER]))
    cf.on(ListTagsForResourceCommand).rejects(new AccessDenied({message: 'not authorized to perform: cloudfront:ListTagsForResource', $metadata: {httpStatusCode: 403}}))
    const e = await failure(findDistribution(ctx()))
    expect(e.message).toContain('tags could not be read (AccessDenied (HTTP 403): not authorized to perform: cloudfront:ListTagsForResource)')
  })

  it('refuses to guess between several matches (exit 2), listing id, aliases and comment', async () => {
    cf.on(ListDistributionsCommand).resolves(listed([summary('EA', ['a.example.com'], 'production-allthrive old'), summary('EB', [], 'production-allthrive new')]))
    const e = await failure(findDistribution(ctx()))
    expect(e.message).toBe('2 CloudFront distributions match "production" by comment naming "production": '
      + 'EA (ea.cloudfront.net; aliases: a.example.com; comment: "production-allthrive old"); '
      + 'EB (eb.cloudfront.net; aliases: none; comment: "production-allthrive new"). Which one to use is not guessed.')
    expect(e.suggestions).toEqual(['Set it in allthrive.config.json: {"environments": {"production": {"cloudfront": {"distributionId": "EA"}}}}'])
    expect(e).toMatchObject({exit: 2, code: 'CLOUDFRONT_AMBIGUOUS'})
  })

  it('refuses to guess between two tagged distributions', async () => {
    cf.on(ListDistributionsCommand).resolves(listed([summary('EA', []), summary('EB', [])]))
    cf.on(ListTagsForResourceCommand).resolves(tags({Environment: 'Production'}))
    expect((await failure(findDistribution(ctx()))).message).toMatch(/^2 CloudFront distributions match "production" by tag Environment=production: EA .*; EB /)
  })
})

describe('helpers', () => {
  it('lists the distributions once per client factory', async () => {
    cf.on(ListDistributionsCommand).resolves(listed([PROD]))
    const c = ctx()
    await Promise.all([listDistributions(c), listDistributions(c), findDistribution(c)])
    expect(cf).toHaveReceivedCommandTimes(ListDistributionsCommand, 1)
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
