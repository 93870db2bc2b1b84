import {
  type CacheBehavior,
  type DistributionConfig,
  GetCachePolicyCommand,
  GetDistributionCommand,
  type GetCachePolicyCommandOutput,
  GetOriginRequestPolicyCommand,
  type GetOriginRequestPolicyCommandOutput,
  ListDistributionsCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-cloudfront'
import {GetBucketPolicyCommand, type GetBucketPolicyCommandOutput} from '@aws-sdk/client-s3'
import {beforeEach, describe, expect, it} from 'vitest'

import {certificates} from '../../src/checks/certificates.js'
import {CACHING_DISABLED, cloudfront, cloudfrontGrants} from '../../src/checks/cloudfront.js'
import {accessDenied, awsError, mocks, resetMocks} from '../helpers/aws.js'
import {ctxWith, expectErrorNaming} from '../helpers/context.js'
import {twoProductionDistributions} from '../helpers/cloudfront.js'
import {certArn, certDetail, distributionOf, givenServing, inDays, LB_DNS, type Serving} from '../helpers/serving.js'

const ARN = 'arn:aws:cloudfront::123456789012:distribution/EPROD'
const OTHER_ARN = 'arn:aws:cloudfront::123456789012:distribution/ESTAGING'
const ALL_VIEWER = '216adef6-5c7f-47e4-b989-5492eafa07d3'
const CF_CERT = certArn('us-east-1', 'cf-prod')
const ALB_CERT = certArn('us-east-1', 'alb-prod')
const BUCKET = 'production-allthrive-frontend'

const api = (path: string, over: Partial<CacheBehavior> = {}): CacheBehavior => ({
  PathPattern: path,
  TargetOriginId: 'alb',
  ViewerProtocolPolicy: 'https-only',
  CachePolicyId: CACHING_DISABLED,
  OriginRequestPolicyId: ALL_VIEWER,
  ...over,
})

/** Production as it should be: the bucket through OAC, /api/* and /ws/* to the ALB uncached with all viewer headers. */
type Config = Partial<DistributionConfig>
function config(behaviours = [api('/api/*'), api('/ws/*')], over: Config = {}): Config {
  return {
    Origins: {
      Quantity: 2,
      Items: [
        {
          Id: 's3',
          DomainName: `${BUCKET}.s3.us-east-1.amazonaws.com`,
          S3OriginConfig: {OriginAccessIdentity: ''},
          OriginAccessControlId: 'E2OAC',
        },
        {
          Id: 'alb',
          DomainName: LB_DNS,
          CustomOriginConfig: {HTTPPort: 80, HTTPSPort: 443, OriginProtocolPolicy: 'https-only'},
        },
      ],
    },
    DefaultCacheBehavior: {
      TargetOriginId: 's3',
      ViewerProtocolPolicy: 'redirect-to-https',
      CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6',
    },
    CacheBehaviors: {Quantity: behaviours.length, Items: behaviours},
    ...over,
  }
}

/** A bucket policy with one statement per source ARN granted to CloudFront (null: no AWS:SourceArn condition). */
const policy = (...sourceArns: (string | null)[]): GetBucketPolicyCommandOutput => ({
  $metadata: {},
  Policy: JSON.stringify({
    Version: '2012-10-17',
    Statement: sourceArns.map((a, i) => ({
      Sid: `cf${i}`,
      Effect: 'Allow',
      Principal: {Service: 'cloudfront.amazonaws.com'},
      Action: 's3:GetObject',
      Resource: `arn:aws:s3:::${BUCKET}/*`,
      ...(a && {Condition: {StringEquals: {'AWS:SourceArn': a}}}),
    })),
  }),
})

interface Given {
  config?: Partial<DistributionConfig>
  certs?: Serving['certs']
  /** null: no load balancer. */
  alb?: Serving['alb'] | null
  policy?: GetBucketPolicyCommandOutput
}

function given(over: Given = {}): void {
  const names = ['allthrive.ai', '*.allthrive.ai', 'origin.allthrive.ai']
  const albCert = certDetail(ALB_CERT, {SubjectAlternativeNames: names})
  givenServing({
    alb: over.alb === null ? undefined : (over.alb ?? {default: ALB_CERT}),
    cloudfront: {viewer: {ACMCertificateArn: CF_CERT, SSLSupportMethod: 'sni-only'}, config: over.config ?? config()},
    certs: over.certs ?? [certDetail(CF_CERT), albCert],
  })
  mocks.s3.on(GetBucketPolicyCommand).resolves(over.policy ?? policy(ARN))
}

describe('cloudfront check', () => {
  beforeEach(() => resetMocks())

  it('finds the distribution once per run, shared with the certificates check (one tag lookup per distribution)', async () => {
    given()
    const ctx = ctxWith()
    await Promise.all([cloudfront.run(ctx), certificates.run(ctx)])
    expect(mocks.cloudfront).toHaveReceivedCommandTimes(ListDistributionsCommand, 1)
    expect(mocks.cloudfront).toHaveReceivedCommandTimes(ListTagsForResourceCommand, 1)
  })

  it('passes a deployed distribution: bucket through OAC, API uncached with all headers', async () => {
    given()
    const r = await cloudfront.run(ctxWith())
    expect(r.status).toBe('pass')
    expect(r.summary).toBe('EPROD deployed, allthrive.ai, *.allthrive.ai')
    expect(r.details).toEqual([
      `EPROD (eprod.cloudfront.net), found by S3 origin on the frontend bucket ${BUCKET}`,
      `EPROD: default → ${BUCKET} through Origin Access Control E2OAC`,
      `${BUCKET}: the bucket policy allows exactly EPROD`,
      `EPROD: /api/* → ALB production-allthrive-alb (${LB_DNS})`,
      `EPROD: /ws/* → ALB production-allthrive-alb (${LB_DNS})`,
      'EPROD viewer certificate: cf-prod, 212 days left (2027-06-26)',
    ])
    expect(mocks.s3).toHaveReceivedCommandWith(GetBucketPolicyCommand, {Bucket: BUCKET})
    expect(mocks.cloudfront).not.toHaveReceivedCommand(GetCachePolicyCommand)
  })

  it('fails when no distribution is found, saying what was searched', async () => {
    givenServing({alb: {default: ALB_CERT}})
    const r = await cloudfront.run(ctxWith())
    expect(r).toMatchObject({status: 'fail', summary: 'no distribution found'})
    expect(r.details?.[0]).toMatch(/^No CloudFront distribution found for "production" among the account's 0 /)
    expect(r.hint).toContain('"cloudfront": {"distributionId"')
  })

  it('fails, listing the candidates, when several distributions match and none is configured', async () => {
    givenServing({alb: {default: ALB_CERT}})
    mocks.cloudfront.on(ListDistributionsCommand).resolves(twoProductionDistributions())
    const r = await cloudfront.run(ctxWith())
    expect(r).toMatchObject({status: 'fail', summary: 'several distributions match'})
    expect(r.details?.[0]).toMatch(/^2 CloudFront distributions match "production" by comment naming "production": EA /)
    expect(r.hint).toContain('"distributionId": "EA"')
  })

  it('fails a default behaviour that does not serve an S3 bucket', async () => {
    const DefaultCacheBehavior = {TargetOriginId: 'alb', ViewerProtocolPolicy: 'redirect-to-https' as const}
    given({config: config(undefined, {DefaultCacheBehavior})})
    const r = await cloudfront.run(ctxWith())
    expect(r.summary).toBe('EPROD: default not an S3 bucket')
    expect(r.details).toContain(`EPROD: the default behaviour goes to ${LB_DNS}, not an S3 bucket`)
    expect(mocks.s3).not.toHaveReceivedCommand(GetBucketPolicyCommand)
  })

  it('fails a disabled distribution (found by its configured id, without listing)', async () => {
    given({config: config(undefined, {Enabled: false})})
    const r = await cloudfront.run(ctxWith({cloudfront: {distributionId: 'EPROD'}}))
    expect(r).toMatchObject({status: 'fail', summary: 'EPROD: disabled'})
    expect(r.details?.[0]).toBe('EPROD: disabled: it serves nothing')
    expect(mocks.cloudfront).not.toHaveReceivedCommand(ListDistributionsCommand)
  })

  it('warns while the distribution is InProgress', async () => {
    given()
    const detail = distributionOf({config: config(), viewer: {ACMCertificateArn: CF_CERT}})
    detail.Distribution!.Status = 'InProgress'
    mocks.cloudfront.on(GetDistributionCommand).resolves(detail)
    const r = await cloudfront.run(ctxWith())
    expect(r).toMatchObject({status: 'warn', summary: 'EPROD: status InProgress'})
  })

  it('fails a configured cloudfrontDomains entry that no alias covers; a wildcard alias covers one label', async () => {
    given()
    const r = await cloudfront.run(ctxWith({cloudfrontDomains: ['www.allthrive.ai', 'allthrive.io']}))
    expect(r.summary).toBe('EPROD: no alias allthrive.io')
    expect(r.details).toContain(
      'EPROD: allthrive.io (cloudfrontDomains) is not among its aliases' + ' (allthrive.ai, *.allthrive.ai)',
    )
  })

  it('fails a bucket origin without Origin Access Control (legacy OAI)', async () => {
    const c = config()
    const oai = 'origin-access-identity/cloudfront/E1OAI'
    const legacy = {Id: 's3', DomainName: `${BUCKET}.s3.amazonaws.com`, S3OriginConfig: {OriginAccessIdentity: oai}}
    c.Origins!.Items![0] = legacy
    given({config: c})
    const r = await cloudfront.run(ctxWith())
    expect(r.details).toContain(`EPROD: origin ${BUCKET} has no Origin Access Control (legacy identity ${oai})`)
    expect(r.status).toBe('fail')
  })

  it('fails a bucket policy that lets any distribution, or another one, read the bucket', async () => {
    given({policy: policy(ARN, null)})
    const any = await cloudfront.run(ctxWith())
    expect(any.details).toContain(
      `${BUCKET}: the bucket policy also allows any distribution (no AWS:SourceArn condition)`,
    )
    resetMocks()
    given({policy: policy(OTHER_ARN)})
    const other = await cloudfront.run(ctxWith())
    expect(other.summary).toBe(`EPROD: ${BUCKET} policy does not allow EPROD`)
    expect(other.details).toContain(`${BUCKET}: the bucket policy does not allow ${ARN} (it allows ${OTHER_ARN})`)
    expect(other.hint).toContain(`Condition StringEquals AWS:SourceArn ${ARN}`)
  })

  it('fails a bucket without a policy', async () => {
    given()
    mocks.s3.on(GetBucketPolicyCommand).rejects(awsError('NoSuchBucketPolicy', 'The bucket policy does not exist', 404))
    const r = await cloudfront.run(ctxWith())
    expect(r.details).toContain(`${BUCKET}: no bucket policy: CloudFront cannot read it`)
  })

  it('fails a missing /ws/* behaviour and an /api/* behaviour that goes to the bucket', async () => {
    given({config: config([api('/api/*', {TargetOriginId: 's3'})])})
    const r = await cloudfront.run(ctxWith())
    expect(r.status).toBe('fail')
    expect(r.details).toEqual(
      expect.arrayContaining([
        'EPROD: no /ws/* cache behaviour: requests fall to the default (the bucket)',
        `EPROD: /api/* goes to origin s3 (${BUCKET}.s3.us-east-1.amazonaws.com),` +
          ` not to ALB production-allthrive-alb (${LB_DNS})`,
      ]),
    )
  })

  it("accepts an origin name that the ALB's certificate covers (a CNAME to the ALB)", async () => {
    const c = config()
    c.Origins!.Items![1] = {...c.Origins!.Items![1], DomainName: 'origin.allthrive.ai'}
    given({config: c})
    const r = await cloudfront.run(ctxWith())
    expect(r.status).toBe('pass')
    expect(r.details).toContain(
      `EPROD: /ws/* → origin.allthrive.ai, a name of ALB production-allthrive-alb's certificate`,
    )
  })

  it('fails caching on the API: a custom cache policy with a MaxTTL, or legacy TTLs', async () => {
    const legacy = api('/ws/*', {
      CachePolicyId: undefined,
      MinTTL: 0,
      DefaultTTL: 86400,
      MaxTTL: 31536000,
      OriginRequestPolicyId: undefined,
      ForwardedValues: {QueryString: true, Cookies: {Forward: 'all'}, Headers: {Quantity: 1, Items: ['*']}},
    })
    given({config: config([api('/api/*', {CachePolicyId: 'custom-cache'}), legacy])})
    const cache: GetCachePolicyCommandOutput = {
      $metadata: {},
      CachePolicy: {
        Id: 'custom-cache',
        LastModifiedTime: new Date(0),
        CachePolicyConfig: {Name: 'api-short', MinTTL: 0, DefaultTTL: 60, MaxTTL: 300},
      },
    }
    mocks.cloudfront.on(GetCachePolicyCommand).resolves(cache)
    const r = await cloudfront.run(ctxWith())
    expect(r.details).toEqual(
      expect.arrayContaining([
        'EPROD: /api/* cache policy api-short caches up to 300s',
        'EPROD: /ws/* legacy TTLs 0/86400/31536000 cache responses',
      ]),
    )
    expect(r.hint).toContain(`use the CachingDisabled cache policy (${CACHING_DISABLED}) on /api/*`)
  })

  it('fails an origin request policy that drops the WebSocket handshake headers, passes one listing them', async () => {
    const behaviours = [
      api('/api/*', {OriginRequestPolicyId: 'cors-only'}),
      api('/ws/*', {OriginRequestPolicyId: 'ws-headers'}),
    ]
    given({config: config(behaviours)})
    type Out = GetOriginRequestPolicyCommandOutput
    const orp = (id: string, headers: string[]): Out => ({
      $metadata: {},
      OriginRequestPolicy: {
        Id: id,
        LastModifiedTime: new Date(0),
        OriginRequestPolicyConfig: {
          Name: id,
          HeadersConfig: {HeaderBehavior: 'whitelist', Headers: {Quantity: headers.length, Items: headers}},
          CookiesConfig: {CookieBehavior: 'all'},
          QueryStringsConfig: {QueryStringBehavior: 'all'},
        },
      },
    })
    mocks.cloudfront
      .on(GetOriginRequestPolicyCommand, {Id: 'cors-only'})
      .resolves(orp('cors-only', ['Origin']))
      .on(GetOriginRequestPolicyCommand, {Id: 'ws-headers'})
      .resolves(orp('ws-headers', ['sec-websocket-key', 'Sec-WebSocket-Version', 'Host']))
    const r = await cloudfront.run(ctxWith())
    expect(r.summary).toBe('EPROD: /api/* drops WebSocket headers')
    expect(r.details).toContain('EPROD: /api/* does not forward Sec-WebSocket-Key, Sec-WebSocket-Version')
    expect(r.details?.filter((d) => d.includes('/ws/* does not forward'))).toEqual([])
  })

  it('fails a viewer certificate expiring within failDays, or from another region', async () => {
    given({certs: [certDetail(CF_CERT, {NotAfter: inDays(3)}), certDetail(ALB_CERT)]})
    const r = await cloudfront.run(ctxWith())
    expect(r.summary).toBe('EPROD: cf-prod expires in 3 days')
    resetMocks()
    const eu = certArn('eu-west-1', 'cf-eu')
    given()
    const detail = distributionOf({config: config(), viewer: {ACMCertificateArn: eu}})
    mocks.cloudfront.on(GetDistributionCommand).resolves(detail)
    const foreign = await cloudfront.run(ctxWith())
    expect(foreign.details).toContain(`EPROD: viewer certificate ${eu} is not an ACM certificate from us-east-1`)
  })

  it('warns that the API origin is unverified when the ALB does not exist', async () => {
    given({alb: null})
    const r = await cloudfront.run(ctxWith())
    expect(r.status).toBe('warn')
    expect(r.details).toContain(
      `EPROD: /api/* goes to ${LB_DNS}; no load balancer named production-allthrive-alb to compare with`,
    )
  })

  it('is an error naming the IAM action when the bucket policy cannot be read', async () => {
    given()
    mocks.s3.on(GetBucketPolicyCommand).rejects(accessDenied('s3:GetBucketPolicy'))
    await expectErrorNaming(cloudfront, 's3:GetBucketPolicy')
  })

  it('is an error naming the IAM action when distributions cannot be listed', async () => {
    given()
    mocks.cloudfront.on(ListDistributionsCommand).rejects(accessDenied('cloudfront:ListDistributions'))
    await expectErrorNaming(cloudfront, 'cloudfront:ListDistributions')
  })
})

describe('cloudfrontGrants', () => {
  it('reads the distributions a policy grants to CloudFront, whatever the condition operator', () => {
    const doc = JSON.stringify({
      Statement: [
        {
          Effect: 'Allow',
          Principal: {Service: ['cloudfront.amazonaws.com']},
          Action: 's3:GetObject',
          Condition: {ArnLike: {'aws:SourceArn': [ARN, OTHER_ARN]}},
        },
        {Effect: 'Deny', Principal: {Service: 'cloudfront.amazonaws.com'}, Action: 's3:*'},
        {Effect: 'Allow', Principal: {AWS: 'arn:aws:iam::123456789012:root'}, Action: 's3:*'},
      ],
    })
    expect(cloudfrontGrants(doc)).toEqual([ARN, OTHER_ARN])
    const any = {Statement: {Effect: 'Allow', Principal: {Service: 'cloudfront.amazonaws.com'}, Action: 's3:GetObject'}}
    expect(cloudfrontGrants(JSON.stringify(any))).toEqual([null])
  })
})
