import {
  type CacheBehavior,
  CloudFrontClient,
  type DefaultCacheBehavior,
  type Distribution,
  GetCachePolicyCommand,
  GetOriginRequestPolicyCommand,
  type Origin,
} from '@aws-sdk/client-cloudfront'
import {GetBucketPolicyCommand, NoSuchBucket, S3Client} from '@aws-sdk/client-s3'

import {CLOUDFRONT_REGION} from '../aws/regions.js'
import {UserError} from '../errors.js'
import {certificateByArn, certificateCovers, isAcmArn, nameCovers, shortId} from '../resources/acm.js'
import {bucketOfOrigin, findDistribution, type FoundDistribution, getDistribution} from '../resources/cloudfront.js'
import {albServing} from '../resources/elb.js'
import {judgeCertificate} from './certificates.js'
import {type Check, type CheckContext, fail, type Finding, resultFromFindings} from './types.js'

/** Managed policies (AWS docs: "Use managed cache policies", "Use managed origin request policies"). */
export const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad'
const ALL_VIEWER = '216adef6-5c7f-47e4-b989-5492eafa07d3'
const ALL_VIEWER_POLICIES: Record<string, string> = {
  [ALL_VIEWER]: 'AllViewer',
  '33f36d7e-f396-46d9-90e0-52428a34d9dc': 'AllViewerAndCloudFrontHeaders-2022-06',
  'b689b0a8-53d0-40ab-baf2-68738e2966ac': 'AllViewerExceptHostHeader',
}
/** What a WebSocket handshake needs forwarded (AWS docs: "Use WebSockets with CloudFront distributions"). */
export const WEBSOCKET_HEADERS = ['Sec-WebSocket-Key', 'Sec-WebSocket-Version']
const API_PATHS = ['/api/*', '/ws/*']

const cf = (ctx: CheckContext) => ctx.aws.client(CloudFrontClient, {region: CLOUDFRONT_REGION})
const lower = (xs: string[] | undefined) => (xs ?? []).map((x) => x.toLowerCase())

type Behaviour = CacheBehavior | DefaultCacheBehavior

/** Caching is off: the CachingDisabled policy, a cache policy whose MaxTTL is 0, or legacy TTLs all 0. */
async function cachingOff(ctx: CheckContext, b: Behaviour): Promise<string | undefined> {
  if (b.CachePolicyId === CACHING_DISABLED) return undefined
  if (b.CachePolicyId) {
    const out = await cf(ctx).send(new GetCachePolicyCommand({Id: b.CachePolicyId}), {abortSignal: ctx.signal})
    const c = out.CachePolicy?.CachePolicyConfig
    return c?.MaxTTL === 0 ? undefined : `cache policy ${c?.Name ?? b.CachePolicyId} caches up to ${c?.MaxTTL ?? '?'}s`
  }

  const ttls = [b.MinTTL, b.DefaultTTL, b.MaxTTL]
  if (ttls.every((t) => t === 0)) return undefined
  return `legacy TTLs ${ttls.map((t) => t ?? 'default').join('/')} cache responses`
}

/** The WebSocket handshake headers reach the origin: all viewer headers, or at least Sec-WebSocket-Key and -Version. */
async function websocketHeaders(ctx: CheckContext, b: Behaviour): Promise<string | undefined> {
  let forwarded: string[] = []
  if (b.OriginRequestPolicyId && ALL_VIEWER_POLICIES[b.OriginRequestPolicyId]) return undefined
  if (b.OriginRequestPolicyId) {
    const id = b.OriginRequestPolicyId
    const out = await cf(ctx).send(new GetOriginRequestPolicyCommand({Id: id}), {abortSignal: ctx.signal})
    const h = out.OriginRequestPolicy?.OriginRequestPolicyConfig?.HeadersConfig
    if (h?.HeaderBehavior === 'allViewer' || h?.HeaderBehavior === 'allViewerAndWhitelistCloudFront') return undefined
    forwarded = h?.HeaderBehavior === 'whitelist' ? lower(h.Headers?.Items) : []
    if (h?.HeaderBehavior === 'allExcept') {
      const excluded = lower(h.Headers?.Items)
      forwarded = lower(WEBSOCKET_HEADERS).filter((x) => !excluded.includes(x))
    }
  } else {
    forwarded = lower(b.ForwardedValues?.Headers?.Items)
    if (forwarded.includes('*')) return undefined
  }

  const missing = WEBSOCKET_HEADERS.filter((x) => !forwarded.includes(x.toLowerCase()))
  return missing.length === 0 ? undefined : `does not forward ${missing.join(', ')}`
}

/** `/api/*` and `/ws/*`: present, to the ALB origin, uncached, forwarding what WebSockets need. */
async function apiBehaviours(ctx: CheckContext, d: Distribution, id: string): Promise<Finding[]> {
  const c = d.DistributionConfig!
  const origins = c.Origins?.Items ?? []
  const alb = await albServing(ctx)
  const albDns = alb.loadBalancer?.dnsName
  const described = await Promise.all(alb.certificates.map((x) => certificateByArn(ctx, x.arn)))
  const albCerts = described.filter((x) => x !== undefined)
  const toAlb = (path: string, b: CacheBehavior): Finding => {
    const origin: Origin | undefined = origins.find((o) => o.Id === b.TargetOriginId)
    const host = (origin?.DomainName ?? '').toLowerCase()
    if (!albDns) {
      const where = host || b.TargetOriginId
      return {
        status: 'warn',
        short: `${path} origin unverified`,
        detail: `${id}: ${path} goes to ${where}; no load balancer named ${alb.name} to compare with`,
      }
    }

    if (host === albDns) return {status: 'pass', detail: `${id}: ${path} → ALB ${alb.name} (${host})`}
    if (albCerts.some((n) => certificateCovers(n, host))) {
      return {status: 'pass', detail: `${id}: ${path} → ${host}, a name of ALB ${alb.name}'s certificate`}
    }

    return {
      status: 'fail',
      short: `${path} not to the ALB`,
      detail:
        `${id}: ${path} goes to origin ${b.TargetOriginId} (${host || 'unknown'}),` +
        ` not to ALB ${alb.name} (${albDns})`,
    }
  }

  const perPath = await Promise.all(
    API_PATHS.map(async (path): Promise<Finding[]> => {
      const b = c.CacheBehaviors?.Items?.find((x) => x.PathPattern === path)
      if (!b) {
        return [
          {
            status: 'fail',
            short: `no ${path} behaviour`,
            detail: `${id}: no ${path} cache behaviour: requests fall to the default (the bucket)`,
          },
        ]
      }

      const out = [toAlb(path, b)]
      const [cached, headers] = await Promise.all([cachingOff(ctx, b), websocketHeaders(ctx, b)])
      if (cached) {
        out.push({
          status: 'fail',
          short: `${path} cached`,
          detail: `${id}: ${path} ${cached}`,
          hint: `use the CachingDisabled cache policy (${CACHING_DISABLED}) on ${path}`,
        })
      }

      if (headers) {
        out.push({
          status: 'fail',
          short: `${path} drops WebSocket headers`,
          detail: `${id}: ${path} ${headers}`,
          hint: `use the AllViewer origin request policy (${ALL_VIEWER}) on ${path}`,
        })
      }

      return out
    }),
  )
  return perPath.flat()
}

/** Distribution ARNs a bucket policy grants to CloudFront's service principal (`null`: no AWS:SourceArn). */
/** The parts of a bucket-policy statement the grant reads. */
interface PolicyStatement {
  Effect?: string
  Principal?: {Service?: string | string[]}
  Condition?: Record<string, Record<string, unknown>>
}

export function cloudfrontGrants(policy: string): (string | null)[] {
  const doc = JSON.parse(policy) as {Statement?: unknown}
  const statements = (Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement]) as PolicyStatement[]
  const grants: (string | null)[] = []
  for (const s of statements.filter((x) => x?.Effect === 'Allow')) {
    const services = [s.Principal?.Service].flat()
    if (!services.includes('cloudfront.amazonaws.com')) continue
    const operators = Object.values(s.Condition ?? {})
    const values = operators.flatMap((op) =>
      Object.entries(op)
        .filter(([k]) => k.toLowerCase() === 'aws:sourcearn')
        .flatMap(([, v]) => [v].flat() as string[]),
    )
    grants.push(...(values.length > 0 ? values : [null]))
  }

  return grants
}

/** The default behaviour serves the frontend bucket through OAC; only this distribution may read it. */
async function frontendOrigin(ctx: CheckContext, d: Distribution, dist: FoundDistribution): Promise<Finding[]> {
  const c = d.DistributionConfig!
  const origin = c.Origins?.Items?.find((o) => o.Id === c.DefaultCacheBehavior?.TargetOriginId)
  const bucket = bucketOfOrigin(origin?.DomainName ?? '')
  const id = dist.id
  if (!origin || !bucket) {
    return [
      {
        status: 'fail',
        short: 'default not an S3 bucket',
        detail: `${id}: the default behaviour goes to ${origin?.DomainName ?? 'no origin'}, not an S3 bucket`,
      },
    ]
  }

  const out: Finding[] = []
  const {frontend} = ctx.env.buckets
  if (bucket !== frontend) {
    out.push({
      status: 'warn',
      short: `serves ${bucket}`,
      detail: `${id}: the default behaviour serves bucket ${bucket}, not the frontend bucket ${frontend}`,
    })
  }

  if (origin.OriginAccessControlId) {
    const oac = origin.OriginAccessControlId
    out.push({status: 'pass', detail: `${id}: default → ${bucket} through Origin Access Control ${oac}`})
  } else {
    const oai = origin.S3OriginConfig?.OriginAccessIdentity
    out.push({
      status: 'fail',
      short: 'no Origin Access Control',
      detail: `${id}: origin ${bucket} has no Origin Access Control${oai ? ` (legacy identity ${oai})` : ''}`,
      hint: 'attach an Origin Access Control to the S3 origin (CloudFront console → Origins → Edit)',
    })
  }

  let policy: string | undefined
  try {
    const s3 = ctx.aws.client(S3Client)
    policy = (await s3.send(new GetBucketPolicyCommand({Bucket: bucket}), {abortSignal: ctx.signal})).Policy
  } catch (error) {
    const gone = error instanceof NoSuchBucket
    if (!gone && (error as Error).name !== 'NoSuchBucketPolicy') throw error
    return [
      ...out,
      {
        status: 'fail',
        short: `${bucket} ${gone ? 'missing' : 'has no policy'}`,
        detail: `${bucket}: ${gone ? 'no such bucket' : 'no bucket policy: CloudFront cannot read it'}`,
      },
    ]
  }

  const grants = cloudfrontGrants(policy ?? '{}')
  const others = [...new Set(grants.filter((g) => g !== dist.arn))]
  const hint =
    'allow only this distribution: a statement for Service cloudfront.amazonaws.com' +
    ` with Condition StringEquals AWS:SourceArn ${dist.arn}`
  if (!grants.includes(dist.arn)) {
    const allowed = others.length > 0 ? ` (it allows ${others.map((o) => o ?? 'any distribution').join(', ')})` : ''
    out.push({
      status: 'fail',
      short: `${bucket} policy does not allow ${id}`,
      detail: `${bucket}: the bucket policy does not allow ${dist.arn}${allowed}`,
      hint,
    })
  } else if (others.length > 0) {
    const also = others.map((o) => o ?? 'any distribution (no AWS:SourceArn condition)').join(', ')
    out.push({
      status: 'fail',
      short: `${bucket} policy allows more than ${id}`,
      detail: `${bucket}: the bucket policy also allows ${also}`,
      hint,
    })
  } else {
    out.push({status: 'pass', detail: `${bucket}: the bucket policy allows exactly ${id}`})
  }

  return out
}

/** The viewer certificate is an ACM certificate from us-east-1, issued and not expiring. */
async function viewerCertificate(ctx: CheckContext, d: Distribution, id: string): Promise<Finding[]> {
  const v = d.DistributionConfig?.ViewerCertificate
  const aliases = d.DistributionConfig?.Aliases?.Items ?? []
  const arn = v?.ACMCertificateArn
  if (!arn) {
    if (v?.IAMCertificateId) {
      return [
        {
          status: 'warn',
          short: 'IAM certificate',
          detail: `${id}: viewer certificate ${v.IAMCertificateId} is an IAM server certificate: expiry not checked`,
        },
      ]
    }

    if (aliases.length === 0) return []
    return [
      {
        status: 'fail',
        short: 'no custom certificate',
        detail: `${id}: serves the default *.cloudfront.net certificate, which covers none of its aliases`,
      },
    ]
  }

  if (!isAcmArn(arn) || arn.split(':')[3] !== CLOUDFRONT_REGION) {
    return [
      {
        status: 'fail',
        short: `certificate not from ${CLOUDFRONT_REGION}`,
        detail: `${id}: viewer certificate ${arn} is not an ACM certificate from ${CLOUDFRONT_REGION}`,
      },
    ]
  }

  const facts = await certificateByArn(ctx, arn)
  if (!facts) {
    return [{status: 'fail', short: 'certificate not in ACM', detail: `${id}: viewer certificate ${arn} is not in ACM`}]
  }

  const f = judgeCertificate(ctx, facts, `${id} viewer certificate`)
  const uncovered = aliases.filter((a) => !facts.names.some((n) => nameCovers(n, a)))
  if (uncovered.length === 0) return [f]
  const detail = `${id}: ${shortId(arn)} does not cover ${uncovered.join(', ')}`
  return [f, {status: 'fail', short: 'aliases not covered', detail}]
}

export const cloudfront: Check = {
  id: 'cloudfront',
  title: 'CloudFront deployed, serving the frontend through OAC and the API uncached',
  iam: [
    'cloudfront:ListDistributions',
    'cloudfront:GetDistribution',
    'cloudfront:ListTagsForResource',
    'cloudfront:GetCachePolicy',
    'cloudfront:GetOriginRequestPolicy',
    's3:GetBucketPolicy',
    'elasticloadbalancing:DescribeLoadBalancers',
    'elasticloadbalancing:DescribeListeners',
    'elasticloadbalancing:DescribeListenerCertificates',
    'elasticloadbalancing:DescribeRules',
    'acm:DescribeCertificate',
  ],
  async run(ctx) {
    let dist: FoundDistribution
    try {
      dist = await findDistribution(ctx)
    } catch (error) {
      if (!(error instanceof UserError)) throw error
      const summary = error.code === 'CLOUDFRONT_AMBIGUOUS' ? 'several distributions match' : 'no distribution found'
      return fail(summary, {details: [error.message], hint: error.suggestions.join('; ')})
    }

    const d = (await getDistribution(ctx, dist.id))!
    const id = dist.id
    const findings: Finding[] = [{status: 'pass', detail: `${id} (${dist.domainName}), found by ${dist.reason}`}]
    const enabled = d.DistributionConfig?.Enabled
    if (enabled === false) {
      findings.push({status: 'fail', short: 'disabled', detail: `${id}: disabled: it serves nothing`})
    }

    if (d.Status !== 'Deployed') {
      const detail = `${id}: status ${d.Status}: a change is still deploying to the edge`
      findings.push({status: 'warn', short: `status ${d.Status}`, detail})
    }
    const aliases = d.DistributionConfig?.Aliases?.Items ?? []
    for (const domain of ctx.env.cloudfrontDomains.filter((x) => !aliases.some((a) => nameCovers(a, x)))) {
      findings.push({
        status: 'fail',
        short: `no alias ${domain}`,
        detail: `${id}: ${domain} (cloudfrontDomains) is not among its aliases (${aliases.join(', ') || 'none'})`,
      })
    }

    const parts = await Promise.all([
      frontendOrigin(ctx, d, dist),
      apiBehaviours(ctx, d, id),
      viewerCertificate(ctx, d, id),
    ])
    findings.push(...parts.flat())
    const healthy = `${id} ${d.Status?.toLowerCase()}, ${aliases.join(', ') || 'no aliases'}`
    return resultFromFindings(id, findings, healthy, {
      id,
      arn: dist.arn,
      foundBy: dist.reason,
      status: d.Status ?? null,
      enabled: enabled ?? null,
      aliases,
    })
  },
}
