import {
  type CertificateDetail,
  DescribeCertificateCommand,
  type DescribeCertificateCommandOutput,
  ListCertificatesCommand,
  type ListCertificatesCommandOutput,
  ResourceNotFoundException,
} from '@aws-sdk/client-acm'
import {
  type DistributionConfig,
  type DistributionSummary,
  GetDistributionCommand,
  type GetDistributionCommandOutput,
  ListDistributionsCommand,
  ListTagsForResourceCommand,
  type ListTagsForResourceCommandOutput,
} from '@aws-sdk/client-cloudfront'
import {
  DescribeListenerCertificatesCommand,
  type DescribeListenerCertificatesCommandOutput,
  DescribeListenersCommand,
  type DescribeListenersCommandOutput,
  DescribeLoadBalancersCommand,
  type DescribeLoadBalancersCommandOutput,
  DescribeRulesCommand,
  type DescribeRulesCommandOutput,
  LoadBalancerNotFoundException,
} from '@aws-sdk/client-elastic-load-balancing-v2'

import {mocks} from './aws.js'
import {distributionList, distributionSummary} from './cloudfront.js'
import {NOW} from './context.js'

/**
 * A mocked environment as it serves TLS: an ALB with HTTPS listeners (default and SNI
 * certificates, host-header rules), a CloudFront distribution with its viewer certificate,
 * and ACM records for every ARN, all typed with the SDK's own output types.
 */

const DAY = 86_400_000
/** NotAfter `days` whole days (plus some hours, which floor away) after NOW. */
export const inDays = (days: number): Date => new Date(NOW.getTime() + days * DAY + 5 * 3_600_000)
export const certArn = (region: string, id: string): string => `arn:aws:acm:${region}:123456789012:certificate/${id}`
const ELB = 'arn:aws:elasticloadbalancing:us-east-1:123456789012'
export const LB_ARN = `${ELB}:loadbalancer/app/production-allthrive-alb/50dc6c495c0c9188`
export const LB_DNS = 'production-allthrive-alb-123.us-east-1.elb.amazonaws.com'
export const LISTENER_ARN = `${ELB}:listener/app/production-allthrive-alb/50dc6c495c0c9188/f2f7dc8efc522ab2`

/** An issued, Amazon-issued certificate for allthrive.ai and *.allthrive.ai expiring in 212 days. */
export const certDetail = (arn: string, over: Partial<CertificateDetail> = {}): CertificateDetail => ({
  CertificateArn: arn,
  DomainName: 'allthrive.ai',
  SubjectAlternativeNames: ['allthrive.ai', '*.allthrive.ai'],
  Status: 'ISSUED',
  Type: 'AMAZON_ISSUED',
  KeyAlgorithm: 'RSA_2048',
  RenewalEligibility: 'ELIGIBLE',
  NotAfter: inDays(212),
  InUseBy: [],
  ...over,
})

export interface Serving {
  /** undefined: no load balancer with the environment's name. */
  alb?: {default?: string; sni?: string[]; hosts?: string[]; dnsName?: string}
  /** undefined: no distribution in the account. */
  cloudfront?: {
    id?: string
    aliases?: string[]
    viewer?: DistributionConfig['ViewerCertificate']
    config?: Partial<DistributionConfig>
    summary?: Partial<DistributionSummary>
  }
  /** ACM records by ARN; an ARN absent here is ResourceNotFound. */
  certs?: CertificateDetail[]
  /** Certificates ListCertificates would list (another environment's twin): never to be consulted. */
  listed?: CertificateDetail[]
}

/** The distribution's full record as GetDistribution returns it. */
export function distributionOf(s: NonNullable<Serving['cloudfront']>): GetDistributionCommandOutput {
  const id = s.id ?? 'EPROD'
  const aliases = s.aliases ?? ['allthrive.ai', '*.allthrive.ai']
  const summary = distributionSummary(id, aliases, 'production-allthrive', s.summary)
  return {
    $metadata: {},
    ETag: 'etag',
    Distribution: {
      Id: id,
      ARN: summary.ARN,
      Status: summary.Status,
      DomainName: summary.DomainName,
      LastModifiedTime: summary.LastModifiedTime,
      InProgressInvalidationBatches: 0,
      DistributionConfig: {
        CallerReference: 'ref',
        Comment: summary.Comment ?? '',
        Enabled: summary.Enabled ?? true,
        Aliases: summary.Aliases,
        Origins: summary.Origins,
        DefaultCacheBehavior: summary.DefaultCacheBehavior,
        CacheBehaviors: summary.CacheBehaviors,
        ViewerCertificate: s.viewer ?? {ACMCertificateArn: certArn('us-east-1', 'cf'), SSLSupportMethod: 'sni-only'},
        ...s.config,
      },
    },
  }
}

/** Mocks ELBv2, CloudFront and ACM to answer as `s` describes (call after resetMocks). */
export function givenServing(s: Serving): void {
  if (s.alb) {
    const lb: DescribeLoadBalancersCommandOutput = {
      $metadata: {},
      LoadBalancers: [
        {
          LoadBalancerArn: LB_ARN,
          LoadBalancerName: 'production-allthrive-alb',
          DNSName: s.alb.dnsName ?? LB_DNS,
          State: {Code: 'active'},
          Type: 'application',
          Scheme: 'internet-facing',
        },
      ],
    }
    mocks.elbv2.on(DescribeLoadBalancersCommand).resolves(lb)
    const listeners: DescribeListenersCommandOutput = {
      $metadata: {},
      Listeners: [
        {
          ListenerArn: `${LISTENER_ARN}-80`,
          LoadBalancerArn: LB_ARN,
          Port: 80,
          Protocol: 'HTTP',
          DefaultActions: [
            {Type: 'redirect', RedirectConfig: {Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301'}},
          ],
        },
        {
          ListenerArn: LISTENER_ARN,
          LoadBalancerArn: LB_ARN,
          Port: 443,
          Protocol: 'HTTPS',
          SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
          Certificates: s.alb.default ? [{CertificateArn: s.alb.default}] : [],
          DefaultActions: [{Type: 'forward', TargetGroupArn: 'tg'}],
        },
      ],
    }
    mocks.elbv2.on(DescribeListenersCommand).resolves(listeners)
    // As AWS: DescribeListenerCertificates lists the default too, flagged IsDefault.
    const extras: DescribeListenerCertificatesCommandOutput = {
      $metadata: {},
      Certificates: [
        ...(s.alb.default ? [{CertificateArn: s.alb.default, IsDefault: true}] : []),
        ...(s.alb.sni ?? []).map((CertificateArn) => ({CertificateArn, IsDefault: false})),
      ],
    }
    mocks.elbv2.on(DescribeListenerCertificatesCommand).resolves(extras)
    const rules: DescribeRulesCommandOutput = {
      $metadata: {},
      Rules: [
        ...(s.alb.hosts ?? []).map((h, i) => ({
          RuleArn: `rule-${i}`,
          Priority: String(i + 1),
          IsDefault: false,
          Conditions: [{Field: 'host-header', HostHeaderConfig: {Values: [h]}}],
          Actions: [{Type: 'forward' as const, TargetGroupArn: 'tg'}],
        })),
        {
          RuleArn: 'rule-default',
          Priority: 'default',
          IsDefault: true,
          Conditions: [],
          Actions: [{Type: 'forward', TargetGroupArn: 'tg'}],
        },
      ],
    }
    mocks.elbv2.on(DescribeRulesCommand).resolves(rules)
  } else {
    const missing = new LoadBalancerNotFoundException({message: 'One or more load balancers not found', $metadata: {}})
    mocks.elbv2.on(DescribeLoadBalancersCommand).rejects(missing)
  }

  const detail = s.cloudfront ? distributionOf(s.cloudfront) : undefined
  const d = detail?.Distribution
  const c = d?.DistributionConfig
  const summaries =
    d && c
      ? [distributionSummary(d.Id!, c.Aliases?.Items ?? [], c.Comment, {Origins: c.Origins, ...s.cloudfront!.summary})]
      : []
  mocks.cloudfront.on(ListDistributionsCommand).resolves(distributionList(summaries))
  if (detail) mocks.cloudfront.on(GetDistributionCommand).resolves(detail)
  const noTags: ListTagsForResourceCommandOutput = {$metadata: {}, Tags: {Items: []}}
  mocks.cloudfront.on(ListTagsForResourceCommand).resolves(noTags)

  const unknown = new ResourceNotFoundException({message: 'Could not find certificate', $metadata: {}})
  mocks.acm.on(DescribeCertificateCommand).rejects(unknown)
  for (const cert of s.certs ?? []) {
    const out: DescribeCertificateCommandOutput = {$metadata: {}, Certificate: cert}
    mocks.acm.on(DescribeCertificateCommand, {CertificateArn: cert.CertificateArn}).resolves(out)
  }

  const listed: ListCertificatesCommandOutput = {
    $metadata: {},
    CertificateSummaryList: (s.listed ?? []).map((x) => ({
      CertificateArn: x.CertificateArn,
      DomainName: x.DomainName,
      SubjectAlternativeNameSummaries: x.SubjectAlternativeNames,
      Status: x.Status,
      NotAfter: x.NotAfter,
      InUse: true,
      Type: x.Type,
    })),
  }
  mocks.acm.on(ListCertificatesCommand).resolves(listed)
}
